"""Reads of the surveillance programme: windows and obligation states of certificates, in a fixed number of
queries however many certificates. One certificate's windows are computed in Python from its dates; the
dashboard over every certificate counts and pages on the stored next obligation (programme_state, SV11)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from certflow.audits.domain import OPEN_STATES, AuditStatus, AuditType
from certflow.audits.models import Audit
from certflow.certificates.domain import ACTIVE_STATUSES
from certflow.certificates.models import Certificate
from certflow.certificates.selectors import certificates_for_user
from certflow.surveillance import domain
from certflow.surveillance.domain import AuditFacts, Obligation, ObligationState, Rules


def today() -> date:
    return timezone.localdate()


@lru_cache(maxsize=32)
def _rules(version_pk: int, sha256: str) -> Rules:
    from certflow.core.schemes.models import SchemeVersion

    return Rules.of(SchemeVersion.objects.get(pk=version_pk).as_scheme().surveillance)


@lru_cache(maxsize=32)
def _validity_years(version_pk: int, sha256: str) -> int:
    # Parsing a scheme validates the whole document (~0.1 s): once per version and process, not per
    # certificate, or the dashboard takes minutes on a large programme (bench/RESULTS.md).
    from certflow.core.schemes.models import SchemeVersion

    return SchemeVersion.objects.get(pk=version_pk).as_scheme().deadline("certificate_validity").amount


def rules_for(certificate: Certificate) -> Rules | None:
    """The certificate's scheme rules; None for a legacy certificate (no A/0 programme, decisions SV6)."""
    version = certificate.scheme_version
    if certificate.is_legacy or version is None:
        return None
    return _rules(version.pk, version.sha256)


def certificate_windows(certificate: Certificate) -> tuple[domain.Window, ...]:
    rules = rules_for(certificate)
    if rules is None:
        return ()
    return domain.windows(cycle_start(certificate), certificate.expires_on, rules)


def cycle_start(certificate: Certificate) -> date:
    """The decision the windows count from. A scope-reduced replacement keeps its predecessor's expiry (and so
    its cycle) though it was issued later: its anniversaries stay those of the original decision (SV10)."""
    from certflow.certificates.domain import add_years

    version = certificate.scheme_version
    years = _validity_years(version.pk, version.sha256)
    if certificate.supersedes_id and add_years(certificate.issued_on, years) != certificate.expires_on:
        return add_years(certificate.expires_on, -years)
    return certificate.issued_on


def _held_on(audit: Audit) -> date | None:
    if audit.status not in (AuditStatus.CORRECTIONS, AuditStatus.PASSED) or audit.closed_at is None:
        return None
    return timezone.localdate(audit.closed_at)


