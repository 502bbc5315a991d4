"""Who may see and work which requests: staff see the queues their groups are given, superusers all.

Every staff view reads requests through `visible_requests`, so a request outside the
user's queues is simply not found (404), whether it is listed, opened, changed or guessed.
"""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from ..models import Queue, ServiceRequest

MANAGE_DELIVERIES = "backoffice.manage_deliveries"
HANDLE_SUBJECT_RIGHTS = "backoffice.handle_subject_rights"
SUBMIT_ON_BEHALF = "backoffice.submit_on_behalf"


def work_queues(user) -> QuerySet[Queue]:
    """The queues the user works: those given to one of their groups (every queue for a superuser)."""
    queues = Queue.objects.select_related("department")
    if user.is_superuser:
        return queues.all()
    if not user.is_authenticated or not user.is_active:
        return queues.none()
    return queues.filter(pk__in=Queue.objects.filter(staff_groups__user=user).values("pk"))


def visible_requests(user) -> QuerySet[ServiceRequest]:
    """The requests the user may see and work (never requests outside their queues)."""
    requests = ServiceRequest.objects.select_related("service", "queue__department", "assignee", "entered_by")
    if user.is_superuser:
        return requests.all()
    return requests.filter(queue__in=work_queues(user).values("pk"))


def can_work_requests(user) -> bool:
    """True for superusers and for members of at least one queue's staff groups."""
    return user.is_active and (user.is_superuser or work_queues(user).exists())


def queue_staff(queue: Queue | None) -> QuerySet:
    """Active members of the queue's staff groups: the people a request in it can be assigned to."""
    users = get_user_model().objects.filter(is_active=True)
    if queue is None:
        return users.none()
    return users.filter(groups__in=queue.staff_groups.all()).distinct().order_by("first_name", "last_name", "username")


def can_manage_deliveries(user) -> bool:
    """Web-team admins: superusers, or users given the `backoffice.manage_deliveries` permission."""
    return user.is_active and (user.is_superuser or user.has_perm(MANAGE_DELIVERIES))


def can_handle_subject_rights(user) -> bool:
    """The information-governance team: superusers, or users given `backoffice.handle_subject_rights`."""
    return user.is_active and (user.is_superuser or user.has_perm(HANDLE_SUBJECT_RIGHTS))


def can_submit_on_behalf(user) -> bool:
    """Contact-centre agents: superusers, or users given `backoffice.submit_on_behalf` (assisted digital)."""
    return user.is_active and (user.is_superuser or user.has_perm(SUBMIT_ON_BEHALF))


def user_display_name(user) -> str:
    """A member of staff as the admin shows them: full name, or username."""
    if user is None:
        return ""
    return (user.get_full_name() or "").strip() or user.get_username()
