"""Settings → Sign-in lock-outs: see who is locked out of the admin, and unlock them.

For a service desk: superusers, or users given "Can see and lift sign-in lock-outs"
(`staff_accounts.unlock_accounts`) in Settings → Groups; anyone else is refused, to read or
to unlock (the admin sends them to the dashboard: "you do not have permission"). The page
lists every locked username and address when django-axes counts in the database; counted in
Redis (REDIS_URL) they cannot be listed, so the page looks a username or an address up.
Unlocking asks to confirm, then (POST) clears the count with django-axes's reset, writes the
audit log and says so; the second factor is left alone.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import unlocking
from .forms import LockoutForm
from .lockout import lockout_minutes

UNLOCK_ACCOUNTS = "staff_accounts.unlock_accounts"
ICON = "lock"
INDEX = "staff_accounts_lockouts"


def can_unlock(user) -> bool:
    """The service desk: superusers, or users given `staff_accounts.unlock_accounts`."""
    return user.is_active and user.has_perm(UNLOCK_ACCOUNTS)  # an active superuser has every permission


def looked_up(form: LockoutForm) -> list[unlocking.Lockout]:
    """What is counted now for the username and/or address of a valid form."""
    return [unlocking.look_up(kind, form.cleaned_data[kind]) for kind in unlocking.KINDS if form.cleaned_data[kind]]


class LockoutsMenuItem(MenuItem):
    """Settings → Sign-in lock-outs, for those who may unlock."""

    def is_shown(self, request) -> bool:
        return can_unlock(request.user)


class LockoutAdminView(WagtailAdminTemplateMixin, TemplateView):
    """Refuses anyone who may not unlock, whatever the method."""

    header_icon = ICON

    def dispatch(self, request, *args, **kwargs):
        if not can_unlock(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return []


class LockoutsView(LockoutAdminView):
    """The locked usernames and addresses (counted in the database), and a look-up of either."""

    template_name = "staff_accounts/admin/lockouts.html"
    page_title = _("Sign-in lock-outs")
    http_method_names = ["get"]

    def get_context_data(self, **kwargs):
        asked = set(unlocking.KINDS) & set(self.request.GET)
        form = LockoutForm(self.request.GET if asked else None)
        found = looked_up(form) if asked and form.is_valid() else []
        in_database = unlocking.counts_in_database()
        lockouts = unlocking.current_lockouts() if in_database else []
        usernames = {lockout.value for lockout in lockouts if lockout.kind == unlocking.USERNAME}
        accounts = get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True)
        return super().get_context_data(
            form=form,
            found=found,
            in_database=in_database,
            lockouts=lockouts,
            unknown=usernames - set(accounts),  # usernames counted that no account has: nothing to unlock
            failure_limit=settings.AXES_FAILURE_LIMIT,
            minutes=lockout_minutes(),
            **kwargs,
        )


class UnlockView(LockoutAdminView):
    """Asks to confirm (GET), then unlocks (POST) the username and/or address it is given."""

    template_name = "staff_accounts/admin/confirm_unlock.html"
    page_title = _("Unlock sign-in")
    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        form = LockoutForm(request.GET)
        if not form.is_valid():
            return self.refused(form)
        context = self.get_context_data(form=form, found=looked_up(form), index_url=reverse(INDEX))
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        form = LockoutForm(request.POST)
        if not form.is_valid():
            return self.refused(form)
        for lockout in unlocking.unlock(**form.cleaned_data, user=request.user):
            messages.success(request, unlocking.unlocked_message(lockout))
        return redirect(INDEX)

    def refused(self, form: LockoutForm):
        """Back to the list, saying what was wrong with the username or address."""
        messages.error(self.request, " ".join(form.messages()))
        return redirect(INDEX)
