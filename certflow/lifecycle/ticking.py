"""`certflow tick`: the daily sweep, made of steps that apps contribute (decisions L4, L5).

Extension point: any installed app may have a module `<app>/tick.py` with a function `tick_steps()` returning
a list of `TickStep`. Steps run in INSTALLED_APPS order, then by their `order`. A step is `run(day) -> counts`
and must be safe to run again (the runner skips a step already done for that day, but a failed step is retried).

Once per (day, step): the step runs inside one transaction that first inserts its `TickRun` row; the row's
partial unique constraint (status done) makes a second runner's insert wait for the first to commit (PostgreSQL)
and then fail, so it skips; on SQLite the whole database is one writer. A failing step rolls back its work and
leaves a "failed" row as history; the next run tries it again.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from certflow.lifecycle import domain
from certflow.lifecycle.models import TickRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickStep:
    name: str  # stable, e.g. "certificates.expiries"; it is the TickRun key
    label_zh: str
    label_en: str
    run: Callable[[date], dict[str, int]]
    order: int = 100


@dataclass
class StepResult:
    step: TickStep
    outcome: str  # done | skipped | failed
    counts: dict[str, int] = field(default_factory=dict)
    error: str = ""


def discover_steps() -> list[TickStep]:
    steps: list[TickStep] = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.tick"
        if find_spec(module_name) is None:
            continue
        module = import_module(module_name)
        provider = getattr(module, "tick_steps", None)
        if callable(provider):
            steps.extend(provider())
    names = [s.name for s in steps]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise RuntimeError(f"tick steps with the same name: {', '.join(duplicates)}")
    return sorted(steps, key=lambda s: s.order)


def latest_day() -> date | None:
    return TickRun.objects.filter(status=TickRun.Status.DONE).aggregate(latest=Max("day"))["latest"]


def _run_once(step: TickStep, day: date) -> StepResult:
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    run = TickRun.objects.create(day=day, step=step.name, status=TickRun.Status.DONE)
            except IntegrityError:
                return StepResult(step, "skipped")
            counts = step.run(day) or {}
            run.counts, run.finished_at = counts, timezone.now()
            run.save(update_fields=["counts", "finished_at"])
            return StepResult(step, "done", counts)
    except Exception as exc:  # one broken step must not stop the others; it is retried on the next run
        log.exception("tick step %s failed for %s", step.name, day)
        TickRun.objects.create(
            day=day, step=step.name, status=TickRun.Status.FAILED, error=repr(exc)[:2000], finished_at=timezone.now()
        )
        return StepResult(step, "failed", error=str(exc))


def run_tick(day: date | None = None, *, steps: list[TickStep] | None = None) -> list[StepResult]:
    """Run every step for `day` (today in Asia/Shanghai by default). RuleViolation for a day before the latest run."""
    day = day or timezone.localdate()
    domain.check_tick_day(day, latest_day())
    return [_run_once(step, day) for step in (discover_steps() if steps is None else steps)]
