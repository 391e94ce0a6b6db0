"""The surveillance programme's step of `certflow tick` (extension point: certflow/lifecycle/ticking.py)."""

from certflow.lifecycle.ticking import TickStep


def _run(day):
    from certflow.surveillance.services import surveillance_sweep

    return surveillance_sweep(day)


def tick_steps() -> list[TickStep]:
    return [TickStep("surveillance.due", "监督审核提醒", "surveillance due and overdue", _run, order=50)]
