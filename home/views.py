"""Public views that are not Wagtail pages: search, the A to Z of services, health check, robots.txt, error pages."""

import logging
import re
import string
import unicodedata

from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from wagtail.models import Locale

from portal.page_cache import cacheable_page

from .context_processors import council
from .models import ServicePage

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
RESULTS_PER_PAGE = 20


def clean_search_query(raw: str) -> str:
    """Make any user input a safe search query: words only, bounded length, single spaces.

    Quotes, brackets and operators mean something to the database's full-text engine, so
    they are dropped: a citizen's stray quote must never turn into a query syntax error.
    """
    words_only = re.sub(r"[^\w]+|_+", " ", raw[: MAX_QUERY_LENGTH * 4])
    return " ".join(words_only.split())[:MAX_QUERY_LENGTH].strip()


def services_in_language():
    """Live, public service pages in the request's language (a Welsh page lists Welsh services)."""
    locale = Locale.objects.filter(language_code=get_language())
    return ServicePage.objects.live().public().filter(locale_id__in=locale.values("pk"))


def search_services(query: str, operator: str = "and"):
    """Live service pages in the request's language matching the query (all words, or any with operator="or")."""
    return services_in_language().select_related("department").search(query, operator=operator)


@require_GET
def search(request):
    """Search the service catalogue; any query, however long or odd, gives a normal results page."""
    query = clean_search_query(request.GET.get("q", ""))
    results = []
    page = None
    if query:
        results = search_services(query)
        if not len(results):
            results = search_services(query, operator="or")
        paginator = Paginator(results, RESULTS_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
    return render(request, "home/search.html", {"query": query, "page_obj": page})


OTHER_INITIAL = "other"  # the group of titles that do not start with a letter of the alphabet
# The Welsh alphabet: its digraphs are letters of their own (an A to Z in Welsh is "A i Y").
WELSH_ALPHABET = "A B C CH D DD E F FF G NG H I J L LL M N O P PH R RH S T TH U W Y".split()
WELSH_DIGRAPHS = {letter for letter in WELSH_ALPHABET if len(letter) == 2}


def alphabet() -> list[str]:
    """The letters of the A to Z in the request's language."""
    return WELSH_ALPHABET if get_language() == "cy" else list(string.ascii_uppercase)


def initial(title: str, letters: list[str] | None = None) -> str:
    """The letter a title is listed under ("É" under E; "Llyfrgelloedd" under LL in Welsh); OTHER_INITIAL for a
    digit, a symbol or a letter the alphabet lacks."""
    letters = letters or list(string.ascii_uppercase)
    start = unicodedata.normalize("NFKD", title[:2]).encode("ascii", "ignore").decode().upper()
    if start[:2] in WELSH_DIGRAPHS and start[:2] in letters:
        return start[:2]
    return start[:1] if start[:1] and start[:1] in letters else OTHER_INITIAL


def services_by_initial() -> list[dict]:
    """Every letter of the alphabet (then "other" when used): its label, anchor and live, public services by title.

    One query whatever the number of services; letters without services have an empty list.
    """
    grouped: dict[str, list[ServicePage]] = {}
    letters_used = alphabet()
    for page in sorted(services_in_language().defer("body"), key=lambda page: page.title.casefold()):
        grouped.setdefault(initial(page.title, letters_used), []).append(page)
    letters = [(letter, letter.capitalize()) for letter in letters_used]  # "Ch", "Ll", "Rh" in Welsh
    if OTHER_INITIAL in grouped:
        letters.append((OTHER_INITIAL, gettext("Other")))
    return [
        {"label": label, "anchor": f"letter-{letter.lower()}", "services": grouped.get(letter, [])}
        for letter, label in letters
    ]


@cacheable_page
@require_GET
def services_a_to_z(request):
    """The A to Z of services: every service, grouped by first letter, with links to each letter."""
    return render(request, "home/services_a_to_z.html", {"letters": services_by_initial()})


@never_cache
@require_GET
def healthz(request):
    """Report whether the database answers; 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def robots_txt(request):
    """Allow the public site, keep crawlers out of the admin and journeys, point to the sitemap."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /forms/",
        "Disallow: /track/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def page_not_found(request, exception=None):
    """The styled 404 page."""
    return render(request, "404.html", status=404)


def server_error(request):
    """The styled 500 page; rendered without the request context so it cannot fail again."""
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(template.render(council(request)), status=500)
