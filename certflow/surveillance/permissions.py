"""Who may see and do what in the surveillance programme. 404 for a certificate you may not see; 403 for a
page you may not reach (the dashboard) or an action you may not take (planning)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from certflow.accounts.permissions import NOT_FOUND
from certflow.accounts.roles import StaffRole
from certflow.certificates.models import Certificate
from certflow.certificates.selectors import certificates_for_user

ONLY_STAFF = (
    "持续监督方案仅供审核方案管理人员和认证机构管理人员查看 / "
    "the surveillance programme is for programme managers and CB staff who see every enterprise"
)
ONLY_PLANNER = "只有审核方案管理人员可以安排监督审核 / only a programme manager may plan surveillance audits"


def may_see_programme(user) -> bool:
    """Programme managers and administrators work with it; other staff spanning clients read it."""
    return user.is_authenticated and user.is_active and user.is_cb_staff and user.sees_all_enterprises


def may_plan(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_cb_staff and user.has_role(StaffRole.PROGRAMME_MANAGER)


def check_programme(user) -> None:
    if not may_see_programme(user):
        raise PermissionDenied(ONLY_STAFF)


def get_certificate_for_user(user, pk, *, plan: bool = False) -> Certificate:
    """A certificate's programme: staff spanning clients and the enterprise's own users (404 for others)."""
    try:
        certificate = (
            certificates_for_user(user).select_related("enterprise", "scheme_version", "application").get(pk=pk)
        )
    except (Certificate.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if plan and not may_plan(user):
        raise PermissionDenied(ONLY_PLANNER)
    return certificate
