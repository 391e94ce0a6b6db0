"""The decision dossier (认证决定材料): assembled from the records of one application, never typed in.

`facts_for` gives the pure facts the rules need; `dossier_for` the whole picture the committee reads
(and that is frozen into the decision when it is taken). A fixed number of queries per application.
"""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.db.models import Q
from django.utils import timezone

from certflow.applications.models import Application
from certflow.audits.domain import AuditStatus, AuditType
from certflow.audits.models import Audit, Finding
from certflow.core.schemes.entities import Scheme
from certflow.decisions import domain
from certflow.decisions.domain import DossierFacts, NonconformityFact, SurveyFact
from certflow.reviews.domain import ReviewStatus
from certflow.reviews.models import ChecklistEntry, DocumentReview, Nonconformity
from certflow.surveys.domain import SurveyStatus
from certflow.surveys.models import Survey
from certflow.surveys.statistics import evaluate

# The audits that assess an application for a decision (a special audit may add findings too).
ASSESSING_AUDITS = (AuditType.INITIAL, AuditType.RECERTIFICATION, AuditType.SPECIAL)


@dataclass(frozen=True)
class Dossier:
    facts: DossierFacts
    scheme: Scheme
    review: DocumentReview | None
    audits: list[Audit]
    nonconformities: list[Nonconformity]
    survey: Survey | None
    grant_problems: list[domain.Reason]

    @property
    def grantable(self) -> bool:
        return not self.grant_problems


def _review(application: Application) -> DocumentReview | None:
    return DocumentReview.objects.filter(application=application).select_related("reviewer").first()


def _audits(application: Application) -> list[Audit]:
    return list(
        Audit.objects.filter(application=application, audit_type__in=ASSESSING_AUDITS)
        .exclude(status=AuditStatus.CANCELLED)
        .order_by("first_day", "id")
    )


def _survey(application: Application) -> Survey | None:
    return Survey.objects.filter(application=application).order_by("-round").first()


def _survey_fact(survey: Survey | None, scheme: Scheme) -> SurveyFact | None:
    if survey is None:
        return None
    closed = survey.status not in (SurveyStatus.COLLECTING, SurveyStatus.DRAWN, SurveyStatus.OPEN)
    if not closed or survey.result_answered is None:
        return SurveyFact(round=survey.round, answered=0, satisfied=0, passed=None)
    outcome = evaluate(survey.result_answered, survey.result_satisfied or 0, scheme.survey)
    interval = None
    if outcome.interval is not None:
        interval = (
            Fraction(outcome.interval.low).limit_denominator(10**6),
            Fraction(outcome.interval.high).limit_denominator(10**6),
        )
    return SurveyFact(
        round=survey.round,
        answered=outcome.answered,
        satisfied=outcome.satisfied,
        passed=outcome.passed,
        share=outcome.share,
        interval=interval,
    )


def facts_from(
    *,
    application: Application,
    scheme: Scheme,
    review: DocumentReview | None,
    audits: list[Audit],
    nonconformities: list[Nonconformity],
    survey: Survey | None,
) -> DossierFacts:
    results: list[tuple[str, str]] = []
    if review is not None:
        results += list(ChecklistEntry.objects.filter(review=review).values_list("item_id", "result"))
    if audits:
        results += list(Finding.objects.filter(audit__in=audits).values_list("item_id", "result"))
    # A nonconformity raised on an item counts even if the item's result was recorded more mildly.
    results += [(nc.item_id, nc.grade) for nc in nonconformities]
    items = tuple(item.id for item in scheme.requirements)
    findings, unrecorded = domain.worst_findings(items, results)
    score = grade = None
    if not unrecorded:
        score = scheme.score(findings)
        grade = scheme.grade_for(score)
    lowest = scheme.grading.grades[0] if scheme.grading.grades else None
    return DossierFacts(
        application_status=application.status,
        review_passed=review is not None and review.status == ReviewStatus.PASSED,
        onsite_passed=any(a.audit_type != AuditType.SPECIAL and a.status == AuditStatus.PASSED for a in audits),
        nonconformities=tuple(
            NonconformityFact(nc.number, nc.stage, nc.item_id, nc.grade, nc.state, nc.due_date)
            for nc in nonconformities
        ),
        survey=_survey_fact(survey, scheme),
        findings=findings,
        unrecorded_items=unrecorded,
        score=score,
        grade_code=grade.code if grade else None,
        grade_name=(grade.name.zh, grade.name.en) if grade else None,
        lowest_grade=(lowest.name.zh, lowest.min_score) if lowest else None,
    )


