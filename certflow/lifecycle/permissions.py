"""Who may import legacy certificates, read the transition reports and run the complaint register (L6, L9).

404 for a case one may not see (the same as for none), 403 for an action one may not take.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from certflow.accounts.permissions import NOT_FOUND, acts_for_an_enterprise
from certflow.certificates.domain import ISSUER_ROLES
from certflow.core.rules import RuleViolation
from certflow.lifecycle.domain import CASE_ROLES
from certflow.lifecycle.models import Case

ONLY_IMPORT = (
    "只有技术委员会委员、审核方案管理人员或系统管理员可以导入旧版证书 / "
    "only a committee member, a programme manager or an administrator may import legacy certificates"
)
ONLY_CASES = (
    "只有审核方案管理人员或系统管理员可以处理投诉与申诉 / only a programme manager or an administrator may handle cases"
)
ONLY_REPORTS = "只有认证机构人员可以查看此报表 / only CB staff may read this report"


def _staff_with(user, roles) -> bool:
    if not (user and user.is_authenticated and user.is_active and user.is_cb_staff):
        return False
    user.__dict__.pop("roles", None)  # a grant revoked a moment ago must count
    return bool(user.roles & roles)


def may_import_legacy(user) -> bool:
    # The same roles that issue certificates (decisions C6): recording a legacy one is an issue of record.
    return _staff_with(user, ISSUER_ROLES)


def guard_legacy_importer(user) -> None:
    if not may_import_legacy(user):
        raise RuleViolation(ONLY_IMPORT.split(" / ")[0], ONLY_IMPORT.split(" / ")[1], "not_allowed")


def check_legacy_importer(user) -> None:
    if not may_import_legacy(user):
        raise PermissionDenied(ONLY_IMPORT)


def may_read_reports(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_cb_staff and user.sees_all_enterprises)


def check_reports(user) -> None:
    if not may_read_reports(user):
        raise PermissionDenied(ONLY_REPORTS)


def may_handle_cases(user) -> bool:
    return _staff_with(user, CASE_ROLES)


def check_case_handler(user) -> None:
    if not may_handle_cases(user):
        raise PermissionDenied(ONLY_CASES)


def cases_for_user(user):
    """The register for its keepers; an enterprise user the appeals its own enterprise lodged."""
    if may_handle_cases(user):
        return Case.objects.all()
    if user.is_authenticated and user.is_active and not user.is_cb_staff:
        return Case.objects.filter(
            submitted_by__isnull=False,
            enterprise__memberships__user=user,
            enterprise__memberships__ended_at__isnull=True,
            kind="appeal",
        ).distinct()
    return Case.objects.none()


def get_case_for_user(user, pk, *, write: bool = False) -> Case:
    try:
        case = (
            cases_for_user(user)
            .select_related("enterprise", "certificate", "application", "handler", "decided_by", "submitted_by")
            .get(pk=pk)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if write:
        check_case_handler(user)
    return case


# --- change reports and major events (6 持续监督 2) ----------------------------------------------------

ONLY_CHANGES = (
    "只有审核方案管理人员或系统管理员可以评估变更和处理重大事件 / "
    "only a programme manager or an administrator may assess changes and handle major events"
)
ONLY_REPORTERS = (
    "只有证书持有企业的用户或审核方案管理人员可以报告 / "
    "only the certificate holder's users or a programme manager may report this"
)


def is_enterprise_member(user, enterprise_id: int) -> bool:
    if not (user and user.is_authenticated and user.is_active) or user.is_cb_staff:
        return False
    return user.memberships.filter(enterprise_id=enterprise_id, ended_at__isnull=True).exists()


def may_report_on(user, certificate) -> bool:
    return may_handle_cases(user) or is_enterprise_member(user, certificate.enterprise_id)


def check_reporter(user) -> None:
    """Before a body is read: only enterprise users and case handlers report changes and events (403)."""
    if not (acts_for_an_enterprise(user) or may_handle_cases(user)):
        raise PermissionDenied(ONLY_REPORTERS)


def guard_reporter(user, certificate) -> None:
    if not may_report_on(user, certificate):
        zh, en = ONLY_REPORTERS.split(" / ")
        raise RuleViolation(zh, en, "not_allowed")


def guard_change_handler(user) -> None:
    if not may_handle_cases(user):
        zh, en = ONLY_CHANGES.split(" / ")
        raise RuleViolation(zh, en, "not_allowed")


def _own_or_all(user, model):
    """The register for its keepers; an enterprise user its own enterprises' rows; other staff nothing."""
    if may_handle_cases(user):
        return model.objects.all()
    if user.is_authenticated and user.is_active and not user.is_cb_staff:
        return model.objects.filter(
            enterprise__memberships__user=user, enterprise__memberships__ended_at__isnull=True
        ).distinct()
    return model.objects.none()


def changes_for_user(user):
    from certflow.lifecycle.models import ChangeReport

    return _own_or_all(user, ChangeReport)


def events_for_user(user):
    from certflow.lifecycle.models import MajorEvent

    return _own_or_all(user, MajorEvent)


def check_register_reader(user) -> None:
    """CB staff other than the keepers have no business in these registers (403, not an empty list)."""
    if user.is_cb_staff and not may_handle_cases(user):
        raise PermissionDenied(ONLY_CHANGES)


def _get(rows, pk, user, write: bool):
    try:
        row = rows.select_related("certificate", "enterprise", "submitted_by").get(pk=pk)
    except (rows.model.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if write and not may_handle_cases(user):
        raise PermissionDenied(ONLY_CHANGES)
    return row


def get_change_for_user(user, pk, *, write: bool = False):
    return _get(changes_for_user(user), pk, user, write)


def get_event_for_user(user, pk, *, write: bool = False):
    return _get(events_for_user(user), pk, user, write)
