"""Access helpers: 404 for what a user may not see, 403 for what they may see but not change.

"The error message is the same for objects you can't access and objects that don't exist."
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from certflow.accounts.models import Enterprise, Membership
from certflow.accounts.roles import MembershipRole, StaffRole
from certflow.accounts.selectors import enterprises_for_user

NOT_FOUND = "未找到，或您无权查看 / not found, or you may not see it"


def acts_for_an_enterprise(user) -> bool:
    """An enterprise user with a current membership: the checks made before a body naming the enterprise's
    record is read (decisions LG11)."""
    return bool(
        user.is_authenticated and not user.is_cb_staff and user.memberships.filter(ended_at__isnull=True).exists()
    )


def can_manage_enterprise(user, enterprise: Enterprise) -> bool:
    if user.has_role(StaffRole.ADMINISTRATOR, StaffRole.ACCEPTANCE_CLERK):
        return True
    return Membership.objects.filter(
        enterprise=enterprise, user=user, ended_at__isnull=True, role=MembershipRole.ADMIN
    ).exists()


def get_enterprise_for_user(user, pk, *, write: bool = False) -> Enterprise:
    try:
        enterprise = enterprises_for_user(user).get(pk=pk)
    except (Enterprise.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if write and not can_manage_enterprise(user, enterprise):
        raise PermissionDenied("您无权修改该企业信息 / you may not change this enterprise")
    return enterprise
