"""Users of the insights tests: a superuser, and department staff with admin access and no insights permission."""

import pytest
from django.contrib.auth.models import Group


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("web-lead", "web@example.invalid", "pw")


@pytest.fixture
def department_staff(django_user_model):
    """A member of a demo department's staff group: admin access, no coverage or form performance permission."""
    user = django_user_model.objects.create_user("bin-officer", "bins@example.invalid", "pw")
    user.groups.add(Group.objects.get(name="Waste and Recycling staff"))
    return user
