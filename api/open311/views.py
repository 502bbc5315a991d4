"""The Open311 GeoReport v2 endpoints, each in XML and JSON, with the spec's errors.

Every endpoint is rate limited by `api.middleware` (`API_RATE_LIMIT`), checks `jurisdiction_id` when the council sets
`OPEN311_JURISDICTION_ID`, and answers an api_key that is sent with 403 unless it is a live
Open311 client key. Any refusal is an `<errors>` document (a JSON array) with the HTTP
status as each error's code; nothing a client sends gives a 500.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from api import keys
from api.catalogue import live_form, live_forms
from api.models import Open311Client
from backoffice.casework import CaseworkError, add_citizen_update
from backoffice.models import Channel

from . import feeds
from .errors import Open311Error, field_error
from .intake import answers_from_post, media_urls, store_request
from .mapping import version_mapping
from .params import comma_list, parse_w3c_datetime, request_language, search_window
from .render import FORMATS, Document, render

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
UPDATE_STATUS_WORDS = {
    "open",
    "closed",
    "fixed",
    "in_progress",
    "action_scheduled",
    "investigating",
    "duplicate",
    "not_councils_responsibility",
    "no_further_action",
    "internal_referral",
    "reopen",
}
MAX_UPDATE_LENGTH = 5000


def open311_endpoint(*methods: str, jurisdiction: bool = True) -> Callable:
    """Wrap a view `view(request, params, client, **kwargs) -> Document` with the spec's common rules."""

    def decorator(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def endpoint(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            fmt = fmt.lower()
            try:
                if fmt not in FORMATS:
                    raise Open311Error.not_found(gettext("Use the format .xml or .json."))
                if request.method not in methods:
                    raise Open311Error(
                        405,
                        gettext("Use %(methods)s.") % {"methods": " or ".join(methods)},
                        headers={"Allow": ", ".join(methods)},
                    )
                params = _params(request)
                if jurisdiction:
                    _check_jurisdiction(params.get("jurisdiction_id"))
                client = _client(params.get("api_key"))
                document = view(request, params, client, **kwargs)
            except Open311Error as error:
                response = error_response(error, fmt)
                for header, value in error.headers.items():
                    response[header] = value
                return response
            return render(document, fmt)

        return endpoint

    return decorator


def error_response(error: Open311Error, fmt: str) -> HttpResponse:
    """The spec's error document for `error`."""
    errors = [{"code": item.code, "description": item.description} for item in error.errors]
    return render(Document("errors", errors), fmt if fmt in FORMATS else "xml", status=error.status)


def _params(request: HttpRequest):
    """The request's parameters: the query string for GET, the form body (urlencoded or multipart) for POST."""
    if request.method != "POST":
        return request.GET
    try:
        params, files = request.POST, request.FILES
    except (RequestDataTooBig, TooManyFieldsSent):
        raise Open311Error(413, gettext("The request is too large.")) from None
    except (MultiPartParserError, UnreadablePostError, SuspiciousOperation, BadRequest):
        raise Open311Error.bad_input(
            gettext("Send the fields as application/x-www-form-urlencoded or multipart/form-data.")
        ) from None
    if files:  # GeoReport v2 sends media as links; a file sent anyway is never stored
        raise Open311Error.bad_input(gettext("Send media as media_url links: files are not accepted."))
    return params


def _check_jurisdiction(given: str | None) -> None:
    expected = getattr(settings, "OPEN311_JURISDICTION_ID", "")
    if expected and (given or "").strip().lower() != expected.lower():
        raise Open311Error.bad_input(
            field_error("jurisdiction_id", gettext("Send jurisdiction_id=%(id)s.") % {"id": expected})
        )


def _client(api_key: str | None) -> Open311Client | None:
    """The live client of the api_key sent (None when none is sent); 403 for a bad or revoked key."""
    if not api_key:
        return None
    client = keys.authenticate(Open311Client, api_key)
    if client is None:
        raise Open311Error.forbidden()
    return client


def _require(client: Open311Client | None) -> Open311Client:
    """The client, where creating something needs one: 403 when no api_key was sent."""
    if client is None:
        raise Open311Error.forbidden()
    return client


def _form_or_404(code: str):
    form = live_form(code)
    mapping = version_mapping(form.version) if form else None
    if mapping is None or not mapping.offered:
        raise Open311Error.not_found(
            field_error("service_code", gettext("There is no service “%(code)s”.") % {"code": code})
        )
    return form, mapping


# --- discovery and services ---------------------------------------------------------------


@open311_endpoint("GET", jurisdiction=False)
def discovery(request, params, client) -> Document:
    """Where the GeoReport v2 endpoint is and what it speaks."""
    changeset = timezone.now().replace(microsecond=0, second=0, minute=0, hour=0).isoformat()
    return Document(
        "discovery",
        {
            "changeset": changeset,
            "contact": gettext("%(council)s, web team") % {"council": settings.COUNCIL_NAME},
            "key_service": request.build_absolute_uri("/admin/"),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": request.build_absolute_uri("/open311/v2/"),
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@open311_endpoint("GET")
def services(request, params, client) -> Document:
    """Every live e-form that can be answered through Open311."""
    forms = [form for form in live_forms() if version_mapping(form.version).offered]
    categories = feeds.category_titles(forms)
    return Document("services", [feeds.service_item(form, categories[form.service.path]) for form in forms])


@open311_endpoint("GET")
def service_definition(request, params, client, code: str) -> Document:
    """One service's attributes."""
    form, mapping = _form_or_404(code)
    return Document("service_definition", feeds.service_definition(form, mapping))


# --- requests ----------------------------------------------------------------------------


@open311_endpoint("GET", "POST")
def requests(request, params, client) -> Document:
    """GET: search requests. POST: create one (an Open311 client key is needed)."""
    if request.method == "POST":
        return create_request(request, params, _require(client))
    statuses = [status.lower() for status in comma_list("status", params.get("status"))]
    if set(statuses) - {"open", "closed"}:
        raise Open311Error.bad_input(field_error("status", gettext("Use open, closed or both.")))
    found = feeds.search_requests(
        references=comma_list("service_request_id", params.get("service_request_id")),
        service_codes=comma_list("service_code", params.get("service_code")),
        statuses=statuses,
        window=search_window(params.get("start_date"), params.get("end_date")),
    )
    return Document("service_requests", [feeds.request_item(item) for item in found])


def create_request(request: HttpRequest, params, client: Open311Client) -> Document:
    """Enter a request for `service_code` through the intake, in the resident's language; answer with its reference."""
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Open311Error.bad_input(field_error("service_code", gettext("Send the service_code.")))
    language = request_language(params.get("locale"), request.headers.get("Accept-Language"))
    form, mapping = _form_or_404(code)
    stored = store_request(form, mapping, answers_from_post(mapping, params), language=language)
    return Document(
        "service_requests",
        [
            {
                "service_request_id": stored.display_reference,
                "service_notice": feeds.service_notice(form),
                "account_id": (params.get("account_id") or "").strip() or None,
            }
        ],
    )


@open311_endpoint("GET")
def request_detail(request, params, client, reference: str) -> Document:
    """One request made through Open311."""
    return Document("service_requests", [feeds.request_item(_request_or_404(reference))])


@open311_endpoint("GET")
def token(request, params, client, token: str) -> Document:
    """The request a token became: requests are stored at once, so each token is its request's reference."""
    return Document("service_requests", [feeds.token_item(_request_or_404(token, field="token"))])


def _request_or_404(reference: str, field: str = "service_request_id"):
    found = feeds.find_request(reference)
    if found is None:
        raise Open311Error.not_found(field_error(field, gettext("There is no request “%(id)s”.") % {"id": reference}))
    return found


# --- updates (FixMyStreet's servicerequestupdates extension) ----------------------------------


@open311_endpoint("GET", "POST")
def request_updates(request, params, client) -> Document:
    """GET: public updates (status changes, notes for the citizen). POST: a citizen's update (key needed)."""
    if request.method == "POST":
        return create_update(params, _require(client))
    window = search_window(params.get("start_date"), params.get("end_date"))
    return Document("service_request_updates", [feeds.update_item(event) for event in feeds.public_updates(window)])


def create_update(params, client: Open311Client) -> Document:
    """Add the citizen's update to the request's history for staff; answer with its update_id."""
    service_request = _request_or_404((params.get("service_request_id") or "").strip())
    description = (params.get("description") or "").strip()
    errors = []
    if not description:
        errors.append(field_error("description", gettext("Send the text of the update.")))
    elif len(description) > MAX_UPDATE_LENGTH:
        errors.append(
            field_error("description", gettext("Send at most %(count)s characters.") % {"count": MAX_UPDATE_LENGTH})
        )
    status = (params.get("status") or "").strip().lower()
    if status and status not in UPDATE_STATUS_WORDS:
        errors.append(field_error("status", gettext("Use open or closed.")))
    when = (params.get("updated_datetime") or "").strip()
    if errors:
        raise Open311Error.bad_input(*errors)
    written = parse_w3c_datetime("updated_datetime", when) if when else None
    lines = [description, *_update_details(params, client, status, written)]
    try:
        event = add_citizen_update(service_request, "\n".join(lines), channel=Channel.OPEN311, via=client.name)
    except CaseworkError as error:
        raise Open311Error.bad_input(field_error("description", str(error))) from None
    return Document("service_request_updates", [{"update_id": str(event.pk)}])


def _update_details(params, client: Open311Client, status: str, when) -> list[str]:
    """Lines staff read under a citizen's update: who wrote it, through which client, when, their status, media."""
    names = ((params.get("first_name") or "").strip(), (params.get("last_name") or "").strip())
    name = " ".join(part for part in names if part and part != "-")
    email = (params.get("email") or "").strip()
    sender = " ".join(part for part in (name, f"<{email}>" if email else "") if part)
    details = [gettext("From: %(who)s") % {"who": sender}] if sender else []
    details.append(gettext("Sent through: %(client)s") % {"client": client.name})
    if when:
        details.append(gettext("Written: %(when)s") % {"when": timezone.localtime(when).strftime("%d %b %Y %H:%M")})
    if status:
        details.append(gettext("Status given by the citizen: %(status)s") % {"status": status})
    details += [gettext("Media: %(url)s") % {"url": url} for url in media_urls(params)]
    return ["", *details]
