"""The portal's URLs plus a stand-in for the "Put this service online" action (built on another branch),
so the dashboard's link to it can be checked before the two are merged."""

from django.http import HttpResponse
from django.urls import path

from portal.urls import handler404, handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path(
        "admin/services/<int:page_id>/put-online/", lambda request, page_id: HttpResponse(), name="put_service_online"
    ),
    *portal_urlpatterns,
]
