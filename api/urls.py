"""URLs of the headless portal: content API (/api/v2/), portal API (/api/v1/), Open311 (/open311/v2/)."""

from django.urls import include, path

from .open311 import urls as open311_urls
from .v1 import api as portal_api

urlpatterns = [
    path("api/v1/", portal_api.urls),
    path("", include(open311_urls)),
]