def dossier_for(application: Application) -> Dossier:
    scheme = application.scheme_version.as_scheme()
    review = _review(application)
    audits = _audits(application)
    nonconformities = list(Nonconformity.objects.filter(application=application).order_by("raised_at", "id"))
    survey = _survey(application)
    facts = facts_from(
        application=application,
        scheme=scheme,
        review=review,
        audits=audits,
        nonconformities=nonconformities,
        survey=survey,
    )
    gates = scheme.grading
    problems = domain.grant_problems(
        facts,
        survey_must_pass=gates.survey_must_pass,
        open_major_allowed=gates.open_major_allowed,
        open_minor_needs_accepted_plan=gates.open_minor_needs_accepted_plan,
        pass_threshold=scheme.pass_threshold,
    )
    return Dossier(facts, scheme, review, audits, nonconformities, survey, problems)


def overdue_nonconformities(application: Application, today: date) -> int:
    return (
        Nonconformity.objects.filter(application=application, due_date__lt=today)
        .exclude(state__in=("verified", "plan_accepted"))
        .count()
    )


def _text(value) -> str:
    return "" if value is None else str(value)


def snapshot(dossier: Dossier) -> dict:
    """The dossier as JSON, as frozen into the decision (what the committee saw, for the record)."""
    facts = dossier.facts
    survey = facts.survey
    return {
        "taken_at": timezone.now().isoformat(),
        "scheme": dossier.scheme.label,
        "document_review": None
        if dossier.review is None
        else {
            "status": dossier.review.status,
            "reviewer": (dossier.review.reviewer.full_name or dossier.review.reviewer.email)
            if dossier.review.reviewer_id
            else "",
            "completed_on": _text(dossier.review.completed_on),
            "passed_at": _text(dossier.review.passed_at),
        },
        "audits": [
            {
                "reference": a.reference,
                "type": a.audit_type,
                "status": a.status,
                "days": list(a.days or []),
                "passed_at": _text(a.passed_at),
            }
            for a in dossier.audits
        ],
        "nonconformities": [
            {
                "number": nc.number,
                "stage": nc.stage,
                "item": nc.item_id,
                "grade": nc.grade,
                "state": nc.state,
                "due_date": _text(nc.due_date),
                "verified_at": _text(nc.verified_at),
            }
            for nc in dossier.nonconformities
        ],
        "survey": None
        if survey is None
        else {
            "round": survey.round,
            "answered": survey.answered,
            "satisfied": survey.satisfied,
            "passed": survey.passed,
            "share": _text(survey.share and round(float(survey.share), 4)),
            "interval": [round(float(x), 4) for x in survey.interval] if survey.interval else None,
        },
        "findings": facts.findings,
        "unrecorded_items": list(facts.unrecorded_items),
        "score": None if facts.score is None else round(float(facts.score), 2),
        "grade": facts.grade_code,
        "grant_problems": [list(p) for p in dossier.grant_problems],
    }


def involvement(
    user_id: int, enterprise_id: int, today: date
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """References of the enterprise's applications the person reviewed, audits he was on, conflicts in force."""
    return involvement_of([user_id], enterprise_id, today)[user_id]


def involvement_of(
    user_ids, enterprise_id: int, today: date
) -> dict[int, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """`involvement` for several people at once, in three queries (the committee candidates list asked three
    per candidate)."""
    from certflow.auditors.models import ConflictDeclaration
    from certflow.audits.models import AuditTeamMember

    user_ids = list(user_ids)
    reviewed: dict[int, list[str]] = {pk: [] for pk in user_ids}
    audited: dict[int, list[str]] = {pk: [] for pk in user_ids}
    conflicts: dict[int, list[str]] = {pk: [] for pk in user_ids}
    for pk, reference in (
        DocumentReview.objects.filter(reviewer_id__in=user_ids, application__enterprise_id=enterprise_id)
        .order_by("id")
        .values_list("reviewer_id", "application__reference")
    ):
        reviewed[pk].append(reference)
    for pk, reference in (
        AuditTeamMember.objects.filter(
            user_id__in=user_ids, audit__enterprise_id=enterprise_id, removed_at__isnull=True
        )
        .order_by("audit_id")
        .values_list("user_id", "audit__reference")
        .distinct()
    ):
        if reference not in audited[pk]:
            audited[pk].append(reference)
    for pk, reason in (
        ConflictDeclaration.objects.filter(
            profile__user_id__in=user_ids, enterprise_id=enterprise_id, withdrawn_at__isnull=True
        )
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .order_by("id")
        .values_list("profile__user_id", "reason")
    ):
        conflicts[pk].append(reason)
    return {pk: (tuple(reviewed[pk]), tuple(audited[pk]), tuple(conflicts[pk])) for pk in user_ids}
