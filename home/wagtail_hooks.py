"""Admin hooks: the "Welsh translations" report in the Reports menu, for editors."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .translation_report import WelshTranslationsView, can_see_report


class WelshTranslationsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_report(request.user)


@hooks.register("register_admin_urls")
def register_welsh_translations_urls():
    return [
        path("reports/welsh-translations/", WelshTranslationsView.as_view(), name="welsh_translations"),
        path(
            "reports/welsh-translations/results/",
            WelshTranslationsView.as_view(results_only=True),
            name="welsh_translations_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_welsh_translations_menu_item():
    return WelshTranslationsMenuItem(
        _("Welsh translations"), reverse("welsh_translations"), name="welsh-translations", icon_name="globe", order=650
    )
