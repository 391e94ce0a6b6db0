"""Reads of the certification decision for the pages, the API and the PDFs.

The dossier is shown from one shape whatever the state: while the decision is open it is the snapshot of
the records as they stand now (dossier.snapshot of dossier.dossier_for); once decided it is the snapshot
frozen into the decision, so the page shows what the committee saw, not what the records say later.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from certflow.accounts.models import RoleGrant, User
from certflow.applications.domain import ApplicationStatus
from certflow.applications.models import Application
from certflow.audits.domain import AuditStatus, AuditType
from certflow.audits.models import AuditTeamMember
from certflow.decisions import domain, dossier, services
from certflow.decisions.domain import DecisionStatus, Vote
from certflow.decisions.models import CommitteeMember, Decision
from certflow.reviews.domain import NonconformityGrade, NonconformityStage, NonconformityState, ReviewStatus
from certflow.reviews.models import Nonconformity

CORRECTIONS = (ApplicationStatus.DOCUMENT_CORRECTIONS, ApplicationStatus.ONSITE_CORRECTIONS)


# --- lists ----------------------------------------------------------------------------------------


def ready_applications(today: date) -> QuerySet[Application]:
    """Applications that may go to a decision and have none: both stages passed, or in corrections with a
    deadline passed unmet (domain.guard_open; the same test as dossier.overdue_nonconformities)."""
    overdue = Nonconformity.objects.filter(application=OuterRef("pk"), due_date__lt=today).exclude(
        state__in=("verified", "plan_accepted")
    )
    return (
        Application.objects.annotate(
            overdue=Exists(overdue), decided=Exists(Decision.objects.filter(application=OuterRef("pk")))
        )
        .filter(Q(status=ApplicationStatus.ONSITE_AUDIT_PASSED) | Q(status__in=CORRECTIONS, overdue=True))
        .filter(decided=False)
        .select_related("enterprise", "scheme_version")
        .order_by("updated_at", "id")
    )


def decision_list(decisions: QuerySet[Decision], *, status: str = "") -> QuerySet[Decision]:
    if status:
        decisions = decisions.filter(status=status)
    return (
        decisions.select_related("application", "enterprise", "certificate")
        .annotate(
            seats=Count("members", filter=Q(members__removed_at__isnull=True), distinct=True),
            votes=Count("opinions", filter=Q(opinions__member__removed_at__isnull=True), distinct=True),
        )
        .order_by("-opened_at", "-id")
    )


# --- the dossier ----------------------------------------------------------------------------------


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _local(value: str) -> str:
    """A time from the snapshot (ISO, UTC) as local "Y-m-d H:M"; the snapshot keeps it unambiguous."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        return moment.strftime("%Y-%m-%d %H:%M")
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _percent(value) -> str:
    return "—" if value in (None, "") else f"{float(value) * 100:.1f}%"


