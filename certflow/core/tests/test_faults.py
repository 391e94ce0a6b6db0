# ruff: noqa: F811 — the shared fixtures are imported by name and then requested as arguments
"""Issue 10 item 6, the faults not shown elsewhere: the mail server down, the disk full during an upload, a
crash in the middle of `certflow tick`. Each through the real services, pages, API and commands.

(The database-unreachable part is in certflow/core/tests/test_security_headers.py.)
"""

import errno
import re
import smtplib
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.utils import timezone

from certflow.applications import services as application_services
from certflow.applications.models import MaterialFile
from certflow.applications.tests.factories import draft
from certflow.audits.models import FindingFile
from certflow.certificates.domain import CertificateStatus
from certflow.certificates.models import Certificate, CertificateStatusChange
from certflow.core.events.models import Event
from certflow.core.tests import hostile
from certflow.core.tests.test_hostile_uploads import (
    ACTION,
    _quiet_world,  # noqa: F401 - the same standing settings as the upload tests
    api_client,
    application_doors,  # noqa: F401
    evidence_doors,  # noqa: F401
    finding_doors,  # noqa: F401
    nonconformity,  # noqa: F401
    post,
    started_audit,  # noqa: F401
    storage_snapshot,
    survey,  # noqa: F401
    survey_doors,  # noqa: F401
    text_of,
)
from certflow.lifecycle.models import TickRun
from certflow.notifications.models import Notification
from certflow.reviews.models import CorrectiveAction, CorrectiveEvidence
from certflow.surveys.models import ImportJob

pytestmark = pytest.mark.django_db

TRACEBACK = re.compile(r"Traceback|OSError|Errno|No space left|File \"/", re.I)


# --- the mail server is down ---------------------------------------------------------------------------


class MailServerDown(BaseEmailBackend):
    """What the SMTP backend raises when nothing listens on the port (or it drops the connection)."""

    def open(self):
        raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def send_notifications() -> str:
    out = StringIO()
    call_command("send_notifications", stdout=out)
    return out.getvalue()


def test_notifications_wait_in_the_outbox_while_smtp_is_down_and_go_out_once_when_it_is_back(
    settings, monkeypatch, enterprise_a, user_a, clerk, django_capture_on_commit_callbacks
):
    application = draft(enterprise_a, user_a, complete=True)
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail is tried at once after the commit
        application_services.application_submit(by=user_a, application=application)
    outbox = Notification.objects.filter(kind__startswith="application.", recipient=clerk)
    assert outbox.count() == 1
    row = outbox.get()
    assert (row.email_status, row.email_attempts) == ("pending", 1)
    assert "refused" in row.email_last_error.lower() and row.next_attempt_at > timezone.now()
    assert mail.outbox == []

    # Still down at the next attempt: the row waits again, longer; nothing is lost, nothing is sent.
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=2))
    assert "to retry 1" in send_notifications()
    row.refresh_from_db()
    assert (row.email_status, row.email_attempts) == ("pending", 2)
    assert row.next_attempt_at == start + timedelta(minutes=2) + timedelta(minutes=5)

    # Before the back-off has passed the command leaves it alone, even with the server back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert "sent 0" in send_notifications()
    # The server is back and the time has come: sent once, to the right person.
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=8))
    assert "sent 1" in send_notifications()
    row.refresh_from_db()
    assert (row.email_status, row.email_attempts, row.next_attempt_at) == ("sent", 3, None)
    assert [m.to for m in mail.outbox] == [[clerk.email]]
    assert row.title in mail.outbox[0].subject
    # Running again sends nothing twice.
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(days=1))
    assert "sent 0" in send_notifications()
    assert len(mail.outbox) == 1


# --- the disk is full (or the storage fails) during an upload ------------------------------------------


