"""Hold a signed-in account at the second-factor step until it has passed it.

After django-otp's `OTPMiddleware` (which tells whether this session passed a second factor):
an account that signed in with its password only
- is sent to the second-factor step (or to enrolment, when it has no device yet) from any
  admin page, with `next` set so it lands where it was going;
- is anonymous everywhere else (staff file links, previews, anything that reads
  `request.user` outside the admin), so a password alone reaches nothing a signed-out
  person could not.
The sign-in steps themselves (sign in, sign out, password reset, the admin's JavaScript
translations and icons, the second-factor and enrolment pages) are let through.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin

from . import second_factor

SIGN_IN_STEPS = frozenset(
    {
        "wagtailadmin_login",
        "wagtailadmin_logout",
        "wagtailadmin_password_reset",
        "wagtailadmin_password_reset_done",
        "wagtailadmin_password_reset_confirm",
        "wagtailadmin_password_reset_complete",
        "wagtailadmin_javascript_catalog",
        "wagtailadmin_sprite",  # the icons the sign-in pages show
        "staff_accounts_verify",
        "staff_accounts_enrol",
    }
)


def passed_second_factor(user) -> bool:
    """True when the session's user passed a second factor (django-otp's `is_verified`)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


class SecondFactorMiddleware(MiddlewareMixin):
    """Send a password-only session to the second factor in the admin; treat it as signed out elsewhere."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Without a session cookie nobody is signed in: leave the session unread, as the page cache needs.
        if not second_factor.is_required() or settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        user = request.user
        if not user.is_authenticated or passed_second_factor(user):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in SIGN_IN_STEPS:
            return None
        if not request.path.startswith(reverse("wagtailadmin_home")):
            request.user = AnonymousUser()
            return None
        step = "staff_accounts_verify" if second_factor.is_enrolled(user) else "staff_accounts_enrol"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
