"""The document review and its nonconformity loop, through the services, end to end and refused."""

import io
from datetime import date

import pytest

from certflow.applications import services as application_services
from certflow.applications.domain import ApplicationStatus, may_plan_onsite_audit
from certflow.applications.models import Application, Assignment, AssignmentRole
from certflow.core.events.models import Event
from certflow.core.rules import RuleViolation
from certflow.core.testing.factories import StaffFactory
from certflow.reviews import services
from certflow.reviews.domain import ActionDecision, NonconformityState, ReviewStatus
from certflow.reviews.models import CorrectiveAction, Nonconformity
from certflow.reviews.selectors import review_items, scheme_for
from certflow.reviews.tests.helpers import TODAY, Unchanged, pdf_file, record_all

pytestmark = pytest.mark.django_db

ACTION = {"cause_analysis": "原因：制度未覆盖", "correction": "已补充记录", "corrective_action": "修订制度并培训"}


def status_of(application) -> str:
    return Application.objects.get(pk=application.pk).status


# --- the whole path -----------------------------------------------------------------------------


def test_assign_record_complete_correct_return_resubmit_accept_passes_the_application(
    application, clerk, auditor, user_a
):
    review = services.review_assign(by=clerk, application=application, reviewer=auditor)
    assert status_of(application) == ApplicationStatus.DOCUMENT_REVIEW
    assert Assignment.objects.filter(
        application=application, user=auditor, role=AssignmentRole.DOCUMENT_REVIEWER, ended_at__isnull=True
    ).exists()

    record_all(review, auditor, {"4.1-1": "minor", "4.2-1": "major", "4.3.1-3": "not_applicable"})
    assert review.entries.count() == len(review_items(application)) == 27

    review = services.review_complete(by=auditor, review=review, summary="两项不符合", today=TODAY)
    assert review.status == ReviewStatus.CORRECTIONS and review.completed_on == TODAY
    assert status_of(application) == ApplicationStatus.DOCUMENT_CORRECTIONS
    minor, major = review.nonconformities.order_by("number")
    assert (minor.number, minor.item_id, minor.grade) == (f"NC-{application.reference}-01", "4.1-1", "minor")
    assert (major.number, major.item_id, major.grade) == (f"NC-{application.reference}-02", "4.2-1", "major")
    assert not may_plan_onsite_audit(status_of(application))

    first = services.corrective_action_submit(by=user_a, nonconformity=major, **ACTION)
    assert Nonconformity.objects.get(pk=major.pk).state == NonconformityState.ACTION_SUBMITTED
    services.corrective_action_return(by=auditor, action=first, comment="证据不足，请附修订后的制度")
    assert Nonconformity.objects.get(pk=major.pk).state == NonconformityState.RETURNED
    assert CorrectiveAction.objects.get(pk=first.pk).decision == ActionDecision.RETURNED

    second = services.corrective_action_submit(
        by=user_a, nonconformity=major, files=[pdf_file("设备管理制度.pdf")], **ACTION
    )
    assert second.round == 2 and second.evidence.get().sha256
    services.corrective_action_accept(by=auditor, action=second)
    assert Nonconformity.objects.get(pk=major.pk).state == NonconformityState.VERIFIED
    # One nonconformity still open: the application stays in corrections, no on-site audit yet.
    assert status_of(application) == ApplicationStatus.DOCUMENT_CORRECTIONS
    assert not may_plan_onsite_audit(status_of(application))

    services.corrective_action_accept(
        by=auditor, action=services.corrective_action_submit(by=user_a, nonconformity=minor, **ACTION)
    )
    assert status_of(application) == ApplicationStatus.DOCUMENT_REVIEW_PASSED
    assert may_plan_onsite_audit(status_of(application))
    review.refresh_from_db()
    assert review.status == ReviewStatus.PASSED and review.passed_at
    actions = list(Event.objects.filter(action__startswith="review.").values_list("action", flat=True))
    assert actions[0] == "review.assigned" and actions[-1] == "review.passed"
    assert Event.objects.filter(action="application.pass_review").count() == 1


def test_a_review_without_findings_passes_at_once(review, auditor, application):
    record_all(review, auditor)
    review = services.review_complete(by=auditor, review=review, summary="全部符合", today=TODAY)
    assert review.status == ReviewStatus.PASSED
    assert status_of(application) == ApplicationStatus.DOCUMENT_REVIEW_PASSED
    assert may_plan_onsite_audit(status_of(application))


def test_completing_notifies_the_enterprise_of_the_deadline(completed_review, user_a):
    from certflow.notifications.models import Notification

    note = Notification.objects.filter(recipient=user_a, kind="review.completed").get()
    assert "2026年04月01日" in note.body


def test_recording_the_same_values_again_writes_no_event(review, auditor):
    services.checklist_record(by=auditor, review=review, item_id="4.1-1", result="conform")
    with Unchanged(review):
        services.checklist_record(by=auditor, review=review, item_id="4.1-1", result="conform")


