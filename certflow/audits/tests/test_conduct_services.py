# ruff: noqa: F811 — the shared fixtures are imported by name and then requested as arguments
"""The conduct of an on-site audit through its services: start, findings (replay, conflict), evidence,
nonconformities and their confirmation, the closing meeting, the correction loop and passing."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from certflow.applications.domain import ApplicationStatus
from certflow.audits.domain import AuditStatus
from certflow.audits.models import ClosingMeeting, Finding, FindingFile, NonconformityConfirmation
from certflow.audits.selectors import conduct_detail, findings_checklist
from certflow.audits.services import conduct
from certflow.audits.tests.test_conduct_fixtures import (  # noqa: F401
    ATTENDEES,
    DAY1,
    DAY2,
    PNG,
    closed,
    member,
    record,
    record_everything,
    started,
    submit,
    with_ncs,
)
from certflow.core.events.models import Event
from certflow.core.rules import RuleViolation
from certflow.notifications.models import Notification
from certflow.reviews import services as review_services
from certflow.reviews.domain import NonconformityState
from certflow.reviews.models import Nonconformity

# --- start -------------------------------------------------------------------------------------


def test_only_the_lead_starts_and_not_before_the_first_day(notified, lead_auditor, member):
    with pytest.raises(RuleViolation) as exc:
        conduct.audit_start(by=member, audit=notified, today=DAY1)
    assert exc.value.code == "not_lead"
    with pytest.raises(RuleViolation) as exc:
        conduct.audit_start(by=lead_auditor, audit=notified, today=DAY1 - timedelta(days=1))
    assert exc.value.code == "too_early"
    audit = conduct.audit_start(by=lead_auditor, audit=notified, today=DAY1)
    assert audit.status == AuditStatus.IN_PROGRESS and audit.started_at
    assert Event.objects.filter(action="audit.start", target_id=str(audit.pk)).count() == 1
    with pytest.raises(RuleViolation) as exc:
        conduct.audit_start(by=lead_auditor, audit=audit, today=DAY1)
    assert exc.value.code == "wrong_state"


def test_findings_are_refused_before_the_start(notified, member):
    with pytest.raises(RuleViolation) as exc:
        record(notified, member, "4.1-1")
    assert exc.value.code == "checklist_closed"
    assert not Finding.objects.exists()


# --- findings: validation, replay, conflict ---------------------------------------------------------


def test_any_team_member_records_and_outsiders_cannot(started, member, lead_auditor, auditor, user_a):
    assert record(started, member, "4.1-1").changed
    assert record(started, lead_auditor, "4.1-2").changed
    for outsider in (auditor, user_a):
        with pytest.raises(RuleViolation) as exc:
            record(started, outsider, "4.1-3")
        assert exc.value.code == "not_team"


def test_a_finding_needs_its_facts_and_a_known_item(started, member):
    for item, result, code in (("4.1-1", "minor", "invalid_entry"), ("4.1-1", "not_applicable", "invalid_entry")):
        with pytest.raises(RuleViolation) as exc:
            conduct.finding_record(by=member, audit=started, item_id=item, result=result, revision=0)
        assert exc.value.code == code
    with pytest.raises(RuleViolation) as exc:
        record(started, member, "9.9-9")
    assert exc.value.code == "unknown_item"
    assert not Finding.objects.exists()


def test_a_replayed_save_is_applied_once(started, member):
    first = record(started, member, "4.1-1", "minor", note="缺少培训记录", revision=0, token="tok-1")
    events = Event.objects.count()
    # The phone lost the answer and sends the same save again (still based on revision 0).
    again = record(started, member, "4.1-1", "minor", note="缺少培训记录", revision=0, token="tok-1")
    assert again.replayed and not again.changed
    assert again.finding.pk == first.finding.pk and again.finding.revision == 1
    assert Event.objects.count() == events
    assert Finding.objects.count() == 1


def test_a_conflicting_edit_is_refused_not_overwritten(started, member, lead_auditor):
    record(started, member, "4.1-1", "conform", revision=0, token="a")
    record(started, lead_auditor, "4.1-1", "minor", note="负责人未到岗", revision=1, token="b")
    # The member's phone still shows revision 1 and replays an offline edit made on it.
    with pytest.raises(RuleViolation) as exc:
        record(started, member, "4.1-1", "conform", note="补充说明", revision=1, token="c")
    assert exc.value.code == "conflict"
    stored = Finding.objects.get(item_id="4.1-1")
    assert (stored.result, stored.note, stored.revision, stored.recorded_by) == (
        "minor",
        "负责人未到岗",
        2,
        lead_auditor,
    )
    # Two first saves of the same new item: the second is a conflict too.
    record(started, member, "4.1-2", revision=0, token="d")
    with pytest.raises(RuleViolation) as exc:
        record(started, lead_auditor, "4.1-2", "major", revision=0, token="e")
    assert exc.value.code == "conflict"
    # Overwriting knowingly: based on the revision now stored.
    saved = record(started, member, "4.1-1", "conform", note="补充说明", revision=2, token="f")
    assert saved.changed and saved.finding.revision == 3


def test_an_unchanged_save_writes_nothing(started, member):
    record(started, member, "4.1-1", revision=0, token="x")
    events = Event.objects.count()
    again = record(started, member, "4.1-1", revision=1, token="y")
    assert not again.changed and again.finding.revision == 1 and Event.objects.count() == events


def test_evidence_files_are_photos_or_pdfs_of_a_recorded_finding(started, member, settings, tmp_path):
    settings.CERTFLOW_VAR_DIR = tmp_path
    with pytest.raises(RuleViolation) as exc:
        conduct.finding_file_add(by=member, audit=started, item_id="4.1-1", name="a.png", data=io.BytesIO(PNG))
    assert exc.value.code == "no_finding"
    record(started, member, "4.1-1")
    file = conduct.finding_file_add(by=member, audit=started, item_id="4.1-1", name="现场.png", data=io.BytesIO(PNG))
    assert file.kind == "png" and file.finding.item_id == "4.1-1"
    with pytest.raises(RuleViolation) as exc:
        conduct.finding_file_add(by=member, audit=started, item_id="4.1-1", name="a.txt", data=io.BytesIO(b"hello"))
    assert exc.value.code.startswith("upload_")
    assert FindingFile.objects.count() == 1


# --- score ---------------------------------------------------------------------------------------


def test_the_running_score_weighs_items_and_leaves_out_not_applicable(started, member):
    record(started, member, "4.1-1", "conform")  # weight 3 → 3
    record(started, member, "4.3-1", "minor")  # weight 4 → 2
    record(started, member, "4.3.1-3", "major")  # weight 2 → 0
    record(started, member, "4.5-2", "not_applicable")  # weight 2, left out
    groups, score = findings_checklist(conduct_detail(started.pk))
    assert score.total == 9 and score.earned == 5
    assert score.score == pytest.approx(100 * 5 / 9)
    assert not score.complete and score.answered == 4
    row = next(r for g in groups for r in g.rows if r.item.id == "4.3-1")
    assert row.points.earned == 2 and row.points.weight == 4


# --- nonconformities and confirmation -------------------------------------------------------------


def test_a_nonconformity_is_raised_once_from_a_nonconforming_finding(started, member):
    record(started, member, "4.1-1", "conform")
    with pytest.raises(RuleViolation) as exc:
        conduct.nonconformity_raise_from_finding(by=member, audit=started, item_id="4.1-1", today=DAY1)
    assert exc.value.code == "not_nonconforming"
    record(started, member, "4.1-2", "major", note="无安全制度")
    nc = conduct.nonconformity_raise_from_finding(by=member, audit=started, item_id="4.1-2", today=DAY1)
    assert nc.stage == "onsite_audit" and nc.audit_id == started.pk and nc.grade == "major"
    assert nc.number.startswith(f"NC-{started.application.reference}-")
    assert Notification.objects.filter(kind="audit.nonconformity_to_confirm").exists()
    with pytest.raises(RuleViolation) as exc:
        conduct.nonconformity_raise_from_finding(by=member, audit=started, item_id="4.1-2", today=DAY1)
    assert exc.value.code == "already_raised"
    # The finding behind a raised nonconformity no longer changes.
    with pytest.raises(RuleViolation) as exc:
        record(started, member, "4.1-2", "minor", note="改为一般")
    assert exc.value.code == "nonconformity_raised"


def test_confirmation_by_the_enterprise_or_recorded_by_an_auditor(with_ncs, user_a, user_b, member):
    audit, minor, major = with_ncs
    own = conduct.nonconformity_confirm(by=user_a, nonconformity=minor, remark="同意")
    assert own.enterprise_user == user_a and own.representative_name
    with pytest.raises(RuleViolation) as exc:
        conduct.nonconformity_confirm(by=member, nonconformity=major)
    assert exc.value.code == "no_name"
    with pytest.raises(RuleViolation) as exc:
        conduct.nonconformity_confirm(by=user_b, nonconformity=major, representative_name="外人")
    assert exc.value.code == "not_team"
    on_paper = conduct.nonconformity_confirm(
        by=member, nonconformity=major, representative_name="王总", representative_title="总经理"
    )
    assert on_paper.enterprise_user is None and on_paper.recorded_by == member
    with pytest.raises(RuleViolation) as exc:
        conduct.nonconformity_confirm(by=user_a, nonconformity=major)
    assert exc.value.code == "already_confirmed"


# --- closing meeting -------------------------------------------------------------------------------


def test_the_closing_meeting_is_refused_while_a_nonconformity_is_unconfirmed(with_ncs, lead_auditor, member, user_a):
    audit, minor, major = with_ncs
    conduct.nonconformity_confirm(by=user_a, nonconformity=minor)
    kwargs = dict(held_at=timezone.now(), attendees=ATTENDEES, conclusion="结论", today=DAY2)
    with pytest.raises(RuleViolation) as exc:
        conduct.closing_meeting_hold(by=lead_auditor, audit=audit, **kwargs)
    assert exc.value.code == "unconfirmed" and major.number in exc.value.zh
    with pytest.raises(RuleViolation) as exc:
        conduct.closing_meeting_hold(by=member, audit=audit, **kwargs)
    assert exc.value.code == "not_lead"
    assert not ClosingMeeting.objects.exists()
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS


def test_the_closing_meeting_needs_a_full_checklist_and_both_sides(started, lead_auditor, member):
    record(started, member, "4.1-1")
    with pytest.raises(RuleViolation) as exc:
        conduct.closing_meeting_hold(
            by=lead_auditor, audit=started, held_at=timezone.now(), attendees=ATTENDEES[:1], conclusion=" "
        )
    assert exc.value.code == "closing_not_ready"
    assert "未评价" in exc.value.zh and "企业代表" in exc.value.zh and "审核结论" in exc.value.zh


def test_a_minor_finding_not_raised_blocks_the_closing_meeting(started, lead_auditor, member):
    record_everything(started, member, {"4.1-1": "minor"})
    with pytest.raises(RuleViolation) as exc:
        conduct.closing_meeting_hold(
            by=lead_auditor, audit=started, held_at=timezone.now(), attendees=ATTENDEES, conclusion="结论", today=DAY2
        )
    assert exc.value.code == "nonconformity_not_raised"


def test_closing_counts_the_deadlines_from_the_meeting(closed):
    audit, minor, major = closed
    assert audit.status == AuditStatus.CORRECTIONS and audit.closed_at
    assert audit.application.status == ApplicationStatus.ONSITE_CORRECTIONS
    assert minor.reported_on == major.reported_on == DAY2
    # 30 calendar days from 2026-03-17 is Thursday 2026-04-16; 60 is Saturday 2026-05-16 → Monday 05-18.
    assert major.due_date == date(2026, 4, 16)
    assert minor.due_date == date(2026, 5, 18)
    assert Notification.objects.filter(kind="audit.closed").exists()


def test_no_nonconformity_passes_at_once(started, lead_auditor, member):
    record_everything(started, member, {"4.5-2": "not_applicable"})
    conduct.closing_meeting_hold(
        by=lead_auditor, audit=started, held_at=timezone.now(), attendees=ATTENDEES, conclusion="符合", today=DAY2
    )
    started.refresh_from_db()
    started.application.refresh_from_db()
    assert started.status == AuditStatus.PASSED and started.passed_at
    assert started.application.status == ApplicationStatus.ONSITE_AUDIT_PASSED


def test_a_late_deadline_into_2027_is_fine_because_it_counts_calendar_days(started, lead_auditor, member, user_a):
    record_everything(started, member, {"4.1-1": "minor"})
    nc = conduct.nonconformity_raise_from_finding(by=member, audit=started, item_id="4.1-1", today=DAY1)
    conduct.nonconformity_confirm(by=user_a, nonconformity=nc)
    conduct.closing_meeting_hold(
        by=lead_auditor,
        audit=started,
        held_at=timezone.now(),
        attendees=ATTENDEES,
        conclusion="结论",
        today=date(2026, 12, 1),
    )
    nc.refresh_from_db()
    assert nc.due_date == date(2027, 1, 30) and nc.due_provisional


# --- the correction loop and passing ------------------------------------------------------------------


def test_the_lead_verifies_and_a_minor_may_pass_on_an_accepted_plan(closed, lead_auditor, member, user_a):
    audit, minor, major = closed
    assert review_services.verifier_id(minor) == lead_auditor.pk
    major_action = submit(major, user_a)
    minor_action = submit(minor, user_a)
    with pytest.raises(RuleViolation):
        review_services.corrective_action_accept(by=member, action=major_action)
    with pytest.raises(RuleViolation) as exc:
        review_services.corrective_action_accept_plan(by=lead_auditor, action=major_action)
    assert exc.value.code == "not_minor"
    review_services.corrective_action_accept_plan(by=lead_auditor, action=minor_action, comment="计划可行")
    minor.refresh_from_db()
    assert minor.state == NonconformityState.PLAN_ACCEPTED
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CORRECTIONS  # the major is still open
    with pytest.raises(RuleViolation) as exc:
        conduct.audit_pass(by=lead_auditor, audit=audit)
    assert exc.value.code == "open_nonconformities" and major.number in exc.value.zh
    review_services.corrective_action_accept(by=lead_auditor, action=major_action)
    audit.refresh_from_db()
    audit.application.refresh_from_db()
    assert audit.status == AuditStatus.PASSED and audit.passed_on_plan == [minor.number]
    assert audit.application.status == ApplicationStatus.ONSITE_AUDIT_PASSED
    assert Notification.objects.filter(kind="audit.passed").exists()
    # The enterprise still completes the planned correction; the lead verifies it later.
    review_services.corrective_action_accept(by=lead_auditor, action=submit(minor, user_a))
    minor.refresh_from_db()
    assert minor.state == NonconformityState.VERIFIED


def test_a_minor_stays_on_plan_while_its_completion_awaits_verification(closed, lead_auditor, user_a):
    audit, minor, major = closed
    review_services.corrective_action_accept_plan(by=lead_auditor, action=submit(minor, user_a))
    submit(minor, user_a)  # the completed correction, awaiting verification
    review_services.corrective_action_accept(by=lead_auditor, action=submit(major, user_a))
    audit.refresh_from_db()
    assert audit.status == AuditStatus.PASSED and audit.passed_on_plan == [minor.number]


def test_without_the_plan_gate_a_minor_must_be_verified(closed, lead_auditor, user_a, monkeypatch):
    audit, minor, major = closed
    from certflow.audits import domain

    problems, on_plan = domain.pass_problems(
        [domain.NonconformityFacts(minor.number, "minor", "plan_accepted")],
        open_major_allowed=False,
        open_minor_needs_accepted_plan=False,
    )
    assert problems and not on_plan
    problems, on_plan = domain.pass_problems(
        [domain.NonconformityFacts(minor.number, "minor", "plan_accepted")],
        open_major_allowed=False,
        open_minor_needs_accepted_plan=True,
    )
    assert not problems and on_plan == (minor.number,)


def test_document_review_nonconformities_cannot_pass_on_a_plan():
    from certflow.reviews import domain

    with pytest.raises(RuleViolation) as exc:
        domain.guard_accept_plan("action_submitted", grade="minor", stage="document_review", is_verifier=True)
    assert exc.value.code == "plan_not_allowed"
    assert domain.guard_accept_plan("action_submitted", grade="minor", stage="onsite_audit", is_verifier=True) == (
        "plan_accepted"
    )
    assert domain.check_nonconformity_transition("plan_accepted", "submit_action") == "action_submitted"


def test_confirmations_are_kept(closed):
    audit, minor, major = closed
    assert NonconformityConfirmation.objects.filter(nonconformity__audit=audit).count() == 2
    assert Nonconformity.objects.filter(audit=audit).count() == 2
