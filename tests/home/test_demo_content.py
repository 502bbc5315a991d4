"""The demo council's content, as a fresh load publishes it, does not contradict itself or promise what is not there.

A resident reads a service page and then its e-form: the timescales, fees, limits and time to
complete that the form states must be the ones the service page states, and neither may offer a
feature this portal does not have (a map, an online account, text message updates...).
Tracking a request by reference and email address does exist, at /track/.
"""

import re

import pytest
from django.utils.html import strip_tags

from forms_catalogue.demo import demo_forms
from forms_catalogue.models import EFormPage
from home.models import CategoryPage, OnlineStatus, ServicePage

pytestmark = [pytest.mark.django_db, pytest.mark.engine_neutral]  # see tests/conftest.py

FACTS = {
    "timescale": re.compile(r"\b(?:within|up to) \d+ (?:working days?|days?|hours?|weeks?|months?)\b"),
    "fee": re.compile(r"£\d+(?:,\d{3})*(?:\.\d\d)?"),
    "limit": re.compile(r"\bup to (\d+) (?:[a-z]+ ){0,2}?(items?|bins?)\b"),
    "time to complete": re.compile(r"\babout \d+ minutes\b"),
}
MISSING_FEATURES = {
    "a map": re.compile(r"\bmaps?\b|\bdrop a pin\b"),
    "an online account": re.compile(r"\bonline account\b|\bsign in\b|\blog in\b|\bmy account\b"),
    "text message updates": re.compile(r"\btext (?:messages?|reminders?|alerts?)\b|\b(?:will|we) text\b|\bor text\b"),
    "a postcode search on the page": re.compile(r"\b(?:enter|search by) your postcode\b"),
    "a service updates page": re.compile(r"\bservice updates\b"),
    "a link called 'click here'": re.compile(r"\bclick here\b"),
}
ONLINE_CLAIM = re.compile(r"\b(?:join|apply|book|report|order) online\b")


def service_text(page: ServicePage) -> str:
    """Everything a resident reads on a service page, as plain text."""
    parts = [page.title, page.summary, str(page.body), page.eligibility, page.what_you_need, page.how_long]
    parts.append(page.what_happens_next)
    return " ".join(strip_tags(part) for part in parts)


def form_text(form: EFormPage) -> str:
    """Everything a resident reads on an e-form: intro, steps, questions, hints, options, declarations, confirmation."""
    definition = form.definition()
    parts = [form.title, form.intro, strip_tags(form.confirmation_text), form.declaration]
    for step in definition.steps:
        parts += [step.title, step.intro]
        for question in step.questions:
            parts += [question.label, question.hint, question.rules.get("statement", "")]
            parts += [option.label for option in question.options]
    return " ".join(parts)


def facts(text: str) -> dict[str, set[str]]:
    """The timescales, fees, limits ("5 items") and times to complete stated in a text, by kind."""
    plain = " ".join(text.split())
    return {
        kind: {" ".join(found) if pattern.groups else found for found in pattern.findall(plain)}
        for kind, pattern in FACTS.items()
    }


def demo_services() -> list[tuple[ServicePage, EFormPage]]:
    """Each demo service page with its live e-form."""
    return [(page, page.live_eform()) for page in ServicePage.objects.filter(slug__in=demo_forms()).order_by("slug")]


def all_demo_texts() -> dict[str, str]:
    """Every service page, e-form and category the demo loads, by a name to report it with."""
    texts = {f"service {page.slug}": service_text(page) for page in ServicePage.objects.all()}
    texts |= {f"form {page.slug}": form_text(form) for page, form in demo_services()}
    texts |= {f"category {page.slug}": f"{page.summary} {page.intro}" for page in CategoryPage.objects.all()}
    return texts


def test_every_demo_form_states_the_facts_of_its_service_page():
    """A timescale, fee, limit or time to complete on a form is one its service page states too."""
    services = demo_services()
    assert len(services) == len(demo_forms())
    contradictions = []
    for page, form in services:
        on_page = facts(service_text(page))
        for kind, stated in facts(form_text(form)).items():
            if stated - on_page[kind]:
                contradictions.append(f"{page.slug}: form says {sorted(stated)}, page says {sorted(on_page[kind])}")
    assert contradictions == [], "\n".join(contradictions)


def test_the_fact_check_catches_a_timescale_the_service_page_does_not_give():
    page = ServicePage.objects.get(slug="report-pothole")
    form = page.live_eform()
    form.confirmation_text = "<p>Dangerous potholes are made safe within 24 hours.</p>"
    assert "within 24 hours" in facts(form_text(form))["timescale"] - facts(service_text(page))["timescale"]


@pytest.mark.parametrize("feature", sorted(MISSING_FEATURES))
def test_no_demo_page_or_form_offers_a_feature_the_portal_does_not_have(feature):
    pattern = MISSING_FEATURES[feature]
    offending = {name: pattern.findall(text.lower()) for name, text in all_demo_texts().items()}
    assert {name: found for name, found in offending.items() if found} == {}


def test_a_service_with_an_eform_does_not_send_people_elsewhere_to_apply():
    for page, _ in demo_services():
        assert not re.search(r"\bapply (?:on|at|through) GOV\.UK\b", service_text(page)), page.slug


def test_only_services_that_can_be_done_online_say_so():
    offline = ServicePage.objects.filter(online_status__in=[OnlineStatus.OFFLINE, OnlineStatus.INFORMATION_ONLY])
    claims = {page.slug: ONLINE_CLAIM.findall(service_text(page)) for page in offline}
    assert {slug: found for slug, found in claims.items() if found} == {}
    for category in CategoryPage.objects.all():
        services = ServicePage.objects.child_of(category)
        if not services.filter(online_status__in=[OnlineStatus.ONLINE_FORM, OnlineStatus.ONLINE_ELSEWHERE]).exists():
            assert not ONLINE_CLAIM.search(f"{category.summary} {category.intro}"), category.slug


def test_no_demo_question_label_says_optional_itself():
    """The page adds "(optional)" to a question that is not required; a label that says it too shows it twice."""
    labels = [
        question.label
        for _, form in demo_services()
        for _, question in form.definition().questions()
        if question.label.rstrip().endswith("(optional)")
    ]
    assert labels == []