def test_changing_an_entry_keeps_one_row_and_logs_before_and_after(review, auditor):
    services.checklist_record(by=auditor, review=review, item_id="4.1-1", result="conform")
    services.checklist_record(by=auditor, review=review, item_id="4.1-1", result="minor", note="职责未明确")
    assert review.entries.get().result == "minor"
    event = Event.objects.filter(action="review.entry_recorded").last()
    assert event.before["result"] == "conform" and event.after["result"] == "minor"


def test_an_entry_may_cite_a_material_file_and_page(review, auditor, application):
    material = application.material_files.first()
    entry = services.checklist_record(
        by=auditor, review=review, item_id="4.2-1", result="conform", evidence=material, evidence_page=3
    )
    assert (entry.evidence, entry.evidence_page) == (material, 3)


# --- deadlines from the scheme ------------------------------------------------------------------


def test_correction_deadlines_come_from_the_scheme(minor, major, application):
    scheme = scheme_for(application)
    assert (scheme.deadline("correction_major").amount, scheme.deadline("correction_major").unit) == (
        30,
        "calendar_days",
    )
    assert (scheme.deadline("correction_minor").amount, scheme.deadline("correction_minor").unit) == (
        60,
        "calendar_days",
    )
    # Reported Monday 2 March 2026: major + 30 days = Wednesday 1 April.
    assert major.due_date == date(2026, 4, 1)
    # Minor + 60 days = Friday 1 May, Labour Day (1–5 May 2026 off) → Wednesday 6 May.
    assert minor.due_date == date(2026, 5, 6)
    assert minor.reported_on == major.reported_on == TODAY


# --- refusals: nothing changes ------------------------------------------------------------------


def test_reviewing_an_application_that_is_not_accepted_is_refused(enterprise_a, user_a, clerk, auditor):
    draft = application_services.application_create(by=user_a, enterprise=enterprise_a, today=TODAY)
    with Unchanged(draft), pytest.raises(RuleViolation) as exc:
        services.review_assign(by=clerk, application=draft, reviewer=auditor)
    assert exc.value.code == "not_accepted"
    assert status_of(draft) == ApplicationStatus.DRAFT


def test_assigning_twice_is_refused(review, application, clerk, lead_auditor):
    with Unchanged(review, application), pytest.raises(RuleViolation):
        services.review_assign(by=clerk, application=application, reviewer=lead_auditor)


@pytest.mark.parametrize("who", ["clerk", "committee_member", "user_a"])
def test_assigning_someone_who_is_not_an_auditor_is_refused(application, clerk, who, request):
    reviewer = request.getfixturevalue(who)
    with Unchanged(application), pytest.raises(RuleViolation) as exc:
        services.review_assign(by=clerk, application=application, reviewer=reviewer)
    assert exc.value.code in ("reviewer_not_auditor", "reviewer_not_staff")


def test_assigning_a_deactivated_auditor_is_refused(application, clerk):
    gone = StaffFactory(roles=["auditor"], is_active=False)
    with Unchanged(application), pytest.raises(RuleViolation) as exc:
        services.review_assign(by=clerk, application=application, reviewer=gone)
    assert exc.value.code == "reviewer_inactive"


def test_an_auditor_cannot_assign_a_reviewer(application, auditor, lead_auditor):
    with Unchanged(application), pytest.raises(RuleViolation) as exc:
        services.review_assign(by=auditor, application=application, reviewer=lead_auditor)
    assert exc.value.code == "not_assigner"


def test_a_programme_manager_may_assign(application, programme_manager, lead_auditor):
    review = services.review_assign(by=programme_manager, application=application, reviewer=lead_auditor)
    assert review.reviewer == lead_auditor


def test_an_unassigned_auditor_cannot_record(review, lead_auditor):
    with Unchanged(review), pytest.raises(RuleViolation) as exc:
        services.checklist_record(by=lead_auditor, review=review, item_id="4.1-1", result="conform")
    assert exc.value.code == "not_reviewer"


def test_an_enterprise_user_cannot_record(review, user_a):
    with Unchanged(review), pytest.raises(RuleViolation):
        services.checklist_record(by=user_a, review=review, item_id="4.1-1", result="conform")


def test_evidence_from_another_application_is_refused(review, auditor, enterprise_b, user_b, clerk):
    from certflow.reviews.tests.helpers import accepted_application

    other = accepted_application(enterprise=enterprise_b, user=user_b, clerk=clerk)
    with Unchanged(review), pytest.raises(RuleViolation) as exc:
        services.checklist_record(
            by=auditor, review=review, item_id="4.1-1", result="conform", evidence=other.material_files.first()
        )
    assert exc.value.code == "invalid_evidence"