def dossier_view(decision: Decision) -> dict:
    """Everything the committee reads, as plain data with labels (the page, the API and the PDF use it)."""
    application = decision.application
    scheme = application.scheme_version.as_scheme()
    live = None
    if decision.status == DecisionStatus.OPEN or not decision.dossier:
        live = dossier.dossier_for(application)
        snap = dossier.snapshot(live)
    else:
        snap = decision.dossier
    grades = {g.code: g for g in scheme.grading.grades}
    grade = grades.get(snap.get("grade") or "")
    teams: dict[str, list[dict]] = {}
    references = [a["reference"] for a in snap.get("audits", [])]
    for member in (
        AuditTeamMember.objects.filter(audit__reference__in=references, removed_at__isnull=True)
        .select_related("user", "audit")
        .order_by("-role", "id")
    ):
        teams.setdefault(member.audit.reference, []).append(
            {"name": member.user.full_name or member.user.email, "role": member.get_role_display()}
        )
    review = snap.get("document_review")
    survey = snap.get("survey")
    committee_content = scheme.content.get("committee", {})
    description = committee_content.get("description", {})
    return {
        "scheme": scheme,
        "taken_at": _local(snap.get("taken_at", "")),
        "frozen": live is None,
        "review": None
        if review is None
        else {
            **review,
            "status_label": _label(ReviewStatus, review.get("status")),
            "passed_at": _local(review.get("passed_at", "")),
        },
        "audits": [
            {
                **a,
                "passed_at": _local(a.get("passed_at", "")),
                "type_label": _label(AuditType, a.get("type")),
                "status_label": _label(AuditStatus, a.get("status")),
                "team": teams.get(a["reference"], []),
            }
            for a in snap.get("audits", [])
        ],
        "nonconformities": [
            {
                **nc,
                "verified_at": _local(nc.get("verified_at", "")),
                "stage_label": _label(NonconformityStage, nc.get("stage")),
                "grade_label": _label(NonconformityGrade, nc.get("grade")),
                "state_label": _label(NonconformityState, nc.get("state")),
                "closed": nc.get("state") == "verified",
            }
            for nc in snap.get("nonconformities", [])
        ],
        "survey": None
        if survey is None
        else {
            **survey,
            "share_text": _percent(survey.get("share")),
            "interval_text": (
                f"{_percent(survey['interval'][0])} – {_percent(survey['interval'][1])}"
                if survey.get("interval")
                else "—"
            ),
            "threshold_text": _percent(scheme.pass_threshold),
        },
        "findings": snap.get("findings", {}),
        "unrecorded_items": snap.get("unrecorded_items", []),
        "score": snap.get("score"),
        "max_score": scheme.grading.max_score,
        "grade_code": snap.get("grade"),
        "grade_name": grade.name.zh if grade else "",
        "grade_name_en": grade.name.en if grade else "",
        "grading_label": scheme.grading.label.zh,
        "grading_label_en": scheme.grading.label.en,
        "grading_is_default": scheme.grading.is_default,
        "preconditions": _preconditions(snap),
        "grant_problems": [list(p) for p in snap.get("grant_problems", [])],
        "grantable": not snap.get("grant_problems"),
        "committee_rule": description.get("zh", ""),
        "committee_rule_en": description.get("en", ""),
        "quorum": scheme.committee.quorum,
        "votes": snap.get("votes"),
    }


def _preconditions(snap: dict) -> list[dict]:
    """The grant conditions as a checklist (✓/✗); the reasons themselves come from domain.grant_problems."""
    review = snap.get("document_review") or {}
    audits = snap.get("audits", [])
    ncs = snap.get("nonconformities", [])
    survey = snap.get("survey")
    open_majors = [nc for nc in ncs if nc["grade"] == "major" and nc["state"] != "verified"]
    unplanned = [nc for nc in ncs if nc["grade"] == "minor" and nc["state"] not in ("verified", "plan_accepted")]
    return [
        {"zh": "文件审核已通过", "en": "document review passed", "ok": review.get("status") == ReviewStatus.PASSED},
        {
            "zh": "现场审核已通过",
            "en": "on-site audit passed",
            "ok": any(a["type"] != AuditType.SPECIAL and a["status"] == AuditStatus.PASSED for a in audits),
        },
        {"zh": "严重不符合项均已验证关闭", "en": "every major nonconformity verified closed", "ok": not open_majors},
        {
            "zh": "一般不符合项均已关闭或整改计划已接受",
            "en": "every minor nonconformity closed or its plan accepted",
            "ok": not unplanned,
        },
        {"zh": "用户满意度调查达标", "en": "satisfaction survey passed", "ok": bool(survey and survey.get("passed"))},
        {
            "zh": "评分达到最低等级",
            "en": "the score reaches the lowest grade",
            "ok": snap.get("grade") is not None and not snap.get("unrecorded_items"),
        },
    ]


# --- the committee --------------------------------------------------------------------------------


@dataclass
class Seat:
    member: CommitteeMember
    opinion: object | None


