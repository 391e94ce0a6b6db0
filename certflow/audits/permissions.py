"""Who may see and do what in an audit. 404 for what you may not see (the same answer as for what does
not exist); 403 for what you may see but not do."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from certflow.accounts.permissions import NOT_FOUND
from certflow.accounts.roles import StaffRole
from certflow.audits.models import Audit, TeamRole
from certflow.audits.selectors import audits_for_user

ONLY_PLANNER = "只有审核方案管理人员可以策划审核 / only a programme manager may plan audits"
ONLY_TEAM = "只有本次审核的审核组成员可以进行此操作 / only a member of this audit team may do this"
ONLY_LEAD = "只有本次审核的审核组长可以进行此操作 / only this audit's lead auditor may do this"
ONLY_ENTERPRISE = "只有受审核企业的用户可以进行此操作 / only the audited enterprise's users may do this"


def get_audit_for_user(user, pk) -> Audit:
    try:
        return audits_for_user(user).select_related("enterprise", "application", "scheme_version").get(pk=pk)
    except (Audit.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def may_plan(user) -> bool:
    return user.is_authenticated and user.is_cb_staff and user.has_role(StaffRole.PROGRAMME_MANAGER)


def team_role(user, audit: Audit) -> str | None:
    """The user's current role on the audit team, or None."""
    return (
        audit.team.filter(user_id=user.pk, removed_at__isnull=True).values_list("role", flat=True).first()
        if user.is_authenticated and user.is_cb_staff
        else None
    )


def is_enterprise_user(user, audit: Audit) -> bool:
    return (
        user.is_authenticated
        and not user.is_cb_staff
        and user.memberships.filter(enterprise_id=audit.enterprise_id, ended_at__isnull=True).exists()
    )


def get_audit_for_planner(user, pk) -> Audit:
    audit = get_audit_for_user(user, pk)
    if not may_plan(user):
        raise PermissionDenied(ONLY_PLANNER)
    return audit


def get_audit_for_team(user, pk) -> Audit:
    audit = get_audit_for_user(user, pk)
    if team_role(user, audit) is None:
        raise PermissionDenied(ONLY_TEAM)
    return audit


def get_audit_for_lead(user, pk) -> Audit:
    audit = get_audit_for_user(user, pk)
    if team_role(user, audit) != TeamRole.LEAD_AUDITOR:
        raise PermissionDenied(ONLY_LEAD)
    return audit


def get_audit_for_enterprise(user, pk) -> Audit:
    audit = get_audit_for_user(user, pk)
    if not is_enterprise_user(user, audit):
        raise PermissionDenied(ONLY_ENTERPRISE)
    return audit
