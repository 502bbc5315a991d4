"""The Welsh locale beside the default English one, for Welsh pages and forms."""

from django.db import migrations


def add_welsh(apps, schema_editor):
    apps.get_model("wagtailcore", "Locale").objects.get_or_create(language_code="cy")


def remove_welsh(apps, schema_editor):
    apps.get_model("wagtailcore", "Locale").objects.filter(language_code="cy", page__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0002_service_level_target"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(add_welsh, remove_welsh)]
