"""The records of one month, read in a fixed number of queries whatever their count.

Which records belong to a month (decisions MR4–MR6):
- audit plans: audits whose first audit day falls in the month, unless cancelled;
- certificates: issued in the month, or with a status change taking effect in the month;
- audit results: audits whose closing meeting was held, or which passed, in the month
  (times compared in the CB's time zone, Asia/Shanghai).
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from certflow.audits.models import Audit, AuditTeamMember, TeamRole
from certflow.certificates.models import Certificate, CertificateStatusChange
from certflow.reporting.domain import ReportMonth


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def decision_model():
    """certflow.decisions' Decision, once that app defines it (it is written in parallel with this one)."""
    try:
        return apps.get_model("decisions", "Decision")
    except LookupError:
        return None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def month_bounds(month: ReportMonth) -> tuple[datetime, datetime]:
    """[start, end) of the month as aware datetimes in the current time zone."""
    return _day_start(month.first_day), _day_start(month.next_month.first_day)


# --- scope text of an audit ---------------------------------------------------------------------------


def _scheme_cache():
    cache: dict = {}

    def scheme(version):
        key = (version.pk, version.sha256)
        if key not in cache:
            cache[key] = version.as_scheme()
        return cache[key]

    return scheme


def scope_text(scheme, categories, services, other: str = "") -> str:
    """The scope as the certificate would print it; codes the scheme does not know are shown as they are."""
    known_categories = {c.code: c for c in scheme.scope.categories}
    known_services = {s.code: s for s in scheme.scope.service_stages}
    names = []
    for code in categories or []:
        category = known_categories.get(code)
        if category is None:
            names.append(code)
            continue
        extra = f"（{other}）" if getattr(category, "description_required", False) and other else ""
        names.append(category.name.zh + extra)
    text = "、".join(names)
    if text and services:
        text += "；服务环节：" + "、".join(known_services[s].name.zh if s in known_services else s for s in services)
    return text


# --- audits -------------------------------------------------------------------------------------------


@dataclass
class AuditSource:
    audit: Audit
    lead: AuditTeamMember | None
    members: list[AuditTeamMember]
    scope: str
    decision: object | None = None
    certificate_number: str = ""

    @property
    def team(self) -> list[AuditTeamMember]:
        return ([self.lead] if self.lead else []) + self.members


def _audit_queryset():
    active_team = AuditTeamMember.objects.filter(removed_at__isnull=True).select_related("user__auditor_profile")
    related = ["enterprise", "application", "scheme_version"]
    if _has_field(Audit, "certificate"):
        related.append("certificate")
    return (
        Audit.objects.select_related(*related)
        .prefetch_related(Prefetch("team", queryset=active_team, to_attr="active_team"), "sites")
        .annotate(
            major_count=Count("nonconformities", filter=Q(nonconformities__grade="major"), distinct=True),
            minor_count=Count("nonconformities", filter=Q(nonconformities__grade="minor"), distinct=True),
        )
    )


def _decisions_by_application(application_ids) -> dict:
    model = decision_model()
    if model is None or not application_ids:
        return {}
    qs = model.objects.filter(application_id__in=application_ids)
    if _has_field(model, "certificate"):
        qs = qs.select_related("certificate")
    return {d.application_id: d for d in qs}


def _audit_sources(audits, *, with_decisions: bool) -> list[AuditSource]:
    audits = list(audits)
    scheme = _scheme_cache()
    decisions = (
        _decisions_by_application({a.application_id for a in audits if a.application_id}) if with_decisions else {}
    )
    sources = []
    for audit in audits:
        team = audit.active_team
        lead = next((m for m in team if m.role == TeamRole.LEAD_AUDITOR), None)
        members = [m for m in team if m is not lead]
        certificate = getattr(audit, "certificate", None) if _has_field(Audit, "certificate") else None
        if audit.application_id:
            app = audit.application
            scope = scope_text(
                scheme(audit.scheme_version), app.categories, app.service_stages, app.other_category_description
            )
        else:
            scope = certificate.scope_text if certificate is not None else ""
        decision = decisions.get(audit.application_id)
        number = ""
        decided_certificate = getattr(decision, "certificate", None) if decision is not None else None
        if decided_certificate is not None:
            number = decided_certificate.number
        elif certificate is not None:
            number = certificate.number
        sources.append(AuditSource(audit, lead, members, scope, decision, number))
    return sources


def audit_plans(month: ReportMonth) -> list[AuditSource]:
    audits = (
        _audit_queryset()
        .filter(first_day__range=(month.first_day, month.last_day), cancelled_at__isnull=True)
        .order_by("first_day", "reference")
    )
    return _audit_sources(audits, with_decisions=False)


def audit_results(month: ReportMonth) -> list[AuditSource]:
    start, end = month_bounds(month)
    audits = (
        _audit_queryset()
        .select_related("closing_meeting")
        .filter(Q(closed_at__gte=start, closed_at__lt=end) | Q(passed_at__gte=start, passed_at__lt=end))
        .order_by("closed_at", "reference")
    )
    return _audit_sources(audits, with_decisions=True)


# --- certificates -------------------------------------------------------------------------------------


@dataclass
class CertificateSource:
    certificate: Certificate
    status: str  # at the end of the month
    status_since: date
    reason: str
    changed_in_month: bool
    issued_in_month: bool


def certificate_rows(month: ReportMonth) -> list[CertificateSource]:
    first, last = month.first_day, month.last_day
    changed = CertificateStatusChange.objects.filter(
        certificate=OuterRef("pk"), effective_on__range=(first, last)
    ).exclude(from_status="")
    history = CertificateStatusChange.objects.filter(effective_on__lte=last).order_by(
        "effective_on", "changed_at", "id"
    )
    certificates = (
        Certificate.objects.filter(Q(issued_on__range=(first, last)) | Exists(changed))
        .select_related("supersedes")
        .prefetch_related(Prefetch("status_changes", queryset=history, to_attr="history_to_month_end"))
        .order_by("issued_on", "number")
    )
    sources = []
    for certificate in certificates:
        history_rows = certificate.history_to_month_end
        latest = history_rows[-1] if history_rows else None
        in_month = [h for h in history_rows if h.from_status and first <= h.effective_on <= last]
        if latest is None:
            # A certificate without recorded history (should not happen): what it says now.
            status, since, reason = certificate.status, certificate.status_since, certificate.status_reason
        else:
            status, since, reason = latest.to_status, latest.effective_on, latest.reason
        sources.append(
            CertificateSource(certificate, status, since, reason, bool(in_month), month.contains(certificate.issued_on))
        )
    return sources