def audit_facts(certificates: Sequence[Certificate]) -> dict[int, list[AuditFacts]]:
    """Per certificate: its surveillance audits, and the re-certification audits of its enterprise (which
    count for the last window, SV3). Two queries."""
    ids = [c.pk for c in certificates]
    enterprises = {c.enterprise_id for c in certificates}
    if not ids:
        return {}
    # A predecessor replaced by a scope reduction with the same expiry hands its audits on (SV10). Looked up
    # first, so that the audits are found by plain IN conditions on indexed columns: with the
    # replacement joined in, the database scanned every audit for each page.
    successor_of = {
        old: new
        for new, old, expires, old_expires in Certificate.objects.filter(
            pk__in=ids, supersedes__isnull=False
        ).values_list("pk", "supersedes_id", "expires_on", "supersedes__expires_on")
        if expires == old_expires
    }
    rows = (
        Audit.objects.filter(
            Q(certificate_id__in=[*ids, *successor_of], audit_type=AuditType.SURVEILLANCE)
            | Q(enterprise_id__in=enterprises, audit_type=AuditType.RECERTIFICATION)
        )
        .exclude(status=AuditStatus.CANCELLED)
        .only(
            "pk",
            "reference",
            "audit_type",
            "status",
            "certificate_id",
            "enterprise_id",
            "surveillance_window",
            "first_day",
            "closed_at",
        )
        .order_by("created_at", "id")
    )
    by_cert: dict[int, list[AuditFacts]] = defaultdict(list)
    by_enterprise: dict[int, list[AuditFacts]] = defaultdict(list)
    # A set: looking each audit up in the id list was quadratic (94 s of the dashboard at 33,000 certificates).
    wanted = set(ids)
    for audit in rows:
        if audit.audit_type == AuditType.SURVEILLANCE:
            owner = audit.certificate_id if audit.certificate_id in wanted else successor_of[audit.certificate_id]
        held_on = _held_on(audit)
        facts = AuditFacts(
            pk=audit.pk,
            reference=audit.reference,
            audit_type=audit.audit_type,
            window=audit.surveillance_window,
            open=audit.status in OPEN_STATES and held_on is None,
            held_on=held_on,
            first_day=audit.first_day,
            status=audit.status,
        )
        if audit.audit_type == AuditType.SURVEILLANCE:
            by_cert[owner].append(facts)
        else:
            by_enterprise[audit.enterprise_id].append(facts)
    return {c.pk: by_cert.get(c.pk, []) + by_enterprise.get(c.enterprise_id, []) for c in certificates}


def certificate_programme(certificate: Certificate, on: date) -> tuple[Obligation, ...]:
    """Every obligation of one certificate with its state on `on` (empty for a legacy certificate)."""
    found = audit_facts([certificate])
    return domain.programme(certificate_windows(certificate), found.get(certificate.pk, []), on)


def in_force(certificates: QuerySet[Certificate] | None = None) -> QuerySet[Certificate]:
    """Certificates under surveillance: valid or suspended, of the current scheme (not legacy, SV6); of
    `certificates` when given (a user's visible ones)."""
    # The version's stored document is tens of kilobytes of JSON: decoding it for every row cost seconds
    # per thousand certificates. Windows need only its key (pk, sha256), which the caches above look up.
    return (
        (Certificate.objects.all() if certificates is None else certificates)
        .filter(status__in=ACTIVE_STATUSES, is_legacy=False, scheme_version__isnull=False)
        .select_related("scheme_version", "enterprise")
        .defer("scheme_version__content")
    )


@dataclass
class Row:
    certificate: Certificate
    obligations: tuple[Obligation, ...]
    next: Obligation | None
    change_reports: list = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.next.state if self.next else ObligationState.DONE


def _overlaps_month(window: domain.Window, month: date) -> bool:
    last = domain.add_months(month, 1)
    return window.opens < last and window.closes >= month


def _change_reports(ids: Iterable[int]) -> dict[int, list]:
    try:
        from certflow.lifecycle.selectors import open_change_reports
    except ImportError:  # the lifecycle app without change reports: nothing to show
        return {}
    return open_change_reports(list(ids))


STATE_ORDER = {
    ObligationState.OVERDUE: 0,
    ObligationState.DUE: 1,
    ObligationState.PLANNED: 2,
    ObligationState.NOT_YET_OPEN: 3,
    ObligationState.DONE: 4,
}


class ProgrammeRows:
    """The dashboard's rows, filtered and ordered in the database (NextObligation, SV11): `len()` and slices
    for a paginator; a slice loads its certificates and their audits and computes their whole programme."""

    def __init__(self, certificates: QuerySet[Certificate], *, on: date, count: int | None):
        self.certificates = certificates
        self.on = on
        self._count = count

    def count(self) -> int:
        if self._count is None:
            self._count = self.certificates.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        # The page's ids first (narrow rows to order), then those certificates with everything they show:
        # ordering whole certificate rows sorted tens of megabytes on disk at 50,000 certificates.
        ids = list(self.certificates.values_list("pk", flat=True)[key])
        found = in_force().in_bulk(ids)
        certs = [found[pk] for pk in ids if pk in found]
        facts = audit_facts(certs)
        rows = []
        for cert in certs:
            obligations = domain.programme(certificate_windows(cert), facts.get(cert.pk, []), self.on)
            rows.append(Row(cert, obligations, domain.next_obligation(obligations)))
        return rows

    def __iter__(self):
        return iter(self[0 : self.count()])


