"""The lifecycle's contribution to `certflow tick` (see certflow/lifecycle/ticking.py for the extension point).

Surveillance due (issue 7, surveillance) and survey reminders (certflow/surveys/tick.py) are added by those apps
in their own `tick.py`; nothing here needs to change for them.
"""

from certflow.lifecycle import recertification, sweeps
from certflow.lifecycle.ticking import TickStep


def tick_steps() -> list[TickStep]:
    return [
        TickStep(
            "certificates.expiries_and_lapses",
            "证书到期与过渡期失效",
            "certificate expiries and lapses",
            sweeps.certificates_step,
            order=10,
        ),
        TickStep(
            "certificates.suspension_max",
            "暂停期满撤销",
            "suspensions past the maximum",
            sweeps.suspension_max_step,
            order=20,
        ),
        TickStep(
            "nonconformities.overdue",
            "整改逾期提醒",
            "overdue corrective actions",
            sweeps.overdue_nonconformities_step,
            order=30,
        ),
        TickStep(
            "applications.acceptance_due",
            "受理期限提醒",
            "acceptance deadlines due",
            sweeps.acceptance_due_step,
            order=40,
        ),
        TickStep(
            "certificates.recertification_reminders",
            "再认证提醒",
            "re-certification reminders",
            recertification.recertification_reminders_step,
            order=50,
        ),
    ]
