"""Reads for the lifecycle pages and API, with constant query counts."""

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from certflow.certificates.domain import CertificateStatus
from certflow.certificates.models import Certificate
from certflow.lifecycle.domain import CaseKind, CaseStatus, ChangeStatus, EventStatus
from certflow.lifecycle.models import Case, ChangeReport, LegacyImport, MajorEvent
from certflow.lifecycle.permissions import cases_for_user, changes_for_user, events_for_user


def lapsed_certificates(search: str = "") -> QuerySet[Certificate]:
    """旧版证书过渡期失效清单: legacy certificates whose stored status is lapsed, with where they came from."""
    rows = Certificate.objects.filter(is_legacy=True, status=CertificateStatus.LAPSED).annotate(
        applied_on=F("legacy_record__applied_on")
    )
    if search:
        rows = rows.filter(
            Q(number__iexact=search) | Q(enterprise_uscc__iexact=search) | Q(enterprise_name__icontains=search)
        )
    return rows.order_by("enterprise_name", "number")


def legacy_summary() -> dict[str, int]:
    current = Certificate.objects.filter(enterprise_id=OuterRef("enterprise_id"), is_legacy=False)
    legacy = Certificate.objects.filter(is_legacy=True).annotate(recertified=Exists(current))
    counts = legacy.aggregate(
        total=Count("id"),
        lapsed=Count("id", filter=Q(status=CertificateStatus.LAPSED)),
        superseded=Count("id", filter=Q(status=CertificateStatus.SUPERSEDED)),
        active=Count("id", filter=Q(status__in=[CertificateStatus.VALID, CertificateStatus.SUSPENDED])),
        expired=Count("id", filter=Q(status=CertificateStatus.EXPIRED)),
        active_recertified=Count(
            "id", filter=Q(status__in=[CertificateStatus.VALID, CertificateStatus.SUSPENDED], recertified=True)
        ),
    )
    return counts


def legacy_imports() -> QuerySet[LegacyImport]:
    return LegacyImport.objects.select_related("created_by").order_by("-created_at", "-id")


def case_list(user, *, kind: str = "", status: str = "", search: str = "") -> QuerySet[Case]:
    rows = cases_for_user(user).select_related("enterprise", "handler")
    if kind in CaseKind.values:
        rows = rows.filter(kind=kind)
    if status in CaseStatus.values:
        rows = rows.filter(status=status)
    if search:
        rows = rows.filter(
            Q(reference__iexact=search)
            | Q(complainant_name__icontains=search)
            | Q(enterprise__name__icontains=search)
            | Q(subject_text__icontains=search)
        )
    return rows.order_by("-received_on", "-id")


def open_change_reports(certificate_ids) -> dict[int, list[ChangeReport]]:
    """Change reports still awaiting assessment, per certificate (one query; for the surveillance dashboard)."""
    found: dict[int, list[ChangeReport]] = {}
    rows = ChangeReport.objects.filter(certificate_id__in=list(certificate_ids), status=ChangeStatus.SUBMITTED)
    for report in rows.order_by("submitted_on", "id"):
        found.setdefault(report.certificate_id, []).append(report)
    return found


def _search(rows, search: str):
    if search:
        rows = rows.filter(
            Q(reference__iexact=search) | Q(certificate__number__iexact=search) | Q(enterprise__name__icontains=search)
        )
    return rows


def change_list(user, *, status: str = "", search: str = "") -> QuerySet[ChangeReport]:
    rows = changes_for_user(user).select_related("certificate", "enterprise", "assessed_by")
    if status in ChangeStatus.values:
        rows = rows.filter(status=status)
    return _search(rows, search).order_by("-submitted_on", "-id")


def event_list(user, *, status: str = "", search: str = "") -> QuerySet[MajorEvent]:
    rows = events_for_user(user).select_related("certificate", "enterprise")
    if status in EventStatus.values:
        rows = rows.filter(status=status)
    return _search(rows, search).order_by("-recorded_on", "-id")


def certificate_reports(certificate) -> tuple[list[ChangeReport], list[MajorEvent]]:
    """The change reports and major events of one certificate, for its page."""
    return (
        list(certificate.change_reports.order_by("-submitted_on", "-id")[:20]),
        list(certificate.major_events.order_by("-recorded_on", "-id")[:20]),
    )
