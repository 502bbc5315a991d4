"""The portal's URLs plus two pages that opt in to the page cache but must never be stored."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from portal.page_cache import cacheable_page
from portal.urls import urlpatterns as portal_urlpatterns

FORM_TEMPLATE = engines["django"].from_string('<form method="post">{% csrf_token %}<button>Send</button></form>')


@cacheable_page
def page_with_a_post_form(request):
    """A page that carries a CSRF token."""
    return HttpResponse(FORM_TEMPLATE.render({}, request))


@cacheable_page
def page_that_sets_a_cookie(request):
    """A page that sets a cookie of its own."""
    response = HttpResponse("remembered")
    response.set_cookie("seen", "yes")
    return response


urlpatterns = [
    path("test-post-form/", page_with_a_post_form),
    path("test-cookie/", page_that_sets_a_cookie),
    *portal_urlpatterns,
]
