"""URLs of e-forms outside Wagtail's page tree: `<form url>schema.json`.

Wagtail serves only paths made of slash-ended segments, so a route ending in `.json` on the
page itself can never be reached; this pattern finds the live e-form at the path instead.
"""

from django.urls import re_path

from . import views

app_name = "forms_catalogue"
urlpatterns = [
    re_path(r"^(?P<page_path>(?:[\w\-]+/)+)schema\.json$", views.schema_at_page_path, name="schema"),
]
