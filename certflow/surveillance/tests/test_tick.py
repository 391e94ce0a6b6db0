"""The sweep step surveillance.due: once when a window opens, once when it closed with no audit held."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from certflow.audits.services import planning
from certflow.core.events.models import Event
from certflow.lifecycle.ticking import discover_steps, run_tick
from certflow.notifications.models import Notification
from certflow.surveillance.models import SurveillanceReminder
from certflow.surveillance.services import surveillance_sweep

OPENS = date(2026, 5, 11)  # window 1 of a certificate issued 2025-08-11
CLOSES = date(2026, 8, 11)


def kinds(user):
    return list(
        Notification.objects.filter(recipient=user, kind__startswith="surveillance.").values_list("kind", flat=True)
    )


def test_the_step_is_discovered_in_order():
    step = next(s for s in discover_steps() if s.name == "surveillance.due")
    assert step.order == 50


def test_reminded_once_when_the_window_opens(cert_a, programme_manager, user_a, user_b):
    assert surveillance_sweep(date(2026, 5, 10)) == {"opened": 0, "overdue": 0}
    assert surveillance_sweep(OPENS) == {"opened": 1, "overdue": 0}
    assert surveillance_sweep(OPENS) == {"opened": 0, "overdue": 0}
    assert surveillance_sweep(date(2026, 5, 12)) == {"opened": 0, "overdue": 0}
    assert kinds(programme_manager) == ["surveillance.due"]
    assert kinds(user_a) == ["surveillance.due"]
    assert kinds(user_b) == []
    assert SurveillanceReminder.objects.get().day == OPENS


def test_overdue_flagged_the_day_after_closing_once(cert_a, programme_manager, user_a):
    assert surveillance_sweep(CLOSES)["overdue"] == 0
    assert surveillance_sweep(date(2026, 8, 12)) == {"opened": 0, "overdue": 1}
    assert surveillance_sweep(date(2026, 8, 13)) == {"opened": 0, "overdue": 0}
    assert kinds(programme_manager).count("surveillance.overdue") == 1
    assert "surveillance.overdue" not in kinds(user_a)
    assert Event.objects.filter(action="surveillance.overdue", target_id=str(cert_a.pk)).count() == 1


def test_planned_windows_are_not_reminded(cert_a, programme_manager):
    planning.surveillance_audit_create(by=programme_manager, certificate=cert_a, today=date(2026, 5, 1))
    assert surveillance_sweep(OPENS) == {"opened": 0, "overdue": 0}


def test_through_the_tick_runner_a_second_run_is_skipped(cert_a, programme_manager):
    results = {r.step.name: r for r in run_tick(OPENS)}
    assert results["surveillance.due"].outcome == "done"
    assert results["surveillance.due"].counts == {"opened": 1, "overdue": 0}
    again = {r.step.name: r for r in run_tick(OPENS)}
    assert again["surveillance.due"].outcome == "skipped"
    assert SurveillanceReminder.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_tell_once(programme_manager, enterprise_a, user_a):
    """Two sweeps of the same day started together (not through the runner): the reminder row's unique
    constraint makes the second wait for the first and then tell nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the constraint matters on PostgreSQL")
    from certflow.surveillance.tests.helpers import issue

    issue(programme_manager, enterprise_a)
    start = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            start.wait()
            with transaction.atomic():
                results.append(surveillance_sweep(OPENS))
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(r["opened"] for r in results) == [0, 1]
    assert SurveillanceReminder.objects.count() == 1
    assert Notification.objects.filter(recipient=programme_manager, kind="surveillance.due").count() == 1
