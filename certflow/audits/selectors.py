"""Reads of audits. Visibility: CB roles spanning clients see every audit; an auditor the audits whose
team he is on (now or before); enterprise users their own enterprises' audits (decisions AU1)."""

from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Prefetch, QuerySet

from certflow.accounts.models import Membership
from certflow.accounts.roles import ROLES_SEEING_ALL_ENTERPRISES
from certflow.audits.models import Audit
from certflow.core.schemes.entities import Clause, Requirement, Scheme


def audits_for_user(user) -> QuerySet[Audit]:
    qs = Audit.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_cb_staff:
        if user.has_role(*ROLES_SEEING_ALL_ENTERPRISES):
            return qs
        return qs.filter(pk__in=user.audit_memberships.values("audit_id"))
    own = Membership.objects.filter(user=user, ended_at__isnull=True).values("enterprise_id")
    return qs.filter(enterprise_id__in=own)


# --- conduct: the checklist, its score, the nonconformities ---------------------------------------


@lru_cache(maxsize=32)
def _scheme(version_pk: int, sha256: str) -> Scheme:
    from certflow.core.schemes.models import SchemeVersion

    return SchemeVersion.objects.get(pk=version_pk).as_scheme()


def scheme_of(audit: Audit) -> Scheme:
    """The audit's scheme; a recorded version never changes (decisions S1), so it is parsed once per process."""
    return _scheme(audit.scheme_version_id, audit.scheme_version.sha256)


def checklist_stage(audit: Audit) -> str:
    """Which scheme stage's items the audit checks: surveillance audits their own subset."""
    from certflow.audits.domain import AuditType

    return "surveillance" if audit.audit_type == AuditType.SURVEILLANCE else "onsite_audit"


def audit_items(audit: Audit) -> tuple[Requirement, ...]:
    return scheme_of(audit).items_for_stage(checklist_stage(audit))


def conduct_detail(pk: int) -> Audit:
    """One audit with its team, findings (files, recorder), nonconformities (confirmation) and closing
    meeting, in a fixed number of queries."""
    from certflow.audits.models import AuditTeamMember, Finding
    from certflow.reviews.models import Nonconformity

    return (
        Audit.objects.select_related("enterprise", "application", "certificate", "scheme_version")
        .prefetch_related(
            Prefetch(
                "team",
                queryset=AuditTeamMember.objects.filter(removed_at__isnull=True).select_related("user"),
                to_attr="active_team",
            ),
            Prefetch("findings", queryset=Finding.objects.select_related("recorded_by").prefetch_related("files")),
            Prefetch(
                "nonconformities",
                queryset=Nonconformity.objects.select_related(
                    "confirmation__enterprise_user", "confirmation__recorded_by"
                ).order_by("number"),
            ),
            "sites",
        )
        .get(pk=pk)
    )


def closing_meeting_of(audit: Audit):
    from certflow.audits.models import ClosingMeeting

    return ClosingMeeting.objects.filter(audit=audit).select_related("recorded_by").first()


@dataclass(frozen=True)
class FindingRow:
    item: Requirement
    finding: object  # Finding | None
    points: object  # ItemPoints
    nonconformity: object  # reviews Nonconformity | None


@dataclass(frozen=True)
class FindingGroup:
    clause: Clause
    rows: list[FindingRow]


def findings_checklist(audit: Audit):
    """Every item the audit checks, grouped by clause, with its finding, points and nonconformity; and the
    running on-site score. `audit` comes from `conduct_detail` (everything prefetched)."""
    from certflow.audits.domain import onsite_score

    scheme = scheme_of(audit)
    stage = checklist_stage(audit)
    findings = {f.item_id: f for f in audit.findings.all()}
    ncs = {nc.item_id: nc for nc in audit.nonconformities.all()}
    items = scheme.items_for_stage(stage)
    score = onsite_score(
        [(item.id, item.weight) for item in items],
        {item_id: f.result for item_id, f in findings.items()},
        factor=scheme.grading.factor,
        max_score=scheme.grading.max_score,
    )
    points = {p.item_id: p for p in score.items}
    groups = []
    for clause in scheme.clauses:
        rows = [
            FindingRow(item, findings.get(item.id), points[item.id], ncs.get(item.id))
            for item in scheme.items_in_clause(clause.number)
            if item.checked_at(stage)
        ]
        if rows:
            groups.append(FindingGroup(clause, rows))
    return groups, score


# --- planning: the list, the hub page ------------------------------------------------------------


def _active_team():
    from certflow.audits.models import AuditTeamMember

    return Prefetch(
        "team",
        queryset=AuditTeamMember.objects.filter(removed_at__isnull=True).select_related("user").order_by("-role", "id"),
        to_attr="current_team",
    )


def audit_list(user, *, status: str = "", audit_type: str = "") -> QuerySet[Audit]:
    """The audits `user` may see, newest first, with enterprise, application and current team loaded
    (paginate the result: the team prefetch runs on the page only)."""
    qs = audits_for_user(user).select_related("enterprise", "application", "certificate")
    if status:
        qs = qs.filter(status=status)
    if audit_type:
        qs = qs.filter(audit_type=audit_type)
    return qs.prefetch_related(_active_team()).order_by("-created_at", "-id")


def planning_detail(pk: int) -> Audit:
    """One audit with the negotiation, current team, sites, schedule and notices, in a fixed number of queries."""
    from certflow.audits.models import AuditNotice, DateProposal, ScheduleSlot

    return (
        Audit.objects.select_related("enterprise", "application", "certificate", "scheme_version", "created_by")
        .prefetch_related(
            _active_team(),
            Prefetch(
                "proposals",
                queryset=DateProposal.objects.select_related("proposed_by", "responded_by").order_by(
                    "proposed_at", "id"
                ),
                to_attr="negotiation",
            ),
            "sites",
            Prefetch(
                "schedule",
                queryset=ScheduleSlot.objects.select_related("site", "auditor").order_by("day", "start", "id"),
                to_attr="slots",
            ),
            Prefetch("notices", queryset=AuditNotice.objects.select_related("sent_by"), to_attr="sent_notices"),
        )
        .get(pk=pk)
    )
