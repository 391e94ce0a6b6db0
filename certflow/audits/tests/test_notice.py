"""The notice rule (clause 6 现场审核 1) on the PRC calendar, and sending the notice."""

import re
import shutil
import subprocess
from datetime import date

import pytest
from django.core.files.storage import default_storage

from certflow.audits.domain import AuditStatus
from certflow.audits.models import AuditNotice
from certflow.audits.services import planning
from certflow.audits.tests.helpers import TODAY, planned_audit, staffed_audit
from certflow.core.events.models import Event
from certflow.core.rules import RuleViolation
from certflow.core.workdays.services import is_working_day, subtract_working_days
from certflow.notifications.models import Notification

pytestmark = pytest.mark.django_db

# National Day 2026: 1–7 October off; Sunday 20 September and Saturday 10 October are make-up working
# days; Mid-Autumn 25–27 September off. Spring Festival 2026: 15–23 February off; Saturday 14 and
# Saturday 28 February are make-up working days.


def test_the_calendar_holds_the_2026_holidays():
    assert not any(is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert is_working_day(date(2026, 10, 10)) and is_working_day(date(2026, 9, 20))
    assert not any(is_working_day(date(2026, 2, d)) for d in range(15, 24))
    assert is_working_day(date(2026, 2, 14)) and is_working_day(date(2026, 2, 28))


@pytest.mark.parametrize(
    ("first_day", "last_notice"),
    [
        # 13 Oct ← 12, 10 (make-up Sat), 9, 8, [1–7 off], 30 Sep, 29, 28.
        (date(2026, 10, 13), date(2026, 9, 28)),
        # 12 Oct ← 10 (make-up), 9, 8, 30 Sep, 29, 28, [25–27 off] 24 Sep.
        (date(2026, 10, 12), date(2026, 9, 24)),
        # 8 Oct, the first day after the holiday ← 30 Sep, 29, 28, 24, 23, 22, 21.
        (date(2026, 10, 8), date(2026, 9, 21)),
        # 27 Feb ← 26, 25, 24, [15–23 off], 14 (make-up Sat), 13, 12, 11.
        (date(2026, 2, 27), date(2026, 2, 11)),
        # 2 Mar ← 28 Feb (make-up Sat), 27, 26, 25, 24, [15–23 off], 14 (make-up), 13.
        (date(2026, 3, 2), date(2026, 2, 13)),
    ],
)
def test_last_notice_day_across_holidays_counts_make_up_days(first_day, last_notice):
    assert subtract_working_days(first_day, 7) == last_notice


def _staffed_on(days, today, *, programme_manager, passed, user_a, registered_lead):
    return staffed_audit(
        planner=programme_manager,
        application=passed,
        enterprise_user=user_a,
        lead=registered_lead,
        days=days,
        today=today,
    )


@pytest.fixture
def national_day_audit(programme_manager, passed, user_a, registered_lead):
    """First audit day Tuesday 13 October 2026; the last allowed notice day is Monday 28 September."""
    return _staffed_on(
        (date(2026, 10, 13), date(2026, 10, 14)),
        date(2026, 9, 1),
        programme_manager=programme_manager,
        passed=passed,
        user_a=user_a,
        registered_lead=registered_lead,
    )


def test_notice_on_the_last_allowed_day_across_national_day_is_sent(national_day_audit, programme_manager):
    notice = planning.notice_send(by=programme_manager, audit=national_day_audit, today=date(2026, 9, 28))
    national_day_audit.refresh_from_db()
    assert national_day_audit.status == AuditStatus.NOTIFIED
    assert national_day_audit.notice_sent_on == date(2026, 9, 28)
    assert notice.last_allowed_on == date(2026, 9, 28)


def test_notice_a_day_later_across_national_day_is_refused(national_day_audit, programme_manager):
    # A Monday–Friday count would still allow 29 September (and even 2 October): the holiday decides.
    events = Event.objects.count()
    with pytest.raises(RuleViolation) as exc:
        planning.notice_send(by=programme_manager, audit=national_day_audit, today=date(2026, 9, 29))
    assert exc.value.code == "notice_too_late"
    assert "2026-09-28" in exc.value.zh and "2026-09-28" in exc.value.en
    national_day_audit.refresh_from_db()
    assert national_day_audit.status == AuditStatus.SCHEDULED
    assert not AuditNotice.objects.exists() and Event.objects.count() == events


def test_notice_across_spring_festival(programme_manager, passed, user_a, registered_lead):
    audit = _staffed_on(
        (date(2026, 2, 27),),
        date(2026, 2, 2),
        programme_manager=programme_manager,
        passed=passed,
        user_a=user_a,
        registered_lead=registered_lead,
    )
    with pytest.raises(RuleViolation) as exc:
        planning.notice_send(by=programme_manager, audit=audit, today=date(2026, 2, 12))
    assert "2026-02-11" in exc.value.zh
    notice = planning.notice_send(by=programme_manager, audit=audit, today=date(2026, 2, 11))
    assert notice.last_allowed_on == date(2026, 2, 11)


def test_special_audit_uses_the_short_notice_from_the_scheme(
    programme_manager, enterprise_a, user_a, passed, registered_lead
):
    audit = planning.special_audit_create(
        by=programme_manager, enterprise=enterprise_a, reason="客户投诉柜门开裂", application=passed, today=TODAY
    )
    days = [date(2026, 3, 5)]
    planning.dates_propose(by=programme_manager, audit=audit, days=days, today=TODAY)
    planning.dates_confirm(by=user_a, audit=audit, proposal=planning.pending_proposal(audit), today=TODAY)
    planning.team_set(by=programme_manager, audit=audit, members=[registered_lead], lead=registered_lead)
    # 5 March minus 2 working days is 3 March: sent on 2 March, far less than 7 working days ahead.
    notice = planning.notice_send(by=programme_manager, audit=audit, today=TODAY)
    assert notice.last_allowed_on == date(2026, 3, 3)


def test_notice_sent_stores_the_pdf_and_tells_enterprise_and_team(staffed, programme_manager, user_a, registered_lead):
    events = Event.objects.count()
    notice = planning.notice_send(by=programme_manager, audit=staffed, today=TODAY)
    with default_storage.open(notice.storage_name, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF") and len(data) == notice.size
    import hashlib

    assert hashlib.sha256(data).hexdigest() == notice.sha256
    assert Notification.objects.filter(
        recipient=user_a, kind="audit.notice_sent", url=f"/audits/{staffed.pk}/"
    ).exists()
    assert Notification.objects.filter(recipient=registered_lead, kind="audit.notice_sent").exists()
    assert Event.objects.count() == events + 1
    assert Event.objects.filter(action="audit.send_notice", target_id=str(staffed.pk)).count() == 1


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_notice_pdf_holds_the_plan(staffed, programme_manager, tmp_path):
    notice = planning.notice_send(by=programme_manager, audit=staffed, today=TODAY)
    path = tmp_path / "notice.pdf"
    with default_storage.open(notice.storage_name, "rb") as handle:
        path.write_bytes(handle.read())
    text = subprocess.run([shutil.which("pdftotext"), str(path), "-"], capture_output=True, check=True, text=True)
    text = re.sub(r"\s+", "", text.stdout)
    for expected in (
        "现场审核通知",
        "欧利斯认证",
        staffed.enterprise.uscc,
        "审核组长",
        "CCAA-2025-",
        "首次会议",
        "7个工作日",
        "2026年3月5日",
        "4.4-1",
    ):
        assert expected in text, expected


def test_notice_needs_a_scheduled_plan(audit, programme_manager):
    with pytest.raises(RuleViolation) as exc:
        planning.notice_send(by=programme_manager, audit=audit, today=TODAY)
    assert "企业确认" in exc.value.zh and "审核组" in exc.value.zh
    assert not AuditNotice.objects.exists()


def test_a_team_no_longer_valid_for_the_days_stops_the_notice(staffed, programme_manager, registered_lead):
    from certflow.auditors import services as auditor_services

    auditor_services.unavailability_add(
        by=programme_manager,
        profile=registered_lead.auditor_profile,
        start=date(2026, 3, 16),
        end=date(2026, 3, 16),
        reason="病假",
        today=TODAY,
    )
    with pytest.raises(RuleViolation) as exc:
        planning.notice_send(by=programme_manager, audit=staffed, today=TODAY)
    assert exc.value.code == "team_invalid" and "2026-03-16" in exc.value.zh
    staffed.refresh_from_db()
    assert staffed.status == AuditStatus.SCHEDULED


def test_new_days_leave_the_team_to_be_rechecked(staffed, programme_manager, user_a, registered_lead):
    from certflow.auditors import services as auditor_services

    auditor_services.unavailability_add(
        by=programme_manager,
        profile=registered_lead.auditor_profile,
        start=date(2026, 3, 23),
        end=date(2026, 3, 27),
        reason="外审",
        today=TODAY,
    )
    planning.dates_propose(by=programme_manager, audit=staffed, days=[date(2026, 3, 23)], today=TODAY)
    planning.dates_confirm(by=user_a, audit=staffed, proposal=planning.pending_proposal(staffed), today=TODAY)
    with pytest.raises(RuleViolation) as exc:
        planning.notice_send(by=programme_manager, audit=staffed, today=TODAY)
    # Both the old schedule line and the lead's unavailability are named.
    assert exc.value.code == "notice_not_ready"
    assert "2026-03-16" in exc.value.zh and "2026-03-23" in exc.value.zh


def test_a_day_without_calendar_data_is_explained_not_guessed(programme_manager, passed, user_a, registered_lead):
    audit = _staffed_on(
        (date(2027, 1, 5),),
        TODAY,
        programme_manager=programme_manager,
        passed=passed,
        user_a=user_a,
        registered_lead=registered_lead,
    )
    with pytest.raises(RuleViolation) as exc:
        planning.notice_send(by=programme_manager, audit=audit, today=date(2026, 12, 1))
    assert exc.value.code == "calendar_missing" and "2027" in exc.value.zh and "2027" in exc.value.en


def test_only_the_planner_sends_the_notice(staffed, registered_lead, user_a):
    for who in (registered_lead, user_a):
        with pytest.raises(RuleViolation):
            planning.notice_send(by=who, audit=staffed, today=TODAY)
    assert not AuditNotice.objects.exists()


def test_planned_audit_helper_is_in_planning(programme_manager, passed):
    assert planned_audit(planner=programme_manager, application=passed).status == AuditStatus.PLANNING


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_the_notice_is_chinese_whatever_the_senders_language(staffed, programme_manager, tmp_path):
    from django.utils import translation

    with translation.override("en"):
        notice = planning.notice_send(by=programme_manager, audit=staffed, today=TODAY)
    path = tmp_path / "notice.pdf"
    with default_storage.open(notice.storage_name, "rb") as handle:
        path.write_bytes(handle.read())
    text = subprocess.run([shutil.which("pdftotext"), str(path), "-"], capture_output=True, check=True, text=True)
    text = re.sub(r"\s+", "", text.stdout)
    assert "初次认证审核" in text and "审核组长" in text and "Initial" not in text
