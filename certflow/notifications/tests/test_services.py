"""Notifications and their e-mail outbox: written with the action, sent after commit, retried, never sent twice."""

from datetime import timedelta
from smtplib import SMTPRecipientsRefused

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from certflow.core.testing.factories import UserFactory
from certflow.notifications import services
from certflow.notifications.models import EmailStatus, Notification
from certflow.notifications.services import backoff_delay, deliver_pending, notifications_mark_read, notify

pytestmark = pytest.mark.django_db

HERE = "certflow.notifications.tests.test_services"


class DownBackend(BaseEmailBackend):
    """The mail server cannot be reached."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


class RefusingBackend(BaseEmailBackend):
    """The server is up but refuses every message."""

    def send_messages(self, messages):
        raise SMTPRecipientsRefused({m.to[0]: (550, b"mailbox unavailable") for m in messages})


class ReentrantBackend(LocmemBackend):
    """While sending, a second runner starts: it must find nothing left to send."""

    second_run = None

    def send_messages(self, messages):
        if ReentrantBackend.second_run is None:
            ReentrantBackend.second_run = "running"
            ReentrantBackend.second_run = deliver_pending(now=timezone.now() + timedelta(minutes=5))
        return super().send_messages(messages)


def accepted(recipients, **kwargs):
    options = {
        "kind": "application.accepted",
        "title": "申请已受理 / Application accepted",
        "body": "您的认证申请已受理。\nYour application has been accepted.",
        "url": "/applications/1/",
    }
    return notify(recipients=recipients, **{**options, **kwargs})


# --- notify ---------------------------------------------------------------------------------------------


def test_notify_writes_one_row_per_recipient_and_mails_them_after_commit(
    user_a, clerk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rows = accepted([user_a, clerk, user_a])
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert [n.recipient for n in rows] == [user_a, clerk]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([user_a.email, clerk.email])
    for row in Notification.objects.all():
        assert row.email_status == EmailStatus.SENT
        assert row.email_attempts == 1 and row.email_sent_at is not None and row.next_attempt_at is None


def test_the_email_carries_title_body_and_a_link_to_the_site(user_a, settings, django_capture_on_commit_callbacks):
    settings.CERTFLOW = {**settings.CERTFLOW, "SITE_URL": "https://cert.example/"}
    with django_capture_on_commit_callbacks(execute=True):
        accepted([user_a])
    (message,) = mail.outbox
    assert message.subject == "[欧利斯认证 certflow] 申请已受理 / Application accepted"
    assert "您的认证申请已受理。" in message.body and "Your application has been accepted." in message.body
    assert "https://cert.example/applications/1/" in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_rolled_back_action_notifies_nobody(user_a, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        accepted([user_a])
        raise RuntimeError("the action failed after notifying")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_users_without_email_or_inactive_get_the_in_app_notification_only(django_capture_on_commit_callbacks):
    inactive = UserFactory(is_active=False)
    no_email = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        rows = accepted([inactive, no_email])
    assert {n.email_status for n in rows} == {EmailStatus.SKIPPED}
    assert mail.outbox == []
    assert deliver_pending().sent == 0


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "applications/1/", "/a b", "/\\evil"])
def test_links_must_stay_inside_certflow(user_a, url):
    with pytest.raises(ValueError, match="path inside certflow"):
        accepted([user_a], url=url)
    assert not Notification.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("kind", "Accepted!"), ("kind", ""), ("title", ""), ("title", "a\nb")])
def test_kind_and_title_are_checked(user_a, field, value):
    with pytest.raises(ValueError):
        accepted([user_a], **{field: value})


def test_an_enterprise_user_is_never_told_about_another_enterprise(user_a, user_b, enterprise_a, clerk):
    with pytest.raises(ValueError, match="not members"):
        accepted([user_a, user_b], enterprise=enterprise_a)
    assert not Notification.objects.exists()
    assert len(accepted([user_a, clerk], enterprise=enterprise_a)) == 2  # members and CB staff may be


# --- the outbox when the mail server is down ------------------------------------------------------------------


@override_settings(EMAIL_BACKEND=f"{HERE}.DownBackend")
def test_smtp_down_keeps_the_row_pending_and_a_later_run_sends_it_once(user_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = accepted([user_a])
    row.refresh_from_db()
    assert row.email_status == EmailStatus.PENDING
    assert row.email_attempts == 1
    assert "ConnectionRefusedError" in row.email_last_error
    assert row.next_attempt_at > timezone.now()
    assert row.read_at is None and Notification.objects.filter(recipient=user_a).count() == 1  # seen in the app

    # Not due yet: nothing is tried.
    assert deliver_pending(now=row.next_attempt_at - timedelta(seconds=1)).retry == 0

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        report = deliver_pending(now=row.next_attempt_at)
        again = deliver_pending(now=row.next_attempt_at + timedelta(days=1))
    assert (report.sent, again.sent) == (1, 0)
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.email_status == EmailStatus.SENT and row.email_attempts == 2
    assert "ConnectionRefusedError" in row.email_last_error  # the history of the failure stays


@override_settings(EMAIL_BACKEND=f"{HERE}.RefusingBackend")
def test_a_refused_message_waits_for_its_next_attempt(user_a):
    (row,) = accepted([user_a])
    now = timezone.now()
    report = deliver_pending(now=now)
    assert (report.sent, report.retry) == (0, 1)
    row.refresh_from_db()
    assert "SMTPRecipientsRefused" in row.email_last_error
    assert row.next_attempt_at == now + timedelta(minutes=1)


def test_the_back_off_grows_then_repeats():
    assert [backoff_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 5, 15, 60)]
    assert backoff_delay(7) == backoff_delay(50) == timedelta(minutes=720)


@override_settings(EMAIL_BACKEND=f"{HERE}.DownBackend", CERTFLOW_NOTIFICATION_MAX_ATTEMPTS=3)
def test_after_the_last_allowed_attempt_the_email_is_given_up_as_failed(user_a):
    (row,) = accepted([user_a])
    now = timezone.now()
    reports = []
    for _ in range(3):
        reports.append(deliver_pending(now=now))
        row.refresh_from_db()
        now = row.next_attempt_at or now
    assert [(r.retry, r.failed) for r in reports] == [(1, 0), (1, 0), (0, 1)]
    assert row.email_status == EmailStatus.FAILED and row.email_attempts == 3 and row.next_attempt_at is None
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert deliver_pending(now=now + timedelta(days=30)).sent == 0
    assert mail.outbox == []
    assert Notification.objects.get(pk=row.pk).read_at is None  # the in-app notification is still there


# --- never twice ------------------------------------------------------------------------------------------


def test_two_runs_do_not_send_twice(user_a, clerk):
    accepted([user_a, clerk])
    first, second = deliver_pending(), deliver_pending()
    assert (first.sent, second.sent) == (2, 0)
    assert len(mail.outbox) == 2


@override_settings(EMAIL_BACKEND=f"{HERE}.ReentrantBackend")
def test_a_second_runner_during_a_send_finds_every_row_claimed(user_a, clerk):
    ReentrantBackend.second_run = None
    accepted([user_a, clerk])
    first = deliver_pending()
    assert first.sent == 2
    assert ReentrantBackend.second_run.sent == 0
    assert len(mail.outbox) == 2


def test_a_claim_left_by_a_crashed_runner_lapses_and_the_row_is_sent_later(user_a):
    (row,) = accepted([user_a])
    now = timezone.now()
    token, claimed = services._claim(now, 10, None)  # a runner claims, then dies before sending
    assert [n.pk for n in claimed] == [row.pk]
    assert deliver_pending(now=now).sent == 0
    assert deliver_pending(now=now + timedelta(minutes=services.DEFAULT_CLAIM_MINUTES)).sent == 1
    assert len(mail.outbox) == 1


def test_a_user_deactivated_before_the_send_is_skipped(user_a):
    (row,) = accepted([user_a])
    user_a.is_active = False
    user_a.save(update_fields=["is_active"])
    assert deliver_pending().skipped == 1
    row.refresh_from_db()
    assert row.email_status == EmailStatus.SKIPPED and mail.outbox == []


@override_settings(CERTFLOW_NOTIFICATION_CLAIM_MINUTES=0)
def test_a_run_that_runs_out_of_time_hands_its_rows_back(user_a):
    accepted([user_a])
    report = deliver_pending()
    assert (report.sent, report.deferred) == (0, 1)
    assert deliver_pending(now=timezone.now() + timedelta(seconds=1)).deferred == 1  # still due, not lost


def test_limit_caps_one_run(user_a, clerk, auditor):
    accepted([user_a, clerk, auditor])
    assert deliver_pending(limit=2).sent == 2
    assert deliver_pending(limit=2).sent == 1


# --- reading ------------------------------------------------------------------------------------------------


def test_mark_read_touches_only_the_users_own_rows(user_a, user_b):
    (mine,) = accepted([user_a])
    (theirs,) = accepted([user_b])
    assert notifications_mark_read(user=user_a, ids=[mine.pk, theirs.pk]) == 1
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert notifications_mark_read(user=user_a) == 0


# --- the command ----------------------------------------------------------------------------------------------


def test_the_command_sends_what_is_due_and_prints_the_counts(user_a, capsys):
    accepted([user_a])
    call_command("send_notifications")
    out = capsys.readouterr().out
    assert "已发送 1" in out and "sent 1" in out
    assert len(mail.outbox) == 1


def test_the_command_refuses_a_bad_limit():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="positive whole number"):
        call_command("send_notifications", "--limit", "0")


# --- concurrent senders on PostgreSQL -----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_send_each_email_exactly_once():
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED matters on PostgreSQL; SQLite serialises writers itself")
    now = timezone.now()
    users = [UserFactory() for _ in range(40)]
    for user in users:  # rows written directly: no after-commit send, so the runners find them all
        Notification.objects.create(recipient=user, kind="test.concurrency", title="t", body="b", next_attempt_at=now)
    runners = 6
    start = threading.Barrier(runners)
    errors: list[BaseException] = []

    def run():
        try:
            start.wait()
            while deliver_pending(limit=3).sent:
                pass
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.SENT}
