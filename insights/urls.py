"""Public URLs of the insights app."""

from django.urls import path

from . import views

urlpatterns = [path("online-services/", views.online_services, name="online_services")]
