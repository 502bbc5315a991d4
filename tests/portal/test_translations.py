"""The Welsh catalogue (locale/cy) covers every string of the interface, and Welsh comes out of it.

The coverage test extracts the messages from the source as `manage.py makemessages` does, into a
temporary directory (locale/ is not touched), and names each one without a Welsh translation.
It needs GNU gettext's xgettext (`apt-get install gettext`; bin/setup installs it).
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.utils import translation

from forms_catalogue.builder import FormBuilder
from forms_catalogue.definition import Question
from forms_catalogue.fields import format_day
from forms_catalogue.templatetags.eform_tags import render_question
from tests.portal.po_catalogue import Entry, read_po

WELSH_PO = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES" / "django.po"
# What `makemessages` is told to leave out (README, "Welsh and English").
IGNORED = [".venv", "node_modules", "staticfiles", "tests", "bench", "locale", "media"]
# A count giving each of the Welsh plural forms 0-3: plural=(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != 11) ? 2 : 3
WELSH_FORM_COUNTS = {0: 1, 1: 2, 2: 3, 3: 8}


def require_xgettext() -> None:
    if not shutil.which("xgettext"):
        pytest.fail(
            "xgettext (GNU gettext) is not installed, so the messages of the source cannot be extracted and "
            "the Welsh catalogue cannot be checked: install it with `apt-get install gettext` (bin/setup does)."
        )


@contextmanager
def working_directory(path: Path):
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def extract_messages(source: Path, output: Path) -> list[Entry]:
    """The messages `makemessages -l cy` finds under `source`, written into `output` instead of locale/.

    makemessages writes next to the nearest `locale` directory it sees, so it reads the source
    through a directory of links to each of its top-level entries but locale/ (and the ignored ones).
    """
    require_xgettext()
    mirror = output / "source"
    mirror.mkdir(parents=True)
    for entry in source.iterdir():
        if entry.name not in IGNORED and not entry.name.startswith("."):
            (mirror / entry.name).symlink_to(entry)
    with working_directory(mirror), override_settings(LOCALE_PATHS=[str(output / "locale")]):
        call_command("makemessages", locale=["cy"], ignore_patterns=IGNORED, symlinks=True, verbosity=0)
    return read_po(output / "locale" / "cy" / "LC_MESSAGES" / "django.po")


def untranslated(messages: list[Entry], catalogue: list[Entry]) -> list[str]:
    """Each message with no non-empty, non-fuzzy translation in the catalogue."""
    translated = {entry.key for entry in catalogue if entry.translated and not entry.obsolete}
    return [message.describe() for message in messages if message.key not in translated]


def welsh_catalogue() -> list[Entry]:
    return read_po(WELSH_PO)


def test_every_message_of_the_source_has_a_welsh_translation(tmp_path):
    messages = extract_messages(Path(settings.BASE_DIR), tmp_path)
    assert len(messages) > 1000, "the extraction found too few messages: is it reading the project?"
    missing = untranslated(messages, welsh_catalogue())
    assert not missing, (
        f"{len(missing)} message(s) have no Welsh translation in {WELSH_PO.relative_to(settings.BASE_DIR)}; "
        "run `manage.py makemessages -l cy` (see the README), translate them, then `manage.py "
        "compilemessages`:\n" + "\n".join(missing)
    )


def test_a_new_untranslated_string_in_a_template_is_caught(tmp_path):
    """The check above would fail on a template given `{% translate "New words" %}` and no Welsh."""
    source = tmp_path / "source"
    (source / "templates").mkdir(parents=True)
    (source / "templates" / "new.html").write_text(
        '{% load i18n %}<p>{% translate "New words" %}</p><p>{% translate "Continue" %}</p>'
    )
    messages = extract_messages(source, tmp_path / "extracted")
    assert sorted(entry.msgid for entry in messages) == ["Continue", "New words"]
    assert untranslated(messages, welsh_catalogue()) == ["'New words'"]


def test_the_catalogue_is_welsh_complete_and_not_fuzzy():
    header = WELSH_PO.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "Language: cy\\n" in header
    assert 'Plural-Forms: nplurals=4; plural=(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != "\n"11) ? 2 : 3;' in header
    assert "fuzzy" not in header
    entries = welsh_catalogue()
    assert [entry.describe() for entry in entries if not entry.translated] == []
    plurals = [entry for entry in entries if entry.msgid_plural]
    assert plurals and all(sorted(entry.msgstr) == [0, 1, 2, 3] for entry in plurals)


def test_the_committed_mo_file_matches_the_po_file():
    """gettext under `cy` gives each translation of the .po: the .mo was compiled after the last change."""
    stale = []
    with translation.override("cy"):
        for entry in welsh_catalogue():
            if entry.msgid_plural:
                for form, count in WELSH_FORM_COUNTS.items():
                    if entry.msgctxt:
                        got = translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, count)
                    else:
                        got = translation.ngettext(entry.msgid, entry.msgid_plural, count)
                    if got != entry.msgstr[form]:
                        stale.append(f"{entry.describe()} (form {form}): {got!r}")
            else:
                got = (
                    translation.pgettext(entry.msgctxt, entry.msgid)
                    if entry.msgctxt
                    else translation.gettext(entry.msgid)
                )
                if got != entry.msgstr[0]:
                    stale.append(f"{entry.describe()}: {got!r}")
    assert not stale, "django.mo is out of date with django.po: run `manage.py compilemessages`.\n" + "\n".join(stale)


# --- Welsh on the page -----------------------------------------------------------------------


def render_page(template: str, **context) -> str:
    request = RequestFactory().get("/cy/no-such-page/")
    with translation.override("cy"):
        return render_to_string(template, context, request=request)


def test_the_404_page_is_welsh():
    html = render_page("404.html")
    assert "Heb ddod o hyd i'r dudalen" in html
    assert "Os gwnaethoch deipio'r cyfeiriad gwe, gwiriwch ei fod yn gywir." in html
    assert "Neidio i'r prif gynnwys" in html
    assert "Page not found" not in html


@pytest.mark.parametrize(
    "template, context, welsh",
    [
        ("413.html", {"limit_mb": 10}, "Mae'r ffeil a anfonwyd gennych yn rhy fawr"),
        ("429.html", {"minutes": 2}, "Arhoswch 2 funud a rhowch gynnig arall arni."),
        ("429.html", {"minutes": 5}, "Arhoswch 5 munud a rhowch gynnig arall arni."),
        ("500.html", {}, "Mae'n ddrwg gennym, mae problem gyda'r gwasanaeth"),
    ],
)
def test_the_error_pages_are_welsh(template, context, welsh):
    html = render_page(template, **context)
    assert welsh in html
    assert "Sorry" not in html and "Try again" not in html


def test_a_date_is_written_in_welsh():
    with translation.override("cy"):
        assert format_day(date(2026, 11, 30)) == "30 Tachwedd 2026"
        assert Template('{{ day|date:"j F Y" }}').render(Context({"day": date(2026, 3, 1)})) == "1 Mawrth 2026"
    assert format_day(date(2026, 11, 30)) == "30 November 2026"


def step_form(question: Question, data: dict[str, str]):
    form_class = FormBuilder((question,)).get_form_class()
    return form_class({f"step-{key}": value for key, value in data.items()}, prefix="step")


def test_field_errors_are_welsh():
    when = Question(id="when", type="date", label="Pryd digwyddodd hyn?", required=True)
    name = Question(id="name", type="short_text", label="Beth yw eich enw?", required=True)
    bin_ = Question(id="bin", type="yes_no", label="A yw'r bin wedi'i ddifrodi?", required=True)
    with translation.override("cy"):
        date_form = step_form(when, {"when-day": "31", "when-month": "2", "when-year": "2026"})
        assert date_form.errors["when"] == ["Rhaid i Pryd digwyddodd hyn fod yn ddyddiad go iawn"]
        missing = step_form(name, {})
        assert missing.errors["name"] == ["Rhowch ateb i “Beth yw eich enw?”"]
        assert step_form(bin_, {}).errors["bin"] == ["Dewiswch ie neu na"]
        rendered = render_question(step_form(when, {}), when)
    assert ">Diwrnod<" in rendered and ">Mis<" in rendered and ">Blwyddyn<" in rendered
    assert '<span class="govuk-visually-hidden">Gwall:</span>' in rendered


def test_a_welsh_month_name_is_a_month():
    when = Question(id="when", type="date", label="Date of the problem", required=True)
    form = step_form(when, {"when-day": "30", "when-month": "Tachwedd", "when-year": "2026"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] == date(2026, 11, 30)


def test_the_character_count_gets_welsh_messages_for_its_javascript():
    html = Template("{% load portal_tags %}<div {% character_count_i18n %}></div>")
    with translation.override("cy"):
        welsh = html.render(Context())
    assert 'data-i18n.characters-under-limit.few="Mae gennych %{count} nod yn weddill"' in welsh
    assert 'data-i18n.characters-over-limit.other="Mae gennych %{count} nod yn ormod"' in welsh
    assert 'data-i18n.characters-at-limit="Mae gennych 0 nod yn weddill"' in welsh
    english = html.render(Context())
    assert 'data-i18n.characters-under-limit.one="You have %{count} character remaining"' in english
    assert 'data-i18n.characters-under-limit.other="You have %{count} characters remaining"' in english
