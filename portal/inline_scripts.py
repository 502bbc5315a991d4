"""The inline scripts the public templates need, and their Content-Security-Policy hashes.

GOV.UK Frontend's snippet must run at the top of <body>, before the page is drawn, so it is
inline. It is the same on every page, so the policy allows it by its SHA-256 hash rather
than a nonce: a nonce differs on each response, and a page carrying one could not be served
from the page cache (portal/page_cache.py). The template tag `govuk_frontend_supported_script`
renders this exact text, so the hash and the page cannot drift apart. (No Django import here:
the settings read it.)
"""

import base64
import hashlib

GOVUK_FRONTEND_SUPPORTED = (
    "document.body.className += ' js-enabled' + "
    "('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');"
)


def hash_source(script: str) -> str:
    """The CSP source expression ('sha256-…') that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


INLINE_SCRIPT_HASHES = (hash_source(GOVUK_FRONTEND_SUPPORTED),)
