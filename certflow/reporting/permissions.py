"""Who may read and generate the monthly report: CB staff whose work spans every enterprise
(programme managers, administrators, clerks, committee members; decisions F3). The report names every
client, so an enterprise user gets 404 (the page does not exist for him); CB staff who see only their
own assignments (auditors) get 403 (decisions MR9)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from certflow.accounts.permissions import NOT_FOUND

ONLY_CB = (
    "只有可查看全部企业的认证机构人员可以生成监管报送数据 / "
    "only CB staff who see every enterprise may produce the regulator's report"
)


def may_report(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_cb_staff and user.sees_all_enterprises


def check_report(user) -> None:
    if not (user.is_authenticated and user.is_cb_staff):
        raise Http404(NOT_FOUND)
    if not may_report(user):
        raise PermissionDenied(ONLY_CB)