def test_completing_with_unanswered_items_is_refused(review, auditor, application):
    services.checklist_record(by=auditor, review=review, item_id="4.1-1", result="conform")
    with Unchanged(review, application), pytest.raises(RuleViolation) as exc:
        services.review_complete(by=auditor, review=review, summary="结论", today=TODAY)
    assert exc.value.code == "incomplete" and "26" in exc.value.zh


def test_recording_after_completion_is_refused(completed_review, auditor):
    with Unchanged(completed_review), pytest.raises(RuleViolation) as exc:
        services.checklist_record(by=auditor, review=completed_review, item_id="4.1-1", result="conform")
    assert exc.value.code == "completed"


def test_passing_with_open_nonconformities_is_refused(completed_review, auditor, application, submitted):
    with Unchanged(completed_review, application), pytest.raises(RuleViolation) as exc:
        services.review_pass(by=auditor, review=completed_review)
    assert exc.value.code == "open_nonconformities"


def test_a_user_of_another_enterprise_cannot_answer(major, user_b):
    with Unchanged(major), pytest.raises(RuleViolation) as exc:
        services.corrective_action_submit(by=user_b, nonconformity=major, **ACTION)
    assert exc.value.code == "not_enterprise"


def test_cb_staff_cannot_answer_for_the_enterprise(major, auditor):
    with Unchanged(major), pytest.raises(RuleViolation):
        services.corrective_action_submit(by=auditor, nonconformity=major, **ACTION)


def test_answering_a_verified_nonconformity_is_refused(major, submitted, auditor, user_a):
    services.corrective_action_accept(by=auditor, action=submitted)
    verified = Nonconformity.objects.get(pk=major.pk)
    with Unchanged(verified), pytest.raises(RuleViolation) as exc:
        services.corrective_action_submit(by=user_a, nonconformity=verified, **ACTION)
    assert exc.value.code == "verified"


def test_a_second_answer_while_one_awaits_verification_is_refused(major, submitted, user_a):
    with Unchanged(major, submitted), pytest.raises(RuleViolation) as exc:
        services.corrective_action_submit(by=user_a, nonconformity=major, **ACTION)
    assert exc.value.code == "pending"


def test_an_incomplete_corrective_action_is_refused(major, user_a):
    with Unchanged(major), pytest.raises(RuleViolation) as exc:
        services.corrective_action_submit(
            by=user_a, nonconformity=major, cause_analysis="原因", correction="", corrective_action=""
        )
    assert exc.value.code == "incomplete_action"


def test_a_dangerous_evidence_file_is_refused(major, user_a):
    exe = ("整改证据.pdf", io.BytesIO(b"MZ" + b"\0" * 200))
    with Unchanged(major), pytest.raises(RuleViolation) as exc:
        services.corrective_action_submit(by=user_a, nonconformity=major, files=[exe], **ACTION)
    assert exc.value.code.startswith("upload_")


@pytest.mark.parametrize("who", ["programme_manager", "lead_auditor", "user_a"])
def test_only_the_assigned_reviewer_verifies(submitted, major, who, request):
    with Unchanged(major, submitted), pytest.raises(RuleViolation) as exc:
        services.corrective_action_accept(by=request.getfixturevalue(who), action=submitted)
    assert exc.value.code == "not_verifier"


def test_returning_without_a_comment_is_refused(submitted, major, auditor):
    with Unchanged(major, submitted), pytest.raises(RuleViolation) as exc:
        services.corrective_action_return(by=auditor, action=submitted, comment="  ")
    assert exc.value.code == "no_comment"


def test_a_decided_action_cannot_be_decided_again(submitted, auditor, major):
    services.corrective_action_return(by=auditor, action=submitted, comment="不充分")
    returned = CorrectiveAction.objects.get(pk=submitted.pk)
    with Unchanged(major, returned), pytest.raises(RuleViolation):
        services.corrective_action_accept(by=auditor, action=returned)


# --- reassigning --------------------------------------------------------------------------------


def test_reassigning_hands_over_the_checklist_and_the_verification(
    completed_review, submitted, clerk, auditor, lead_auditor
):
    services.review_reassign(by=clerk, review=completed_review, reviewer=lead_auditor, reason="原审核员回避")
    assert not Assignment.objects.filter(user=auditor, ended_at__isnull=True).exists()
    with pytest.raises(RuleViolation):
        services.corrective_action_accept(by=auditor, action=submitted)
    services.corrective_action_accept(by=lead_auditor, action=submitted)
    assert Nonconformity.objects.get(pk=submitted.nonconformity_id).verified_by == lead_auditor


def test_a_passed_review_cannot_be_reassigned(review, auditor, clerk, lead_auditor):
    record_all(review, auditor)
    passed = services.review_complete(by=auditor, review=review, summary="符合", today=TODAY)
    with Unchanged(passed), pytest.raises(RuleViolation):
        services.review_reassign(by=clerk, review=passed, reviewer=lead_auditor)