@pytest.fixture
def disk_full(monkeypatch):
    """Call it to fill the disk (after the world is built): the storage writes part of the file, then
    fails with ENOSPC, as a local disk does. Returns the names it was asked to save."""
    real_save = InMemoryStorage._save
    calls = []

    def save(self, name, content):
        calls.append(name)
        real_save(self, name, ContentFile(content.read(64)))  # the half-written file a full disk leaves
        raise OSError(errno.ENOSPC, "No space left on device")

    def fill():
        monkeypatch.setattr(InMemoryStorage, "_save", save)
        return calls

    return fill


ROWS = (MaterialFile, CorrectiveAction, CorrectiveEvidence, FindingFile, ImportJob)
STORING_DOORS = [
    pytest.param("application_doors", 0, id="application-page"),
    pytest.param("application_doors", 1, id="application-api"),
    pytest.param("evidence_doors", 0, id="evidence-page"),
    pytest.param("evidence_doors", 1, id="evidence-api"),
    pytest.param("finding_doors", 0, id="finding-page"),
    pytest.param("finding_doors", 1, id="finding-api"),
    pytest.param("survey_doors", 0, id="survey-page"),
    pytest.param("survey_doors", 1, id="survey-api"),
]


def world():
    return [model.objects.count() for model in ROWS] + [Event.objects.count()]


def upload_on_a_full_disk(request, doors_fixture, which, disk_full):
    _, doors = request.getfixturevalue(doors_fixture)
    door = doors[which]
    before, files = world(), storage_snapshot()
    asked = disk_full()
    if doors_fixture == "survey_doors":
        response = door.send("客户名单.csv", hostile.CSV_UTF8)
    else:
        response = door.send("材料.pdf", hostile.pdf(comment=b"disk full"))
    assert asked, "the storage was never asked to save: the fault was not exercised"
    return door, response, (before, files)


@pytest.mark.parametrize(("doors_fixture", "which"), [(p.values[0], p.values[1]) for p in STORING_DOORS])
def test_a_full_disk_during_an_upload_leaves_no_record_no_event_and_no_half_file(
    request, doors_fixture, which, disk_full
):
    _, _, (before, files) = upload_on_a_full_disk(request, doors_fixture, which, disk_full)
    assert world() == before
    assert storage_snapshot() == files  # the 64 bytes written before ENOSPC were removed


@pytest.mark.parametrize(("doors_fixture", "which"), STORING_DOORS)
def test_a_full_disk_during_an_upload_is_answered_with_a_clear_message_without_traceback(
    request, doors_fixture, which, disk_full
):
    door, response, _ = upload_on_a_full_disk(request, doors_fixture, which, disk_full)
    text = text_of(response)
    assert response.status_code < 500, f"{door.name}: {response.status_code}"
    assert 400 <= response.status_code < 500 or (not door.api and response.status_code == 200), door.name
    assert "服务器保存文件失败" in text, door.name
    if door.api:
        assert "could not save the file" in text
    assert not TRACEBACK.search(text), door.name


def test_when_the_second_evidence_file_hits_the_full_disk_the_first_is_not_left_behind(
    evidence_doors, user_a, monkeypatch
):
    """One report with two evidence files: the first is stored, the disk fills up on the second. The report
    is refused as a whole — and the first file must not stay in storage without a record."""
    nonconformity, _ = evidence_doors
    real_save = InMemoryStorage._save
    saved = []

    def save(self, name, content):
        saved.append(name)
        if len(saved) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(InMemoryStorage, "_save", save)
    before, files = world(), storage_snapshot()
    files_sent = [("files", f"证据{i}.pdf", hostile.pdf(comment=b"two %d" % i)) for i in range(2)]
    response = post(
        api_client(user_a), "/api/v1/corrective-actions/", {"nonconformity": nonconformity.pk, **ACTION}, files_sent
    )
    assert response.status_code == 400 and "服务器保存文件失败" in text_of(response)
    assert world() == before
    assert storage_snapshot() == files, "an evidence file without a record was left in storage"


# --- a crash in the middle of `certflow tick` ----------------------------------------------------------

DEADLINE, LAPSES_ON = date(2026, 10, 15), date(2026, 10, 16)


