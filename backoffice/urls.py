"""Public back-office URLs (the staff views live in the Wagtail admin)."""

from django.urls import path

from . import views

app_name = "backoffice"
urlpatterns = [
    path("track/", views.track, name="track"),
    path("files/<str:token>/", views.file_download, name="file_download"),
]
