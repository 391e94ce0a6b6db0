"""Provisional correction deadlines become final when their year's holiday schedule is entered (R10)."""

from django.db import transaction

from certflow.core.events.services import record_event
from certflow.reviews.models import Nonconformity
from certflow.reviews.services.common import correction_due_info, enterprise_users, notify


def settle_provisional_deadlines(*, by) -> int:
    """Recompute every provisional deadline the calendar can now settle; returns how many were settled.

    Runs inside the calendar change's transaction (see `certflow.core.workdays.services.on_calendar_change`).
    """
    settled = 0
    with transaction.atomic():
        pending = (
            Nonconformity.objects.select_for_update(of=("self",))
            .select_related(
                "application__scheme_version",
                "application__enterprise",
                "certificate__scheme_version",
                "certificate__enterprise",
            )
            .filter(due_provisional=True)
            .order_by("pk")
        )
        for nc in pending:
            due_date, provisional = correction_due_info(nc.owner, nc.grade, nc.reported_on)
            if provisional:
                continue
            before = nc.due_date
            nc.due_date, nc.due_provisional = due_date, False
            nc.save(update_fields=["due_date", "due_provisional"])
            record_event(
                actor=by,
                action="nonconformity.due_date_settled",
                target=nc,
                before={"due_date": before, "due_provisional": True},
                after={"due_date": due_date, "due_provisional": False},
                reason="节假日安排已录入 / the holiday schedule of that year was entered",
            )
            if due_date != before:
                notify(
                    recipients=enterprise_users(nc.owner),
                    kind="nonconformity.due_date_settled",
                    enterprise=nc.owner.enterprise,
                    title=f"不符合项 {nc.number} 的整改期限顺延至 {due_date:%Y-%m-%d}",
                    body=f"原暂定期限 {before:%Y-%m-%d} 为法定节假日，依法顺延至下一工作日。",
                    url=f"/reviews/nonconformities/{nc.pk}/",
                )
            settled += 1
    return settled
