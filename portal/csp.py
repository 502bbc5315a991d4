"""Browser protections on every response: Content-Security-Policy, Permissions-Policy, CSP reports.

The policy (settings.CONTENT_SECURITY_POLICY) allows scripts only from this site, the GOV.UK
Frontend snippet by its hash, and inline scripts carrying this response's nonce; never
'unsafe-inline' or 'unsafe-eval' scripts. `frame-ancestors 'none'` stops any site framing a
page. Under the admin (/admin/) `CSP_ADMIN_REPLACE` replaces a few directives: Wagtail's
admin sets inline styles, shows image previews from data: and blob: URLs, and frames its own
page previews, so there (and on those previews) `style-src` allows inline styles, `img-src`
those schemes and `frame-ancestors` this site only. Scripts stay as strict there.

A few Wagtail admin templates carry an inline script (date pickers, inline panels); the
copies in portal/templates/wagtailadmin/ add `{% csp_nonce_attribute %}`, which reads the
nonce of the request being answered (`current_nonce`), since widgets render without one.
Wagtail's chooser widgets (page, image, document, snippet) write theirs in Python:
`nonce_wagtail_choosers` gives `BaseChooser.render` the nonce too, and escapes `</` in the
script, so a title such as `</script><script>…` cannot end it early.

Browsers report violations to `/csp-report/` (`csp_report`), which logs them (WARNING,
without query strings) so a policy that breaks a page shows in the logs.
"""

from __future__ import annotations

import contextvars
import json
import logging
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.ratelimit import client_address, over_limit

logger = logging.getLogger("portal.csp")

PERMISSIONS_POLICY_HEADER = "Permissions-Policy"
REPORT_MAX_BYTES = 16 * 1024
REPORT_RATE_LIMIT = (60, 60)  # reports per address per minute that are logged
REPORT_FIELDS = (
    "violated-directive",
    "effective-directive",
    "blocked-uri",
    "document-uri",
    "source-file",
    "line-number",
)

current_nonce: contextvars.ContextVar = contextvars.ContextVar("csp_nonce", default=None)


def nonce_attribute() -> str:
    """` nonce="…"` with the nonce of the response being made (empty outside a request)."""
    nonce = current_nonce.get()
    return format_html(' nonce="{}"', nonce) if nonce is not None else ""


def render_chooser_with_nonce(self, name, value, attrs=None, renderer=None):
    """`BaseChooser.render` of Wagtail 8, with the nonce on its inline script and `</` escaped in it."""
    try:
        id_ = attrs["id"]
    except (KeyError, TypeError) as error:
        raise TypeError("BaseChooser cannot be rendered without an 'id' attribute") from error
    value_data = self.get_value_data(value)
    widget_html = self.render_html(name, value_data, attrs)
    js = self.render_js_init(id_, name, value_data).replace("</", "<\\/").replace("<!--", "<\\!--")
    return format_html("{}<script{}>{}</script>", widget_html, nonce_attribute(), mark_safe(js))  # noqa: S308  # nosec B308 B703 (Wagtail's own init script, </ escaped)


def nonce_wagtail_choosers() -> None:
    """Give Wagtail's chooser widgets' inline scripts the response's nonce (PortalConfig.ready)."""
    from wagtail.admin.widgets.chooser import BaseChooser

    BaseChooser.render = render_chooser_with_nonce


def is_admin_response(request: HttpRequest) -> bool:
    """An admin page, or a page preview (Wagtail renders it with a request for the page's own URL)."""
    return request.path_info.startswith(settings.CSP_ADMIN_PATH) or getattr(request, "is_preview", False)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's replacements and a Permissions-Policy header.

    Goes after the page cache middleware, so a page the cache stores already has its headers
    (and the cache can see whether it used a nonce).
    """

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request._csp_nonce_token = current_nonce.set(request.csp_nonce)

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        token = getattr(request, "_csp_nonce_token", None)
        if token is not None:
            current_nonce.reset(token)
        if 300 <= response.status_code < 400:  # a redirect renders no document: nothing for a policy to govern
            return response
        response = super().process_response(request, response)
        if PERMISSIONS_POLICY_HEADER not in response:
            response[PERMISSIONS_POLICY_HEADER] = settings.PERMISSIONS_POLICY
        return response

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and is_admin_response(request):
            parts.replace = {**settings.CSP_ADMIN_REPLACE, **(parts.replace or {})}
        return parts


def without_query(uri: object) -> str:
    """A reported URI without its query string or fragment (they may hold a resident's search or data)."""
    text = str(uri or "")
    if "://" not in text:
        return text[:200]
    parts = urlsplit(text)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"[:200]


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log a browser's CSP violation report (`report-uri`); always 204, whatever was sent."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    if over_limit("csp-report", client_address(request), *REPORT_RATE_LIMIT):
        return HttpResponse(status=204)
    try:
        report = json.loads(request.body or b"{}").get("csp-report", {})
    except (ValueError, AttributeError):
        report = None
    if not isinstance(report, dict) or not report:
        return HttpResponse(status=204)
    fields = {name.replace("-", "_"): without_query(report.get(name)) for name in REPORT_FIELDS}
    logger.warning("content security policy violation", extra=fields)
    return HttpResponse(status=204)
