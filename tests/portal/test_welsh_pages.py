"""Welsh under /cy/: the URL's language, Welsh pages from the map of pages, lang attributes, the switcher."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale, Page

from home.models import HomePage, ServicePage
from portal.page_cache import bump_generation as retire_cached_pages

SERVICE = "/bins-and-recycling/report-missed-bin/"
UNTRANSLATED = "/bins-and-recycling/order-a-bin/"


def welsh(page: Page, title: str) -> Page:
    """The page's Welsh version, as an editor makes it with Translate (parents too), retitled and published."""
    locale = Locale.objects.get(language_code="cy")
    translation = page.get_translation_or_none(locale) or page.copy_for_translation(locale, copy_parents=True)
    translation.title = title
    if hasattr(translation, "how_long"):
        translation.how_long = ""  # the English wording of the target, which the Welsh editor rewrites
    translation.save_revision().publish()
    for parent in translation.get_ancestors().filter(depth__gt=1, live=False):
        parent.specific.save_revision().publish()
    return translation


@pytest.fixture
def welsh_service(db, clear_cache):
    home = HomePage.objects.get(locale__language_code="en-gb")
    welsh(home, "Cyngor Bwrdeistref Ashworth")
    service = ServicePage.objects.get(url_path__endswith=SERVICE, locale__language_code="en-gb")
    welsh(service.get_parent(), "Biniau ac ailgylchu")
    return welsh(service, "Rhoi gwybod am gasgliad bin a fethwyd")


def page(client, url: str):
    retire_cached_pages()
    response = client.get(url)
    return response, BeautifulSoup(response.content, "html.parser")


def switcher(soup) -> dict[str, str]:
    """The switcher's links: language code to URL (the current language has none)."""
    return {link["hreflang"]: link["href"] for link in soup.select(".council-language a")}


def test_a_welsh_page_is_under_cy_in_welsh_with_its_english_page_a_switch_away(client, welsh_service):
    response, soup = page(client, f"/cy{SERVICE}")
    assert response.status_code == 200
    assert soup.html["lang"] == "cy" and response["Content-Language"] == "cy"
    assert "Accept-Language" not in response.get("Vary", "")
    assert soup.h1.get_text(strip=True) == "Rhoi gwybod am gasgliad bin a fethwyd"
    assert soup.select_one(".council-language [aria-current]").get_text() == "Cymraeg"
    assert switcher(soup) == {"en-gb": SERVICE}
    assert soup.select_one(".govuk-header__homepage-link")["href"] == "/cy/"
    assert soup.select_one(".govuk-breadcrumbs a[href='/cy/bins-and-recycling/']")  # the Welsh parent

    response, soup = page(client, SERVICE)
    assert soup.html["lang"] == "en-gb" and response["Content-Language"] == "en-gb"
    assert switcher(soup) == {"cy": f"/cy{SERVICE}"}
    link = soup.select_one(".council-language a")
    assert link["lang"] == "cy" and "Newid yr iaith i'r Gymraeg" in link.get_text()


def test_a_welsh_page_costs_the_queries_of_an_english_one(client, welsh_service):
    client.get(f"/cy{SERVICE}")
    client.get(SERVICE)  # the map built
    counts = {}
    for url in (SERVICE, f"/cy{SERVICE}"):
        retire_cached_pages()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    assert counts[SERVICE] == counts[f"/cy{SERVICE}"] == 1


def test_a_page_without_a_welsh_version_is_not_found_in_welsh_and_its_switch_goes_to_the_welsh_home(
    client, welsh_service
):
    response, soup = page(client, f"/cy{UNTRANSLATED}")
    assert response.status_code == 404 and soup.html["lang"] == "cy"
    response, soup = page(client, UNTRANSLATED)
    assert response.status_code == 200 and switcher(soup) == {"cy": "/cy/"}


def test_views_keep_their_language_and_switch_by_url(client, welsh_service):
    response, soup = page(client, "/cy/search/?q=bin")
    assert response.status_code == 200 and soup.html["lang"] == "cy"
    found = [link.get_text(strip=True) for link in soup.select("main ul a, main ol a") if "bin" in link["href"]]
    assert "Rhoi gwybod am gasgliad bin a fethwyd" in found
    assert "Report a missed bin collection" not in found  # Welsh pages only
    assert "Rhoi gwybod" in client.get("/cy/services/a-z/").content.decode()
    assert "Rhoi gwybod" not in client.get("/services/a-z/").content.decode()
    assert switcher(soup) == {"en-gb": "/search/?q=bin"}
    response, soup = page(client, "/track/")
    assert soup.html["lang"] == "en-gb" and switcher(soup) == {"cy": "/cy/track/"}


