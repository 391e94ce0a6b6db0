"""Who may see and change certificates (decisions C6).

404 for a certificate you may not see, with the same message as for one that does not exist; 403 for
one you may see but not change. The public verification needs no permission and shows only what the
certificate prints (public_views).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from certflow.accounts.permissions import NOT_FOUND
from certflow.certificates.domain import STATUS_ROLES
from certflow.certificates.models import Certificate
from certflow.certificates.selectors import certificates_for_user

ONLY_STATUS = (
    "只有审核方案管理人员或系统管理员可以变更证书状态 / "
    "only a programme manager or an administrator may change a certificate's status"
)
ONLY_EXPORT = "只有认证机构人员可以导出证书 / only CB staff may export certificates"


def may_change_status(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_cb_staff and user.has_role(*STATUS_ROLES)


def may_export(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_cb_staff and user.sees_all_enterprises


def get_certificate_for_user(user, pk, *, write: bool = False) -> Certificate:
    try:
        certificate = certificates_for_user(user).select_related("enterprise", "supersedes").get(pk=pk)
    except (Certificate.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if write and not may_change_status(user):
        raise PermissionDenied(ONLY_STATUS)
    return certificate


def check_export(user) -> None:
    if not may_export(user):
        raise PermissionDenied(ONLY_EXPORT)
