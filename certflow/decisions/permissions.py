"""Who may see and do what on a certification decision (decisions-ui DU1).

- programme managers and administrators (the runners): every decision and the queue; they open,
  seat members, conclude;
- technical committee members: the queue (read-only) and the decisions they sit on; they record
  their own opinion;
- the enterprise's own users: their decided decisions only, as the enterprise view (outcome, reasons,
  notice; never the members or their opinions);
- everyone else (auditors, other enterprises): 404, the same answer as for a decision that does not exist.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from certflow.accounts.permissions import NOT_FOUND
from certflow.decisions.domain import MEMBER_ROLE, RUNNER_ROLES, DecisionStatus
from certflow.decisions.models import Decision

ONLY_RUNNERS = (
    "只有审核方案管理人员或系统管理员可以组织认证决定 / "
    "only a programme manager or an administrator may run a certification decision"
)
ONLY_MEMBER = "您不是本次认证决定的委员 / you do not sit on this decision"
ONLY_HOLDER = "只有申请企业的用户可以重新申请 / only the enterprise's users may apply again"


def is_runner(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_cb_staff and bool(user.roles & RUNNER_ROLES)


def is_committee(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_cb_staff and MEMBER_ROLE in user.roles


def may_see_queue(user) -> bool:
    return is_runner(user) or is_committee(user)


def decisions_for_user(user) -> QuerySet[Decision]:
    if not (user.is_authenticated and user.is_active):
        return Decision.objects.none()
    if is_runner(user):
        return Decision.objects.all()
    if user.is_cb_staff:
        if not is_committee(user):
            return Decision.objects.none()
        return Decision.objects.filter(members__user=user, members__removed_at__isnull=True).distinct()
    return Decision.objects.filter(
        Q(enterprise__memberships__user=user, enterprise__memberships__ended_at__isnull=True),
        ~Q(status=DecisionStatus.OPEN),
    ).distinct()


def sees_inside(user) -> bool:
    """Staff who may see the committee's work (members, opinions, candidates). The enterprise may not."""
    return user.is_cb_staff


def get_decision_for_user(user, pk, *, run: bool = False) -> Decision:
    try:
        decision = (
            decisions_for_user(user)
            .select_related("application__scheme_version", "enterprise", "certificate", "opened_by", "decided_by")
            .get(pk=pk)
        )
    except (Decision.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if run and not is_runner(user):
        raise PermissionDenied(ONLY_RUNNERS)
    return decision


def check_member(user, decision: Decision) -> None:
    """Before the vote is read: only a seated member votes (403 for others who may see the decision)."""
    seated = decision.members.filter(user_id=user.pk, removed_at__isnull=True).exists()
    if not seated:
        raise PermissionDenied(ONLY_MEMBER)


def check_holder(user) -> None:
    if user.is_cb_staff:
        raise PermissionDenied(ONLY_HOLDER)


def check_runner(user) -> None:
    if not is_runner(user):
        raise PermissionDenied(ONLY_RUNNERS)


def check_queue(user) -> None:
    """The queue names enterprises waiting for a decision: staff of the decision only, else 404."""
    if not may_see_queue(user):
        raise Http404(NOT_FOUND)