def tick(day: date) -> str:
    out = StringIO()
    call_command("tick", "--date", day.isoformat(), stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def legacy_certificates(settings, programme_manager, enterprise_a, enterprise_b, user_a, user_b):
    from certflow.certificates import services as certificate_services
    from certflow.certificates import signing

    settings.CERTFLOW_CERTIFICATE_SIGNING_KEY = signing.new_seed()
    settings.CERTFLOW_CERTIFICATE_RETIRED_PUBLIC_KEYS = []
    cache.clear()
    made = [
        certificate_services.legacy_certificate_create(
            by=programme_manager,
            enterprise=enterprise,
            number=number,
            scheme_code="旧版",
            scheme_version_label="旧版",
            grade_code="legacy",
            grade_name="三星",
            scope_text="定制家具",
            issued_on=date(2024, 4, 8),
            expires_on=date(2027, 4, 7),
            today=date(2026, 1, 5),
        )
        for enterprise, number in ((enterprise_a, "OLD-2024-001"), (enterprise_b, "OLD-2024-002"))
    ]
    yield made
    cache.clear()


def test_a_crash_in_the_middle_of_a_tick_step_is_rolled_back_and_the_next_run_finishes_the_work_once(
    legacy_certificates, monkeypatch, user_a, user_b
):
    """The real lapse step of the lifecycle: the first certificate lapses, then telling the second
    enterprise crashes (the notification call raises). Nothing of the step may stay; the next run lapses
    both, tells each enterprise once, and a third run does nothing."""
    from certflow.certificates import services as certificate_services

    real_notify = certificate_services._notify
    calls = []

    def crashing_notify(certificate, **kwargs):
        calls.append(certificate.number)
        if len(calls) == 2:
            raise ConnectionResetError("the process died half-way through the step")
        return real_notify(certificate, **kwargs)

    monkeypatch.setattr(certificate_services, "_notify", crashing_notify)
    statuses = lambda: list(Certificate.objects.order_by("number").values_list("status", flat=True))  # noqa: E731
    events, changes = Event.objects.count(), CertificateStatusChange.objects.count()
    lapse_notices = Notification.objects.filter(kind="certificate.lapse")

    with pytest.raises(CommandError) as failed:
        tick(LAPSES_ON)
    assert failed.value.returncode == 1
    assert len(calls) == 2  # one certificate had been lapsed and its enterprise told when the crash came
    # Rolled back as a whole: no half-lapsed world, no notice of a lapse that did not happen.
    assert statuses() == [CertificateStatus.VALID, CertificateStatus.VALID]
    assert CertificateStatusChange.objects.count() == changes
    assert not lapse_notices.exists()
    assert Event.objects.count() == events
    step = "certificates.expiries_and_lapses"
    failed_runs = TickRun.objects.filter(step=step, day=LAPSES_ON, status=TickRun.Status.FAILED)
    assert failed_runs.count() == 1 and "half-way" in failed_runs.get().error
    assert not TickRun.objects.filter(step=step, day=LAPSES_ON, status=TickRun.Status.DONE).exists()
    # The other steps of the same run were not held back by the broken one.
    assert TickRun.objects.filter(day=LAPSES_ON, status=TickRun.Status.DONE).exclude(step=step).exists()

    output = tick(LAPSES_ON)  # the next run (the process is healthy again: the third call goes through)
    assert "lapsed=2" in output
    assert statuses() == [CertificateStatus.LAPSED, CertificateStatus.LAPSED]
    assert CertificateStatusChange.objects.count() == changes + 2
    assert sorted(lapse_notices.values_list("recipient_id", flat=True)) == sorted([user_a.pk, user_b.pk])
    assert TickRun.objects.filter(step=step, day=LAPSES_ON, status=TickRun.Status.DONE).count() == 1

    tick(LAPSES_ON)  # and once more: already done, nothing twice
    assert CertificateStatusChange.objects.count() == changes + 2 and lapse_notices.count() == 2
    assert TickRun.objects.filter(step=step, day=LAPSES_ON, status=TickRun.Status.DONE).count() == 1
    # The event log stayed a valid chain through the rolled-back step.
    call_command("verify_log", stdout=StringIO())
