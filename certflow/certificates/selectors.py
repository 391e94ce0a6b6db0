"""Reads of certificates for pages, the API, the export and the public verification."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q, QuerySet

from certflow.accounts.selectors import enterprises_for_user
from certflow.accounts.uscc import normalize_uscc
from certflow.certificates import domain
from certflow.certificates.models import Certificate, CertificateStatusChange
from certflow.core.schemes.registry import get_scheme

MIN_NAME_CHARS = 2


def lapses_on() -> date:
    return get_scheme().transition.lapses_on


def recertified_enterprise_ids(enterprise_ids=None) -> set[int]:
    """Enterprises holding a current-scheme certificate issued by the transition deadline (decisions L2):
    their legacy certificates do not lapse."""
    transition = get_scheme().transition
    by_deadline = (
        Q(issued_on__lte=transition.deadline) if transition.deadline_inclusive else Q(issued_on__lt=transition.deadline)
    )
    current = Certificate.objects.filter(by_deadline, is_legacy=False)
    if enterprise_ids is not None:
        current = current.filter(enterprise_id__in=list(enterprise_ids))
    return set(current.values_list("enterprise_id", flat=True).distinct())


def public_status(certificate: Certificate, today: date, *, recertified: set[int] | None = None) -> tuple[str, date]:
    """(status, since) as the public sees it today (domain.effective_status).

    `recertified`: the result of `recertified_enterprise_ids` for a batch (exports), to avoid a query each.
    """
    in_time = False
    if certificate.is_legacy and certificate.status in domain.ACTIVE_STATUSES:
        if recertified is None:
            recertified = recertified_enterprise_ids([certificate.enterprise_id])
        in_time = certificate.enterprise_id in recertified
    return domain.effective_status(
        certificate.status,
        certificate.status_since,
        expires_on=certificate.expires_on,
        is_legacy=certificate.is_legacy,
        lapses_on=lapses_on(),
        today=today,
        recertified_in_time=in_time,
    )


def certificates_for_user(user) -> QuerySet[Certificate]:
    """Staff spanning clients see every certificate; enterprise users their own enterprises'."""
    if user.is_authenticated and user.is_active and user.sees_all_enterprises:
        # No "enterprise IN (every enterprise)": that semi-join cost a count and a sort over every certificate
        # on each list page (bench/RESULTS.md).
        return Certificate.objects.all()
    return Certificate.objects.filter(enterprise__in=enterprises_for_user(user))


def certificate_list(user, *, status: str = "", grade: str = "", search: str = "") -> QuerySet[Certificate]:
    qs = certificates_for_user(user).select_related("enterprise")
    if status:
        qs = qs.filter(status=status)
    if grade:
        qs = qs.filter(grade_code=grade)
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(number__iexact=search)
            | Q(enterprise_uscc=search.upper())
            | Q(enterprise_name__icontains=search)
            | Q(number__icontains=search)
        )
    return qs.order_by("-issued_on", "-id")


def certificate_history(certificate: Certificate) -> QuerySet[CertificateStatusChange]:
    return certificate.status_changes.select_related("changed_by").order_by("changed_at", "id")


# The public lookup is the busiest query of the product (every QR scan). Compiling it through the ORM cost
# more than running it (1.6 of ~4 ms of CPU per request at 50,000 certificates, bench/RESULTS.md), so it is
# one fixed statement: the certificate by UPPER(number), served by the index certificate_number_upper, and
# the id of the certificate that replaced it, if any.
PUBLIC_LOOKUP_SQL = (
    "SELECT c.*, s.id AS successor_id FROM certificates_certificate c"
    " LEFT JOIN certificates_certificate s ON s.supersedes_id = c.id"
    " WHERE UPPER(c.number) = UPPER(%s) ORDER BY c.id LIMIT 1"
)


def public_certificate(number: str) -> Certificate | None:
    """The certificate with this number (any case), read from the database on every call. One query, or two
    when it was replaced (the replacement's number is shown)."""
    number = (number or "").strip()
    if not number or not domain.NUMBER_INPUT.fullmatch(number):
        return None
    found = list(Certificate.objects.raw(PUBLIC_LOOKUP_SQL, [number]))
    if not found:
        return None
    certificate = found[0]
    if certificate.successor_id is None:
        # Known to have no replacement: reading `superseded_by` must not ask the database again.
        Certificate.superseded_by.related.set_cached_value(certificate, None)
    return certificate


@dataclass(frozen=True)
class PublicSearch:
    results: list[Certificate]
    kind: str  # number, uscc, name, too_short, empty
    truncated: bool = False


def public_search(query: str) -> PublicSearch:
    """Exact number, exact USCC, or part of the Chinese name (at least 2 characters).

    Nothing but the matches comes back: a miss says only "not found".
    """
    query = " ".join((query or "").split())
    if not query:
        return PublicSearch([], "empty")
    limit = settings.CERTFLOW_VERIFY_MAX_RESULTS
    base = Certificate.objects.select_related("superseded_by").order_by("-issued_on", "-id")
    by_number = public_certificate(query)
    if by_number is not None:
        return PublicSearch([by_number], "number")
    code = normalize_uscc(query)
    if len(code) == 18 and code.isalnum():
        return PublicSearch(list(base.filter(enterprise_uscc=code)[:limit]), "uscc")
    if len(query) < MIN_NAME_CHARS:
        return PublicSearch([], "too_short")
    found = list(base.filter(enterprise_name__icontains=query)[: limit + 1])
    return PublicSearch(found[:limit], "name", truncated=len(found) > limit)


def certificate_export(user) -> QuerySet[Certificate]:
    return certificates_for_user(user).select_related("supersedes").order_by("issued_on", "number")
