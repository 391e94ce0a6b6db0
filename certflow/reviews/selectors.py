"""Reads of document reviews and nonconformities, shaped for pages and the API (constant query counts)."""

from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count, Prefetch, Q, QuerySet

from certflow.applications.models import Application, MaterialFile
from certflow.applications.selectors import applications_for_user, current_files
from certflow.core.schemes.entities import Clause, Requirement, Scheme
from certflow.reviews.domain import NonconformityState
from certflow.reviews.models import ChecklistEntry, CorrectiveAction, CorrectiveEvidence, DocumentReview, Nonconformity

STAGE = "document_review"


@lru_cache(maxsize=32)
def _scheme(version_pk: int, sha256: str) -> Scheme:
    from certflow.core.schemes.models import SchemeVersion

    return SchemeVersion.objects.get(pk=version_pk).as_scheme()


def scheme_for(application) -> Scheme:
    """The scheme an application (or a certificate, for surveillance nonconformities) runs under. A recorded
    version never changes (decisions S1), so the parsed scheme is kept per process, keyed by the row and
    its SHA-256."""
    version = application.scheme_version
    return _scheme(version.pk, version.sha256)


def review_items(application: Application) -> tuple[Requirement, ...]:
    return scheme_for(application).items_for_stage(STAGE)


# --- reviews -----------------------------------------------------------------------------------


def reviews_for_user(user) -> QuerySet[DocumentReview]:
    """Reviews of the applications the user may see: CB roles spanning clients see all; auditors those of
    applications they are assigned to; enterprise users their own enterprises' (decisions R6)."""
    return DocumentReview.objects.filter(application__in=applications_for_user(user))


def review_list(user, *, mine: bool = False, status: str = "") -> QuerySet[DocumentReview]:
    qs = reviews_for_user(user).select_related("application__enterprise", "reviewer")
    if mine:
        qs = qs.filter(reviewer=user)
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        nonconformity_count=Count("nonconformities", distinct=True),
        open_count=Count(
            "nonconformities", filter=~Q(nonconformities__state=NonconformityState.VERIFIED), distinct=True
        ),
        entry_count=Count("entries", distinct=True),
    ).order_by("-assigned_at", "-id")


def review_detail(pk: int) -> DocumentReview:
    """One review with its checklist, evidence files and nonconformities, in a fixed number of queries."""
    return (
        DocumentReview.objects.select_related(
            "application__enterprise", "application__scheme_version", "reviewer", "assigned_by"
        )
        .prefetch_related(
            Prefetch("entries", queryset=ChecklistEntry.objects.select_related("evidence", "recorded_by")),
            Prefetch("nonconformities", queryset=Nonconformity.objects.order_by("number")),
        )
        .get(pk=pk)
    )


@dataclass(frozen=True)
class ChecklistRow:
    item: Requirement
    entry: ChecklistEntry | None


@dataclass(frozen=True)
class ClauseGroup:
    clause: Clause
    rows: list[ChecklistRow]


def checklist(review: DocumentReview) -> list[ClauseGroup]:
    """Every document-review item of the scheme grouped by clause, with the entry recorded for it (prefetched)."""
    scheme = scheme_for(review.application)
    entries = {entry.item_id: entry for entry in review.entries.all()}
    groups = []
    for clause in scheme.clauses:
        rows = [ChecklistRow(item, entries.get(item.id)) for item in scheme.items_in_clause(clause.number)]
        rows = [row for row in rows if row.item.checked_at(STAGE)]
        if rows:
            groups.append(ClauseGroup(clause, rows))
    return groups


def evidence_choices(application: Application) -> QuerySet[MaterialFile]:
    """The application's current material files, the ones a checklist entry may cite."""
    return current_files().filter(application=application).order_by("material", "id")


# --- nonconformities ------------------------------------------------------------------------------


def _visible(user) -> Q:
    """Nonconformities of applications the user may see; surveillance ones (raised on a certificate) of the
    certificates the user may see (the enterprise's own) or of the audits the user may see (the audit team,
    staff spanning clients) (decisions SV7)."""
    from certflow.audits.selectors import audits_for_user
    from certflow.certificates.selectors import certificates_for_user

    return (
        Q(application__in=applications_for_user(user))
        | Q(certificate__in=certificates_for_user(user))
        | Q(application__isnull=True, audit__in=audits_for_user(user))
    )


def nonconformities_for_user(user) -> QuerySet[Nonconformity]:
    return Nonconformity.objects.filter(_visible(user))


OWNER_RELATED = ("application__enterprise", "certificate__enterprise")


def nonconformity_list(
    user, *, application: int | None = None, certificate: int | None = None, state: str = ""
) -> QuerySet[Nonconformity]:
    qs = nonconformities_for_user(user).select_related(*OWNER_RELATED, "review__reviewer")
    if application is not None:
        qs = qs.filter(application_id=application)
    if certificate is not None:
        qs = qs.filter(certificate_id=certificate)
    if state:
        qs = qs.filter(state=state)
    return qs.annotate(round_count=Count("actions")).order_by("application_id", "certificate_id", "number")


def nonconformity_detail(pk: int) -> Nonconformity:
    return (
        Nonconformity.objects.select_related(*OWNER_RELATED, "audit", "review__reviewer", "raised_by", "verified_by")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=CorrectiveAction.objects.select_related("submitted_by", "decided_by")
                .prefetch_related(Prefetch("evidence", queryset=CorrectiveEvidence.objects.order_by("id")))
                .order_by("round"),
            )
        )
        .get(pk=pk)
    )


def corrective_actions_for_user(user) -> QuerySet[CorrectiveAction]:
    return CorrectiveAction.objects.filter(nonconformity__in=nonconformities_for_user(user))
