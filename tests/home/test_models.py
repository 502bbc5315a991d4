"""Page tree rules and the derived online status of a service."""

import pytest
from wagtail.test.utils import WagtailTestUtils

from home.models import CategoryPage, HomePage, InformationPage, OnlineStatus, ServicePage

from .factories import make_category, make_department

pytestmark = pytest.mark.django_db


def test_page_tree_rules():
    assert HomePage.allowed_subpage_models() == [CategoryPage, InformationPage]
    assert CategoryPage.allowed_parent_page_models() == [HomePage]
    assert CategoryPage.allowed_subpage_models() == [ServicePage]
    assert ServicePage.allowed_parent_page_models() == [CategoryPage]
    assert not HomePage.can_create_at(HomePage.objects.get())  # only one home page


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, OnlineStatus.OFFLINE),
        ({"external_url": "https://pay.example.gov.uk/x"}, OnlineStatus.ONLINE_ELSEWHERE),
        ({"information_only": True}, OnlineStatus.INFORMATION_ONLY),
    ],
)
def test_online_status_follows_the_page(fields, expected):
    category = make_category()
    page = ServicePage(title="S", slug="s", summary="x", department=make_department(), **fields)
    category.add_child(instance=page)
    assert ServicePage.objects.get(pk=page.pk).online_status == expected


def test_contact_details_fall_back_to_the_department():
    department = make_department("Fallback Dept")
    page = ServicePage(title="S", slug="s2", summary="x", department=department, phone="01632 960123")
    assert page.contact_phone == "01632 960123"
    assert page.contact_email == department.email


class TestAdmin(WagtailTestUtils):
    def test_editor_can_open_the_service_editor(self, client, django_user_model):
        user = django_user_model.objects.create_superuser("editor", "e@example.com", "pw")
        client.force_login(user)
        page = ServicePage.objects.first()
        response = client.get(f"/admin/pages/{page.pk}/edit/")
        assert response.status_code == 200
        assert b"keywords" in response.content.lower()
        preview = client.post(f"/admin/pages/{page.pk}/edit/preview/", {})
        assert preview.status_code in (200, 302)