def seats(decision: Decision) -> list[Seat]:
    """Every seat, current and removed, with its opinion (a removed member's opinion stays on file)."""
    members = list(
        CommitteeMember.objects.filter(decision=decision)
        .select_related("user", "assigned_by")
        .prefetch_related("opinions")
        .order_by("assigned_at", "id")
    )
    return [Seat(m, next(iter(m.opinions.all()), None)) for m in members]


def tally_view(decision: Decision, current: list[Seat]) -> dict:
    scheme = decision.application.scheme_version.as_scheme()
    votes_for = sum(1 for s in current if s.opinion and s.opinion.vote == Vote.GRANT)
    votes_against = sum(1 for s in current if s.opinion and s.opinion.vote == Vote.REFUSE)
    tally = domain.Tally(votes_for=votes_for, votes_against=votes_against, quorum=scheme.committee.quorum)
    outcome = None
    if tally.quorate:
        outcome = domain.outcome(tally, scheme.committee.approves)
    return {
        "for": votes_for,
        "against": votes_against,
        "cast": tally.cast,
        "seated": len(current),
        "quorum": tally.quorum,
        "quorate": tally.quorate,
        "outcome": outcome,
        "outcome_label": _label(DecisionStatus, outcome) if outcome else "",
    }


@dataclass
class Candidate:
    user: User
    problems: list[domain.Reason]


def committee_candidates(decision: Decision, today: date | None = None) -> list[Candidate]:
    """Users holding technical_committee now, not seated, each with why he may not sit (the same rules the
    service applies when the manager adds him, so he sees them before he tries)."""
    today = today or timezone.localdate()
    seated = CommitteeMember.objects.filter(decision=decision, removed_at__isnull=True).values("user_id")
    users = (
        User.objects.filter(role_grants__role=domain.MEMBER_ROLE, role_grants__revoked_at__isnull=True, is_active=True)
        .exclude(pk__in=seated)
        .prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.all()))
        .distinct()
        .order_by("full_name", "email")
    )
    exclude = decision.application.scheme_version.as_scheme().committee.exclude_involved_persons
    users = list(users)
    involved = dossier.involvement_of([u.pk for u in users], decision.enterprise_id, today)
    return [
        Candidate(
            u,
            domain.member_problems(services.member_facts(decision, u, today, involved[u.pk]), exclude_involved=exclude),
        )
        for u in users
    ]


def newer_draft(decision: Decision) -> Application | None:
    """A draft the enterprise already started after this refusal (re-apply twice → the same draft)."""
    if decision.decided_at is None:
        return None
    return (
        Application.objects.filter(
            enterprise_id=decision.enterprise_id,
            status=ApplicationStatus.DRAFT,
            created_at__gte=decision.decided_at,
        )
        .order_by("id")
        .first()
    )


def scope_view(application: Application) -> dict:
    scope = application.scheme_version.as_scheme().scope
    categories = {c.code: c.name.zh for c in scope.categories}
    stages = {s.code: s.name.zh for s in scope.service_stages}
    return {
        "categories": [categories.get(code, code) for code in application.categories],
        "other": application.other_category_description,
        "stages": [stages.get(code, code) for code in application.service_stages],
        "sites": list(application.sites.filter(removed_at__isnull=True).order_by("id")),
    }


def dashboard_count(user, today: date | None = None) -> int:
    """What waits for this user on the decision queue: for a runner, applications ready for a decision plus
    open decisions; for a committee member, the open decisions he sits on without his opinion yet."""
    from certflow.decisions.permissions import is_committee, is_runner

    if is_runner(user):
        ready = ready_applications(today or timezone.localdate()).count()
        return ready + Decision.objects.filter(status=DecisionStatus.OPEN).count()
    if is_committee(user):
        return (
            CommitteeMember.objects.filter(
                user=user, removed_at__isnull=True, decision__status=DecisionStatus.OPEN, opinions__isnull=True
            )
            .distinct()
            .count()
        )
    return 0