@dataclass
class Programme:
    rows: ProgrammeRows
    counts: dict[str, int]
    total: int


MISSING = "missing"


def state_counts(certificates: QuerySet[Certificate], *, on: date) -> dict[str, int]:
    """How many certificates' next obligation is in each state on `on`: one grouped query. A certificate
    without a stored next obligation (written by a bulk path) is computed first, then everything is counted
    again; with nothing missing that costs nothing more."""
    from certflow.surveillance.programme_state import fill_missing, state_on

    def grouped() -> dict[str, int]:
        counts = {value: 0 for value in ObligationState.values}
        rows = (
            certificates.order_by()
            .annotate(sv_state=Case(When(next_obligation__isnull=True, then=Value(MISSING)), default=state_on(on)))
            .values("sv_state")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            counts[row["sv_state"]] = row["n"]
        return counts

    counts = grouped()
    if counts.pop(MISSING, 0):
        fill_missing(certificates)
        counts = grouped()
        counts.pop(MISSING, None)
    return counts


def programme_rows(
    certificates: QuerySet[Certificate], *, on: date, state: str = "", month: date | None = None
) -> Programme:
    """The dashboard: each certificate with its next obligation, filtered by state and by a month the
    next window is open in (SV9); counts of every state before filtering. The counts, the filters and the
    order run in the database on the stored next obligation (SV11); only the page's rows are computed in
    Python, so the cost does not grow with the programme."""
    from certflow.surveillance.programme_state import state_on, state_rank

    counts = state_counts(certificates, on=on)
    total = sum(counts.values())
    rows = certificates.annotate(sv_state=state_on(on), sv_rank=state_rank(on))
    count = counts[state] if state else total
    if state:
        rows = rows.filter(sv_state=state)
    if month is not None:
        rows = rows.filter(
            next_obligation__window__isnull=False,
            next_obligation__opens__lt=domain.add_months(month, 1),
            next_obligation__closes__gte=month,
        )
        count = None
    rows = rows.order_by("sv_rank", F("next_obligation__closes").asc(nulls_last=True), "number", "pk")
    return Programme(rows=ProgrammeRows(rows, on=on, count=count), counts=counts, total=total)


def attach_change_reports(rows: Sequence[Row]) -> None:
    """Open major-change reports of the page's certificates (surveillance looks at them, 5 认证模式 4)."""
    reports = _change_reports(r.certificate.pk for r in rows)
    for row in rows:
        row.change_reports = reports.get(row.certificate.pk, [])


def visible_in_force(user) -> QuerySet[Certificate]:
    return in_force(certificates_for_user(user))


def programme_for_user(user, *, on: date, state: str = "", month: date | None = None) -> Programme:
    return programme_rows(visible_in_force(user), on=on, state=state, month=month)


def certificate_audits(certificate: Certificate) -> list[Audit]:
    """Every surveillance audit of the certificate (cancelled included), for its programme page."""
    return list(
        Audit.objects.filter(certificate=certificate, audit_type=AuditType.SURVEILLANCE)
        .select_related("surveillance_suspension")
        .order_by("surveillance_window", "created_at", "id")
    )


def dashboard_counts(user, on: date | None = None) -> dict[str, int]:
    """For the dashboard tile: certificates whose next surveillance is due (window open, nothing planned) and
    overdue. Empty for users who may not see the programme. One query."""
    from certflow.surveillance.permissions import may_see_programme

    if not may_see_programme(user):
        return {}
    counts = state_counts(visible_in_force(user), on=on or today())
    return {"due": counts[ObligationState.DUE], "overdue": counts[ObligationState.OVERDUE]}
