"""The live forms the APIs offer: every live e-form of a live service, by its service's slug."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.catalogue import live_form, live_forms
from forms_catalogue.models import EFormPage


@pytest.mark.django_db
def test_every_live_eform_is_offered_once_by_its_service_slug_in_four_queries():
    with CaptureQueriesContext(connection) as queries:
        forms = live_forms()

    assert len(queries.captured_queries) == 4
    assert len(forms) == EFormPage.objects.live().count() == 88
    assert len({form.code for form in forms}) == 88
    missed_bin = next(form for form in forms if form.code == "report-missed-bin")
    assert missed_bin.page.get_parent().slug == "report-missed-bin"
    assert missed_bin.version == missed_bin.page.current_version()
    assert missed_bin.service.department.name == "Waste and Recycling"


@pytest.mark.django_db
def test_an_unpublished_form_is_no_longer_offered():
    page = live_form("report-missed-bin").page
    page.unpublish()

    assert live_form("report-missed-bin") is None
    assert "report-missed-bin" not in {form.code for form in live_forms()}


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["", "no-such-service", "x" * 300, None, 7, "home"])
def test_an_unknown_code_finds_nothing(code):
    assert live_form(code) is None
