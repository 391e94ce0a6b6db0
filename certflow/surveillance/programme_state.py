"""Each certificate's next surveillance obligation, kept in step with its audits (NextObligation; decisions SV11).

The programme itself is still computed by the pure domain (`domain.programme`); this module stores the one
fact of it the dashboard needs for every certificate at once (which obligation is next, its window, whether
an audit is planned for it) so that counting, filtering and paging run in the database. The day is left out
on purpose: it only turns the stored window into a state, which the query does (`state_on`).
"""

from collections.abc import Sequence
from datetime import date

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.signals import post_delete, post_save

from certflow.audits.domain import AuditType
from certflow.certificates.models import Certificate
from certflow.surveillance import domain
from certflow.surveillance.domain import ObligationState
from certflow.surveillance.models import NextObligation

BATCH = 2000
# The audits whose save can change a programme: initial-certification audits never count for one.
COUNTING_AUDITS = (AuditType.SURVEILLANCE, AuditType.RECERTIFICATION)


def compute(certificates: Sequence[Certificate]) -> list[NextObligation]:
    """The next obligation of each certificate (in force, current scheme), from its audits. Two queries."""
    from certflow.surveillance.selectors import audit_facts, certificate_windows

    facts = audit_facts(certificates)
    rows = []
    for cert in certificates:
        # date.min: no window is overdue or open yet, so what is left is what the audits decided: held
        # (done) or not, planned or not.
        obligations = domain.programme(certificate_windows(cert), facts.get(cert.pk, []), date.min)
        nxt = domain.next_obligation(obligations)
        if nxt is None:
            rows.append(NextObligation(certificate_id=cert.pk))
            continue
        rows.append(
            NextObligation(
                certificate_id=cert.pk,
                window=nxt.window.number,
                opens=nxt.window.opens,
                closes=nxt.window.closes,
                recertification_counts=nxt.window.recertification_counts,
                planned=nxt.state == ObligationState.PLANNED,
                planned_late=nxt.planned_late,
            )
        )
    return rows


def refresh_enterprise(enterprise_id: int) -> None:
    """Recompute the next obligation of every certificate of the enterprise in force; drop the others' rows.

    The whole enterprise, because its re-certification audits count for each of its certificates (SV3) and a
    scope-reduced replacement takes over its predecessor's audits (SV10)."""
    from certflow.surveillance.selectors import in_force

    certs = list(in_force().filter(enterprise_id=enterprise_id))
    NextObligation.objects.filter(certificate__enterprise_id=enterprise_id).delete()
    NextObligation.objects.bulk_create(compute(certs), ignore_conflicts=True)


def fill_missing(certificates: QuerySet[Certificate] | None = None) -> int:
    """Compute the rows of certificates in force that have none (issued by a bulk path, or before this table
    existed). One query when nothing is missing; returns how many were filled."""
    from certflow.surveillance.selectors import in_force

    missing = in_force().filter(next_obligation__isnull=True)
    if certificates is not None:
        missing = missing.filter(pk__in=certificates.values("pk"))
    filled = 0
    batch = list(missing.order_by("pk")[:BATCH])
    while batch:
        # ignore_conflicts: two readers filling the same certificate at once write the same row.
        NextObligation.objects.bulk_create(compute(batch), ignore_conflicts=True)
        filled += len(batch)
        if len(batch) < BATCH:
            break
        batch = list(missing.filter(pk__gt=batch[-1].pk).order_by("pk")[:BATCH])
    return filled


def refresh_all() -> int:
    """Recompute every row (`certflow tick` leaves them alone; this is for repairs and after data imports)."""
    NextObligation.objects.all().delete()
    return fill_missing()


def state_on(on: date) -> Case:
    """The next obligation's state on `on`, in SQL: the same rules as `domain.obligation` (SV4)."""
    return Case(
        When(next_obligation__window__isnull=True, then=Value(ObligationState.DONE.value)),
        When(next_obligation__closes__lt=on, then=Value(ObligationState.OVERDUE.value)),
        When(next_obligation__planned=True, then=Value(ObligationState.PLANNED.value)),
        When(next_obligation__opens__lte=on, then=Value(ObligationState.DUE.value)),
        default=Value(ObligationState.NOT_YET_OPEN.value),
    )


def state_rank(on: date) -> Case:
    """The dashboard's order of states (overdue first), in SQL."""
    from certflow.surveillance.selectors import STATE_ORDER

    return Case(
        When(next_obligation__window__isnull=True, then=Value(STATE_ORDER[ObligationState.DONE])),
        When(next_obligation__closes__lt=on, then=Value(STATE_ORDER[ObligationState.OVERDUE])),
        When(next_obligation__planned=True, then=Value(STATE_ORDER[ObligationState.PLANNED])),
        When(next_obligation__opens__lte=on, then=Value(STATE_ORDER[ObligationState.DUE])),
        default=Value(STATE_ORDER[ObligationState.NOT_YET_OPEN]),
        output_field=IntegerField(),
    )


# --- keeping the rows in step ---------------------------------------------------------------------------


def _audit_saved(sender, instance, raw=False, **kwargs):
    if raw or instance.audit_type not in COUNTING_AUDITS:
        return
    refresh_enterprise(instance.enterprise_id)


def _certificate_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    refresh_enterprise(instance.enterprise_id)


def connect() -> None:
    """Called once from SurveillanceConfig.ready(). Saves go through the ORM in every service; the few
    `QuerySet.update()` calls on audits (demo back-dating) call `refresh_enterprise` themselves."""
    from certflow.audits.models import Audit

    post_save.connect(_audit_saved, sender=Audit, dispatch_uid="surveillance-next-audit-saved")
    post_delete.connect(_audit_saved, sender=Audit, dispatch_uid="surveillance-next-audit-deleted")
    post_save.connect(_certificate_saved, sender=Certificate, dispatch_uid="surveillance-next-certificate-saved")
