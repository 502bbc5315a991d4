"""Translated pages made the way an editor makes them: "Translate" (simple_translation) copies the page into the
other locale, keeping its slug, translation key and StreamField structure; the translator then writes the texts
and publishes the copy."""

from collections.abc import Callable

from wagtail.actions.copy_for_translation import CopyPageForTranslationAction
from wagtail.models import Locale, Page


def welsh_locale() -> Locale:
    """The Welsh locale (created by migration home.0003)."""
    return Locale.objects.get(language_code="cy")


def translation_in(page: Page, locale: Locale) -> Page | None:
    """The page's translation in `locale`, or None."""
    return page.get_translations(inclusive=True).filter(locale=locale).specific().first()


def translate_and_publish(page: Page, locale: Locale, write_texts: Callable[[Page], None]) -> bool:
    """Copy `page` into `locale` as the Translate action does, let `write_texts` fill in the copy, and publish it.

    A page that already has a translation in `locale` (live or draft) is left alone and False is
    returned, so running again changes nothing and never overwrites a translator's work. The
    page's parent must already be translated. Raises ValidationError (e.g. an e-form whose
    structure differs from its source's) and the caller's transaction creates nothing.
    """
    if translation_in(page, locale) is not None:
        return False
    copy = CopyPageForTranslationAction(page=page, locale=locale).execute(skip_permission_checks=True).specific
    write_texts(copy)
    copy.save_revision(log_action=True).publish()
    return True
