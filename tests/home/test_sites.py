"""The demo site's address follows SITE_URL, so the sitemap and absolute links point at the running portal."""

import re

import pytest
from wagtail.models import Site

from home.models import ServicePage
from home.sites import point_default_site_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_site_root_paths():
    """Wagtail caches each site's root URL: start and end every test without that cache."""
    Site.clear_site_root_paths_cache()
    yield
    Site.clear_site_root_paths_cache()


def test_the_demo_site_answers_at_site_url_and_the_sitemap_says_so(client, settings):
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8000)  # SITE_URL's default when the template was built
    locations = re.findall(r"<loc>([^<]+)</loc>", client.get("/sitemap.xml").content.decode())
    assert len(locations) > 100
    assert all(loc.startswith("http://127.0.0.1:8000/") for loc in locations), locations[:3]


@pytest.mark.parametrize(
    ("site_url", "root_url"),
    [
        ("https://portal.example.gov.uk", "https://portal.example.gov.uk"),
        ("http://localhost:8123/", "http://localhost:8123"),
        ("http://council.example:80", "http://council.example"),
    ],
)
def test_pointing_the_site_changes_every_absolute_page_url(site_url, root_url):
    point_default_site_at(site_url)
    service = ServicePage.objects.live().first()
    assert service.get_full_url().startswith(root_url + "/")


@pytest.mark.parametrize("site_url", ["", "not a url", "http://host:port"])
def test_a_site_url_without_a_usable_host_or_port_changes_nothing(site_url):
    before = Site.objects.values_list("hostname", "port").get(is_default_site=True)
    assert point_default_site_at(site_url) is None
    assert Site.objects.values_list("hostname", "port").get(is_default_site=True) == before
