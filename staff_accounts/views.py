"""The second-factor steps of a staff sign-in, in the admin's look.

- `verify`: after the password, a code from the authenticator app or a recovery code. A wrong
  code counts as a failed sign-in for the lock-out (django-axes); at the limit the person is
  signed out and sees the lock-out page.
- `enrol`: an account with no second factor yet sets one up (QR code or typed secret), proves
  it with a code, and gets its recovery codes. Only an account with no confirmed device may
  enrol: a password alone never adds a device to an account that has one.
- `recovery_codes`: a verified user replaces their recovery codes.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from . import second_factor
from .forms import AppCodeForm, SignInCodeForm
from .lockout import locked_out_response
from .signin_log import log_event


def next_url(request) -> str:
    """Where to go after this step: the `next` the sign-in was given, if it is on this site; else the dashboard."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("wagtailadmin_home")


def with_next(url_name: str, request) -> str:
    """The URL of another sign-in step, passing `next` on."""
    return f"{reverse(url_name)}?{urlencode({'next': next_url(request)})}"


def is_locked_out(request) -> bool:
    """True when django-axes refuses this account or address now."""
    return not AxesProxyHandler.is_allowed(request, {"username": request.user.get_username()})


def sign_out_locked(request):
    """End the half-finished sign-in and show the lock-out page."""
    logout(request)
    return locked_out_response(request)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def verify(request):
    """Ask for the second factor of an enrolled account."""
    user = request.user
    if user.is_verified():
        return redirect(next_url(request))
    if not second_factor.is_enrolled(user):
        return redirect(with_next("staff_accounts_enrol", request))
    form = SignInCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if is_locked_out(request):
            return sign_out_locked(request)
        if form.is_valid():
            device = second_factor.verify_code(user, form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                log_event(
                    "staff passed the second factor", logging.INFO, request, user.get_username(), device=device.name
                )
                if isinstance(device, StaticDevice):
                    left = second_factor.recovery_codes_left(user)
                    messages.warning(
                        request,
                        ngettext(
                            "You used a recovery code. You have %(count)d left: make new ones in Account.",
                            "You used a recovery code. You have %(count)d left: make new ones in Account.",
                            left,
                        )
                        % {"count": left},
                    )
                return redirect(next_url(request))
            form.add_error(
                "code",
                _(
                    "That code is not right, or has been used already. Enter the code your app shows now "
                    "(check the time on your phone is right), or an unused recovery code."
                ),
            )
            user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
            if getattr(request, "axes_locked_out", False):
                return sign_out_locked(request)
    return render(request, "staff_accounts/verify.html", {"form": form, "next": next_url(request)})


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Set up an authenticator app for an account that has no second factor yet."""
    user = request.user
    if second_factor.is_enrolled(user):
        return redirect(next_url(request) if user.is_verified() else with_next("staff_accounts_verify", request))
    device = second_factor.pending_app_device(user)
    form = AppCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = second_factor.confirm_app_device(device)
            otp_login(request, device)
            log_event("staff set up a second factor", logging.INFO, request, user.get_username())
            return render(request, "staff_accounts/recovery_codes.html", {"codes": codes, "next": next_url(request)})
        form.add_error(
            "code",
            _(
                "That code is not right. Enter the 6-digit code the app shows now, and check the time on your "
                "phone is set automatically."
            ),
        )
    context = {
        "form": form,
        "next": next_url(request),
        "qr_code": second_factor.qr_code_svg(device, _("QR code to scan with your authenticator app")),
        "secret": second_factor.secret_for_people(device),
    }
    return render(request, "staff_accounts/enrol.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """How many recovery codes are left; a POST replaces them with new ones and shows them once."""
    if request.method == "POST":
        codes = second_factor.new_recovery_codes(request.user)
        log_event("staff made new recovery codes", logging.INFO, request, request.user.get_username())
        return render(
            request, "staff_accounts/recovery_codes.html", {"codes": codes, "next": reverse("wagtailadmin_account")}
        )
    context = {"left": second_factor.recovery_codes_left(request.user), "page_title": _("Recovery codes")}
    return render(request, "staff_accounts/recovery_codes_left.html", context)
