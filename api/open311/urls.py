"""Open311 URLs: the discovery document and the GeoReport v2 endpoints, each as .xml or .json."""

from django.urls import re_path

from . import views

FORMAT = r"\.(?P<fmt>[A-Za-z0-9]+)$"
V2 = r"^open311/v2/"

urlpatterns = [
    re_path(r"^open311/discovery" + FORMAT, views.discovery, name="open311-discovery"),
    re_path(V2 + r"services" + FORMAT, views.services, name="open311-services"),
    re_path(V2 + r"services/(?P<code>[^/]+?)" + FORMAT, views.service_definition, name="open311-service"),
    re_path(V2 + r"requests" + FORMAT, views.requests, name="open311-requests"),
    re_path(V2 + r"requests/(?P<reference>[^/]+?)" + FORMAT, views.request_detail, name="open311-request"),
    re_path(V2 + r"tokens/(?P<token>[^/]+?)" + FORMAT, views.token, name="open311-token"),
    re_path(V2 + r"servicerequestupdates" + FORMAT, views.request_updates, name="open311-updates"),
]
