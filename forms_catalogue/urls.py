"""URLs of e-forms outside Wagtail's page tree: `<form url>schema.json`, and journeys.

Wagtail serves only paths made of slash-ended segments, so a route ending in `.json` on the
page itself can never be reached; this pattern finds the live e-form at the path instead.
A path ending like one of a journey's routes (start, resume, a step, save, confirmation,
feedback, remove) goes to `routing.serve_journey`, which finds the form without Wagtail's page-tree walk
(or hands the request to Wagtail when the path is not an e-form's).
"""

from django.urls import re_path

from . import routing, views

JOURNEY_ROUTE = (
    r"(?:start|resume/[A-Za-z0-9_-]+"
    r"|[A-Za-z0-9_-]{12,40}/(?:confirmation(?:/feedback)?|save|[a-z0-9_-]{1,60}(?:/remove)?))/"
)

app_name = "forms_catalogue"
urlpatterns = [
    re_path(r"^(?P<page_path>(?:[\w\-]+/)+)schema\.json$", views.schema_at_page_path, name="schema"),
    re_path(rf"^(?P<path>(?:[\w\-]+/)+{JOURNEY_ROUTE})$", routing.serve_journey, name="journey"),
]
