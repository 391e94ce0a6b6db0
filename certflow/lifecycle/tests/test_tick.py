"""certflow tick: the lifecycle's steps, the transition boundary days, idempotency, refusals, concurrency."""

import threading
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from certflow.applications import services as application_services
from certflow.certificates import services as certificate_services
from certflow.certificates.domain import CertificateStatus as S
from certflow.certificates.models import Certificate, CertificateStatusChange
from certflow.core.events.models import Event
from certflow.lifecycle import ticking
from certflow.lifecycle.models import TickNotice, TickRun
from certflow.lifecycle.tests.conftest import DEADLINE, LAPSES_ON
from certflow.notifications.models import Notification
from certflow.reviews.services import nonconformity_raise
from certflow.reviews.tests.helpers import accepted_application, pdf_file

pytestmark = pytest.mark.django_db


def tick(day: date) -> str:
    out = StringIO()
    call_command("tick", "--date", day.isoformat(), stdout=out, stderr=out)
    return out.getvalue()


def world():
    return (
        Certificate.objects.count(),
        CertificateStatusChange.objects.count(),
        Event.objects.count(),
        Notification.objects.count(),
        list(Certificate.objects.order_by("pk").values_list("status", flat=True)),
    )


def test_legacy_certificate_is_still_valid_on_the_deadline_day_and_lapses_the_next(
    legacy, enterprise_a, user_a, client
):
    old = legacy(enterprise_a)
    tick(DEADLINE)
    old.refresh_from_db()
    assert old.status == S.VALID
    output = tick(LAPSES_ON)
    old.refresh_from_db()
    assert (old.status, old.status_since) == (S.LAPSED, LAPSES_ON)
    assert "过渡期" in old.status_reason
    change = old.status_changes.last()
    assert (change.from_status, change.to_status, change.changed_by) == (S.VALID, S.LAPSED, None)
    assert Notification.objects.filter(recipient=user_a, kind="certificate.lapse").count() == 1
    assert "lapsed=1" in output
    # The public page shows the stored status at once.
    page = client.get(f"/verify/c/{old.number}/")
    assert page.context["status"]["code"] == S.LAPSED and page.context["status"]["since"] == LAPSES_ON


def test_enterprise_recertified_on_the_deadline_day_keeps_its_legacy_certificate(
    legacy, issue, enterprise_a, enterprise_b
):
    kept = legacy(enterprise_a, "OLD-A")
    late = legacy(enterprise_b, "OLD-B")
    issue(enterprise_a, issued_on=DEADLINE, today=DEADLINE)
    issue(enterprise_b, issued_on=LAPSES_ON, today=LAPSES_ON)
    tick(LAPSES_ON)
    kept.refresh_from_db()
    late.refresh_from_db()
    assert kept.status == S.VALID
    assert late.status == S.LAPSED


def test_a_second_run_on_the_same_day_changes_nothing(legacy, enterprise_a):
    legacy(enterprise_a)
    tick(LAPSES_ON)
    before = world()
    runs = TickRun.objects.count()
    output = tick(LAPSES_ON)
    assert world() == before
    assert TickRun.objects.count() == runs
    assert "跳过" in output and "skipped" in output


def test_a_later_day_finds_nothing_left_to_do(legacy, enterprise_a):
    legacy(enterprise_a)
    tick(LAPSES_ON)
    before = world()
    tick(date(2026, 10, 17))
    assert world() == before
    assert TickRun.objects.filter(day=date(2026, 10, 17), status="done").count() == len(ticking.discover_steps())


def test_a_day_before_the_latest_run_is_refused_with_exit_code_2(legacy, enterprise_a):
    legacy(enterprise_a)
    tick(LAPSES_ON)
    before = world()
    with pytest.raises(CommandError) as exc:
        tick(DEADLINE)
    assert exc.value.returncode == 2 and "更早" in str(exc.value)
    with pytest.raises(CommandError) as exc:
        tick_raw = StringIO()
        call_command("tick", "--date", "2026-13-01", stdout=tick_raw)
    assert exc.value.returncode == 2
    assert world() == before


def test_future_date_runs_and_expires_what_is_due_then(legacy, enterprise_a):
    cert = legacy(enterprise_a, issued_on=date(2023, 6, 1), expires_on=date(2026, 6, 1))
    tick(date(2026, 6, 1))
    cert.refresh_from_db()
    assert cert.status == S.VALID
    tick(date(2026, 6, 2))
    cert.refresh_from_db()
    assert (cert.status, cert.status_since) == (S.EXPIRED, date(2026, 6, 2))


def test_suspension_past_the_maximum_is_revoked_with_the_reason(issue, enterprise_a, programme_manager, client):
    cert = issue(enterprise_a)
    certificate_services.certificate_suspend(
        by=programme_manager, certificate=cert, reason="严重不符合项", today=date(2026, 5, 20)
    )
    tick(date(2026, 11, 20))  # six months later: the last day it may stay suspended
    cert.refresh_from_db()
    assert cert.status == S.SUSPENDED
    tick(date(2026, 11, 21))
    cert.refresh_from_db()
    assert (cert.status, cert.status_since) == (S.REVOKED, date(2026, 11, 21))
    assert "暂停期满" in cert.status_reason and "2026-11-20" in cert.status_reason
    assert cert.status_changes.last().changed_by is None
    page = client.get(f"/verify/c/{cert.number}/")
    assert (page.context["status"]["code"], page.context["status"]["since"]) == (S.REVOKED, date(2026, 11, 21))


