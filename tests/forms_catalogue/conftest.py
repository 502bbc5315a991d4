"""Fixtures of the e-form journey tests: a private MEDIA_ROOT and a browser-like journey driver."""

import pytest

from forms_catalogue.demo import eform_page
from forms_catalogue.models import EFormPage
from forms_catalogue.wizard import journey_file_storage
from tests.home.factories import make_category, make_services

from .journey_helpers import Journey, form_page


@pytest.fixture
def temp_uploads(media_root):
    """The names of the temporary journey uploads on disk now (a function, to call after each step)."""

    def names() -> set[str]:
        if not journey_file_storage.exists(""):
            return set()
        return set(journey_file_storage.listdir("")[1])

    return names


@pytest.fixture
def journey(client, media_root):
    """A function starting a journey on an e-form (or a demo form by its service slug), in a browser."""

    def start(form: str | EFormPage, browser=None) -> Journey:
        return Journey(browser or client, form_page(form) if isinstance(form, str) else form).start()

    return start


@pytest.fixture
def publish_form(db):
    """A function publishing an e-form from a definition, under a new service page; returns the page."""

    def publish(definition: dict):
        service = make_services(make_category("Test forms", "test-forms"), 1)[0]
        page = eform_page({"intro": "", **definition})
        service.add_child(instance=page)
        page.save_revision().publish()
        return page

    return publish