def test_each_language_has_its_own_cached_copy(client, welsh_service):
    retire_cached_pages()
    english, welsh_copy = client.get(SERVICE), client.get(f"/cy{SERVICE}")
    assert b"Rhoi gwybod" in welsh_copy.content and b"Rhoi gwybod" not in english.content
    assert b"Rhoi gwybod" in client.get(f"/cy{SERVICE}").content  # from the cache
    assert b"Rhoi gwybod" not in client.get(SERVICE).content


def test_the_admin_and_apis_are_not_under_cy(client, welsh_service):
    assert client.get("/cy/admin/").status_code == 404
    assert client.get("/cy/api/v1/forms", follow=True).status_code == 404


def test_a_journey_of_a_welsh_form_stays_under_cy(client, welsh_service):
    from forms_catalogue.models import EFormPage

    form = EFormPage.objects.get(url_path__endswith=f"{SERVICE}form/", locale__language_code="en-gb")
    welsh(form, "Rhoi gwybod am gasgliad bin a fethwyd")
    start = client.get(f"/cy{SERVICE}form/start/")
    assert start.status_code == 302 and start["Location"].startswith(f"/cy{SERVICE}form/")
    response, soup = page(client, start["Location"])
    assert response.status_code == 200 and soup.html["lang"] == "cy"
    assert switcher(soup) == {"en-gb": f"{SERVICE}form/"}  # the English form's start page


def test_a_welsh_service_page_states_its_target_in_welsh(welsh_service):
    from django.core.exceptions import ValidationError

    welsh_service.target_amount, welsh_service.target_unit = 2, "working_days"
    welsh_service.how_long = "Ein nod yw ateb o fewn 2 ddiwrnod gwaith."
    welsh_service.full_clean()  # "2 ddiwrnod gwaith": Welsh, with its mutation after 2
    welsh_service.how_long = "Ein nod yw ateb o fewn 3 diwrnod gwaith."
    with pytest.raises(ValidationError) as error:
        welsh_service.full_clean()
    assert "how_long" in error.value.message_dict


def test_the_council_is_named_in_welsh_on_welsh_pages_or_marked_as_english(client, welsh_service, settings):
    _response, soup = page(client, f"/cy{SERVICE}")
    name = soup.select_one(".council-header__name")
    assert name.get_text() == "Cyngor Bwrdeistref Ashworth" and not name.has_attr("lang")
    settings.COUNCIL_NAME_WELSH = ""  # a council without a Welsh name: its English name, as an English fragment
    _response, soup = page(client, f"/cy{SERVICE}")
    name = soup.select_one(".council-header__name")
    assert name.get_text() == "Ashworth Borough Council" and name["lang"] == "en-gb"
    _response, soup = page(client, SERVICE)
    assert not soup.select_one(".council-header__name").has_attr("lang")


def test_a_welsh_journey_saved_for_later_is_emailed_in_welsh_with_a_welsh_link(client, welsh_service, mailoutbox):
    from forms_catalogue.models import EFormPage
    from tests.forms_catalogue.journey_helpers import Journey

    english = EFormPage.objects.get(url_path__endswith=f"{SERVICE}form/", locale__language_code="en-gb")
    form = welsh(english, "Rhoi gwybod am fin na chafodd ei gasglu")
    citizen = Journey(client, form).start()
    assert citizen.url.startswith(f"/cy{SERVICE}form/")
    assert client.post(f"{citizen.base}save/", {"email": "glenys@example.com"}).status_code == 200
    message = mailoutbox[-1]
    assert message.subject == "Eich ffurflen a gadwyd: Rhoi gwybod am fin na chafodd ei gasglu"
    link = next(word for word in message.body.split() if "/resume/" in word)
    assert f"/cy{SERVICE}form/resume/" in link
    resumed = client.get("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert resumed.status_code == 302 and resumed["Location"].startswith(f"/cy{SERVICE}form/"), resumed


def test_the_welsh_a_to_z_follows_the_welsh_alphabet(client, welsh_service):
    _response, soup = page(client, "/cy/services/a-z/")
    letters = [item.get_text(" ", strip=True).split(" ")[0] for item in soup.select(".council-a-to-z__item")]
    assert letters[:4] == ["A", "B", "C", "Ch"] and "Rh" in letters and "K" not in letters
    heading = soup.select_one("#letter-rh")
    assert heading is not None and "Rhoi gwybod" in heading.find_next("ul").get_text()