def test_restored_certificate_is_not_revoked(issue, enterprise_a, programme_manager):
    cert = issue(enterprise_a)
    certificate_services.certificate_suspend(
        by=programme_manager, certificate=cert, reason="x", today=date(2026, 5, 20)
    )
    certificate_services.certificate_restore(by=programme_manager, certificate=cert, today=date(2026, 6, 1))
    tick(date(2026, 11, 24))
    cert.refresh_from_db()
    assert cert.status == S.VALID


def test_overdue_nonconformity_is_escalated_once(enterprise_a, user_a, clerk, auditor, programme_manager):
    application = accepted_application(enterprise=enterprise_a, user=user_a, clerk=clerk, today=date(2026, 3, 2))
    nc = nonconformity_raise(
        by=auditor,
        application=application,
        stage="document_review",
        item_id="4.1-1",
        grade="minor",
        description="缺少记录",
        reported_on=date(2026, 3, 2),
    )
    Notification.objects.all().delete()
    tick(nc.due_date)
    assert not Notification.objects.filter(kind="nonconformity.overdue").exists()
    day = date.fromordinal(nc.due_date.toordinal() + 1)
    tick(day)
    sent = Notification.objects.filter(kind="nonconformity.overdue")
    assert set(sent.values_list("recipient", flat=True)) == {user_a.pk, programme_manager.pk}
    assert Event.objects.filter(action="nonconformity.escalated", target_id=str(nc.pk)).count() == 1
    tick(date.fromordinal(day.toordinal() + 1))
    assert Notification.objects.filter(kind="nonconformity.overdue").count() == 2
    assert TickNotice.objects.filter(kind="nonconformity.overdue").count() == 1


def submitted_application(enterprise, user, today):
    application = application_services.application_create(by=user, enterprise=enterprise, today=today)
    application_services.application_update_details(
        by=user,
        application=application,
        categories=["custom_furniture"],
        service_stages=["manufacturing"],
        service_description="定制家具",
    )
    application_services.site_add(by=user, application=application, kind="workshop", name="车间", address="深圳市")
    for code in application.scheme_version.as_scheme().material_codes:
        name, data = pdf_file(f"{code}.pdf", f"{enterprise.pk}-{code}")
        application_services.material_upload(by=user, application=application, material=code, name=name, data=data)
    application_services.declaration_set(by=user, application=application, made=True)
    return application_services.application_submit(by=user, application=application, today=today)


def test_acceptance_deadline_reminds_the_clerks_once(enterprise_a, user_a, clerk):
    application = submitted_application(enterprise_a, user_a, date(2026, 11, 16))
    due = application.acceptance_due
    tick(date.fromordinal(due.toordinal() - 1))
    assert not Notification.objects.filter(kind="application.acceptance_due").exists()
    tick(due)
    reminders = Notification.objects.filter(kind="application.acceptance_due")
    assert list(reminders.values_list("recipient", flat=True)) == [clerk.pk]
    assert "今日到期" in reminders.get().title
    tick(date.fromordinal(due.toordinal() + 1))
    assert reminders.count() == 1


def test_a_failing_step_is_reported_and_retried_while_the_others_run(legacy, enterprise_a):
    legacy(enterprise_a)
    calls = []

    def broken(day):
        calls.append(day)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return {"fixed": 1}

    steps = ticking.discover_steps() + [ticking.TickStep("test.broken", "坏", "broken", broken, order=99)]
    results = ticking.run_tick(LAPSES_ON, steps=steps)
    assert {r.step.name: r.outcome for r in results}["test.broken"] == "failed"
    assert Certificate.objects.get().status == S.LAPSED  # the other steps ran
    assert TickRun.objects.filter(step="test.broken", status="failed").count() == 1
    results = ticking.run_tick(LAPSES_ON, steps=steps)
    assert [r.outcome for r in results if r.step.name == "test.broken"] == ["done"]
    assert [r.outcome for r in results if r.step.name != "test.broken"] == ["skipped"] * (len(steps) - 1)


def test_command_exit_code_1_when_a_step_fails(monkeypatch, db):
    def boom(day):
        raise RuntimeError("boom")

    monkeypatch.setattr(ticking, "discover_steps", lambda: [ticking.TickStep("x.boom", "坏", "broken", boom)])
    with pytest.raises(CommandError) as exc:
        tick(date(2026, 11, 24))
    assert exc.value.returncode == 1


def test_steps_are_discovered_from_installed_apps_and_names_must_be_unique(monkeypatch):
    names = [s.name for s in ticking.discover_steps()]
    assert names[:4] == [
        "certificates.expiries_and_lapses",
        "certificates.suspension_max",
        "nonconformities.overdue",
        "applications.acceptance_due",
    ]
    from certflow.lifecycle import tick as lifecycle_tick

    original = lifecycle_tick.tick_steps
    monkeypatch.setattr(lifecycle_tick, "tick_steps", lambda: original() + original()[:1])
    with pytest.raises(RuntimeError, match="same name"):
        ticking.discover_steps()


@pytest.mark.django_db(transaction=True)
def test_two_runners_at_once_do_the_work_once(legacy, enterprise_a, programme_manager):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers; the concurrent path needs PostgreSQL (DATABASE_URL)")
    for n in range(5):
        legacy(enterprise_a, f"OLD-{n}")
    barrier = threading.Barrier(4)
    results, errors = [], []

    def runner():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(ticking.run_tick(LAPSES_ON))
        except Exception as exc:  # collected for the assertion below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=runner) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert CertificateStatusChange.objects.filter(to_status=S.LAPSED).count() == 5
    assert Event.objects.filter(action="certificate.lapse").count() == 5
    done = [r for run in results for r in run if r.outcome == "done" and r.step.name.endswith("lapses")]
    assert len(done) == 1 and done[0].counts["lapsed"] == 5
    assert TickRun.objects.filter(day=LAPSES_ON, step="certificates.expiries_and_lapses").count() == 1
