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
        return (
            audits_for_user(user)
            .select_related("enterprise", "application", "certificate", "scheme_version")
            .get(pk=pk)
        )
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


def check_on_a_team(user) -> None:
    """Before the body is read: a caller on no current audit team may record nothing on any audit (403)."""
    on_a_team = (
        user.is_authenticated and user.is_cb_staff and user.audit_memberships.filter(removed_at__isnull=True).exists()
    )
    if not on_a_team:
        raise PermissionDenied(ONLY_TEAM)


def check_planner(user) -> None:
    if not may_plan(user):
        raise PermissionDenied(ONLY_PLANNER)


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


# --- planning additions --------------------------------------------------------------------------


def get_application_for_planner(user, pk):
    """An application the user may see, for opening its on-site audit: programme managers only."""
    from certflow.applications.permissions import get_application_for_user

    application = get_application_for_user(user, pk)
    if not may_plan(user):
        raise PermissionDenied(ONLY_PLANNER)
    return application


def get_notice_for_user(user, audit_pk, notice_pk):
    """A sent notice of an audit the user may see (enterprise, team, CB roles spanning clients)."""
    from certflow.audits.models import AuditNotice

    audit = get_audit_for_user(user, audit_pk)
    try:
        return AuditNotice.objects.select_related("audit").get(pk=notice_pk, audit=audit)
    except (AuditNotice.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


# --- conduct: findings, evidence, nonconformities -------------------------------------------------


def may_see_findings(user, audit: Audit) -> bool:
    """The checklist is the team's working paper until the closing meeting; then the enterprise sees it with
    the report (decisions R6, AC3). CB staff who may see the audit see it at once."""
    from certflow.audits.domain import FINDINGS_PUBLIC

    return user.is_cb_staff or audit.status in FINDINGS_PUBLIC


def get_finding_file_for_user(user, audit_pk, file_pk):
    from certflow.audits.models import FindingFile

    audit = get_audit_for_user(user, audit_pk)
    if not may_see_findings(user, audit):
        raise Http404(NOT_FOUND)
    try:
        return FindingFile.objects.get(pk=file_pk, finding__audit=audit)
    except (FindingFile.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def get_audit_nonconformity(audit: Audit, pk):
    """One of this audit's nonconformities (the audit itself already checked for the user)."""
    from certflow.reviews.models import Nonconformity

    try:
        return Nonconformity.objects.select_related("application").get(pk=pk, audit=audit)
    except (Nonconformity.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def get_audit_for_confirmer(user, pk) -> Audit:
    """Who may record a nonconformity's confirmation: the audited enterprise's users, or the audit team."""
    audit = get_audit_for_user(user, pk)
    if not (is_enterprise_user(user, audit) or team_role(user, audit) is not None):
        raise PermissionDenied(ONLY_ENTERPRISE)
    return audit
