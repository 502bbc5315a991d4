"""URLs of the headless portal: content API (/api/v2/), portal API (/api/v1/), Open311 (/open311/v2/)."""

from django.urls import include, path, re_path

from .content import api_router, not_found
from .open311 import urls as open311_urls
from .v1 import api as portal_api
from .v1.views import unknown_path

urlpatterns = [
    path("api/v1/", portal_api.urls),
    re_path(r"^api/v1/", unknown_path, name="api-v1-unknown"),
    path("api/v2/", api_router.urls),
    re_path(r"^api/v2/", not_found),
    path("", include(open311_urls)),
]
