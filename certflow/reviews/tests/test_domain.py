"""The document-review rules on their own: no database."""

from datetime import date, timedelta

import pytest

from certflow.accounts.roles import StaffRole
from certflow.applications.domain import ApplicationStatus
from certflow.core.rules import RuleViolation
from certflow.reviews import domain
from certflow.reviews.domain import (
    Answer,
    ChecklistResult,
    NonconformityAction,
    NonconformityState,
    ReviewerFacts,
    ReviewStatus,
)

AUDITOR = ReviewerFacts(is_cb_staff=True, is_active=True, roles=frozenset({StaffRole.AUDITOR}), label="王强")
ITEMS = ["4.1-1", "4.1-2", "4.2-1"]


def answers(**overrides) -> dict[str, Answer]:
    result = {item: Answer(item, ChecklistResult.CONFORM) for item in ITEMS}
    result.update(overrides)
    return result


# --- assigning ----------------------------------------------------------------------------------


def test_an_accepted_application_may_be_assigned_to_an_auditor():
    domain.guard_assign(ApplicationStatus.ACCEPTED, AUDITOR)


def test_a_lead_auditor_may_review():
    domain.guard_reviewer(ReviewerFacts(True, True, frozenset({StaffRole.LEAD_AUDITOR})))


@pytest.mark.parametrize("status", [s for s in ApplicationStatus.values if s != ApplicationStatus.ACCEPTED])
def test_an_application_that_is_not_accepted_cannot_be_reviewed(status):
    with pytest.raises(RuleViolation) as exc:
        domain.guard_assign(status, AUDITOR)
    assert exc.value.code == "not_accepted"


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        (ReviewerFacts(False, True, frozenset()), "reviewer_not_staff"),
        (ReviewerFacts(True, False, frozenset({StaffRole.AUDITOR})), "reviewer_inactive"),
        (ReviewerFacts(True, True, frozenset({StaffRole.ACCEPTANCE_CLERK})), "reviewer_not_auditor"),
        (ReviewerFacts(True, True, frozenset({StaffRole.TECHNICAL_COMMITTEE})), "reviewer_not_auditor"),
    ],
)
def test_only_an_active_auditor_or_lead_auditor_may_review(facts, code):
    with pytest.raises(RuleViolation) as exc:
        domain.guard_reviewer(facts)
    assert exc.value.code == code
    assert exc.value.zh and exc.value.en


def test_a_passed_review_cannot_change_hands():
    with pytest.raises(RuleViolation):
        domain.guard_reassign(ReviewStatus.PASSED, 1, 2, AUDITOR)
    domain.guard_reassign(ReviewStatus.CORRECTIONS, 1, 2, AUDITOR)


# --- recording ----------------------------------------------------------------------------------


def test_not_applicable_needs_a_reason():
    with pytest.raises(RuleViolation, match="不适用"):
        domain.guard_record(ReviewStatus.IN_PROGRESS, Answer("4.1-1", ChecklistResult.NOT_APPLICABLE), ITEMS)
    domain.guard_record(
        ReviewStatus.IN_PROGRESS, Answer("4.1-1", ChecklistResult.NOT_APPLICABLE, na_reason="无此业务"), ITEMS
    )


@pytest.mark.parametrize("result", [ChecklistResult.MINOR, ChecklistResult.MAJOR])
def test_a_finding_needs_a_description(result):
    with pytest.raises(RuleViolation, match="不符合事实"):
        domain.guard_record(ReviewStatus.IN_PROGRESS, Answer("4.1-1", result, note="  "), ITEMS)


def test_an_item_outside_the_document_review_is_refused():
    with pytest.raises(RuleViolation) as exc:
        domain.guard_record(ReviewStatus.IN_PROGRESS, Answer("4.9-4", ChecklistResult.CONFORM), ITEMS)
    assert exc.value.code == "unknown_item"


def test_unanswered_is_not_a_result_one_can_record():
    with pytest.raises(RuleViolation):
        domain.guard_record(ReviewStatus.IN_PROGRESS, Answer("4.1-1", ChecklistResult.UNANSWERED), ITEMS)


def test_a_page_number_needs_its_file_and_must_be_positive():
    with pytest.raises(RuleViolation):
        domain.guard_record(ReviewStatus.IN_PROGRESS, Answer("4.1-1", "conform", evidence_page=3), ITEMS)
    with pytest.raises(RuleViolation):
        domain.guard_record(
            ReviewStatus.IN_PROGRESS, Answer("4.1-1", "conform", has_evidence=True, evidence_page=0), ITEMS
        )


def test_a_completed_review_cannot_be_recorded():
    with pytest.raises(RuleViolation) as exc:
        domain.guard_record(ReviewStatus.CORRECTIONS, Answer("4.1-1", ChecklistResult.CONFORM), ITEMS)
    assert exc.value.code == "completed"


# --- completing ---------------------------------------------------------------------------------


def test_completing_with_unanswered_items_names_them():
    partial = answers()
    del partial["4.2-1"]
    with pytest.raises(RuleViolation) as exc:
        domain.guard_complete(ReviewStatus.IN_PROGRESS, ITEMS, partial, "结论")
    assert "4.2-1" in exc.value.zh and "4.2-1" in exc.value.en


def test_completing_needs_a_conclusion():
    with pytest.raises(RuleViolation, match="结论"):
        domain.guard_complete(ReviewStatus.IN_PROGRESS, ITEMS, answers(), " ")


def test_completing_returns_the_findings_in_checklist_order():
    findings = domain.guard_complete(
        ReviewStatus.IN_PROGRESS,
        ITEMS,
        answers(
            **{
                "4.2-1": Answer("4.2-1", ChecklistResult.MAJOR, note="无设备台账"),
                "4.1-1": Answer("4.1-1", ChecklistResult.MINOR, note="职责未书面化"),
                "4.1-2": Answer("4.1-2", ChecklistResult.NOT_APPLICABLE, na_reason="无"),
            }
        ),
        "见不符合项",
    )
    assert [(f.item_id, f.grade, f.description) for f in findings] == [
        ("4.1-1", "minor", "职责未书面化"),
        ("4.2-1", "major", "无设备台账"),
    ]


def test_a_review_with_no_findings_raises_none():
    assert domain.guard_complete(ReviewStatus.IN_PROGRESS, ITEMS, answers(), "符合") == []


# --- the nonconformity loop ---------------------------------------------------------------------


def test_the_transition_table():
    t = domain.check_nonconformity_transition
    assert t(NonconformityState.OPEN, NonconformityAction.SUBMIT_ACTION) == NonconformityState.ACTION_SUBMITTED
    assert t(NonconformityState.RETURNED, NonconformityAction.SUBMIT_ACTION) == NonconformityState.ACTION_SUBMITTED
    assert t(NonconformityState.ACTION_SUBMITTED, NonconformityAction.ACCEPT) == NonconformityState.VERIFIED
    assert t(NonconformityState.ACTION_SUBMITTED, NonconformityAction.RETURN) == NonconformityState.RETURNED


@pytest.mark.parametrize("action", list(NonconformityAction))
def test_nothing_moves_a_verified_nonconformity(action):
    with pytest.raises(RuleViolation) as exc:
        domain.check_nonconformity_transition(NonconformityState.VERIFIED, action)
    assert exc.value.code == "verified"


def test_a_second_report_while_one_awaits_verification_is_refused():
    with pytest.raises(RuleViolation) as exc:
        domain.guard_corrective_action(
            NonconformityState.ACTION_SUBMITTED, cause_analysis="a", correction="b", corrective_action="c"
        )
    assert exc.value.code == "pending"


def test_a_corrective_action_needs_cause_correction_and_corrective_action():
    with pytest.raises(RuleViolation) as exc:
        domain.guard_corrective_action(
            NonconformityState.OPEN, cause_analysis=" ", correction="已补充", corrective_action=""
        )
    assert "原因分析" in exc.value.zh and "纠正措施" in exc.value.zh
    assert "cause analysis" in exc.value.en


def test_only_the_verifier_accepts_or_returns():
    with pytest.raises(RuleViolation) as exc:
        domain.guard_accept(NonconformityState.ACTION_SUBMITTED, is_verifier=False)
    assert exc.value.code == "not_verifier"
    with pytest.raises(RuleViolation):
        domain.guard_return(NonconformityState.ACTION_SUBMITTED, is_verifier=False, comment="不充分")


def test_returning_needs_a_comment():
    with pytest.raises(RuleViolation) as exc:
        domain.guard_return(NonconformityState.ACTION_SUBMITTED, is_verifier=True, comment=" ")
    assert exc.value.code == "no_comment"


def test_accepting_without_a_submitted_action_is_refused():
    with pytest.raises(RuleViolation) as exc:
        domain.guard_accept(NonconformityState.OPEN, is_verifier=True)
    assert exc.value.code == "nothing_to_verify"


def test_the_review_passes_only_when_every_nonconformity_is_verified():
    assert domain.review_passes([NonconformityState.VERIFIED, NonconformityState.VERIFIED])
    assert not domain.review_passes([NonconformityState.VERIFIED, NonconformityState.ACTION_SUBMITTED])
    with pytest.raises(RuleViolation) as exc:
        domain.guard_pass(ReviewStatus.CORRECTIONS, [NonconformityState.VERIFIED, NonconformityState.RETURNED])
    assert exc.value.code == "open_nonconformities"
    domain.guard_pass(ReviewStatus.CORRECTIONS, [NonconformityState.VERIFIED])


# --- deadlines ----------------------------------------------------------------------------------

HOLIDAYS = {date(2026, 5, 1), date(2026, 5, 2), date(2026, 5, 3), date(2026, 5, 4), date(2026, 5, 5)}


def is_working_day(d: date) -> bool:
    return d.weekday() < 5 and d not in HOLIDAYS


def add_working_days(d: date, n: int) -> date:
    while n:
        d += timedelta(days=1)
        n -= is_working_day(d)
    return d


def due(reported_on, amount, unit):
    return domain.correction_due(
        reported_on, amount=amount, unit=unit, add_working_days=add_working_days, is_working_day=is_working_day
    )


def test_calendar_days_are_counted_from_the_day_after_the_report():
    assert due(date(2026, 3, 2), 30, "calendar_days") == date(2026, 4, 1)


def test_a_calendar_period_ending_on_a_day_off_ends_on_the_next_working_day():
    # 2026-03-02 + 60 days = Friday 1 May (Labour Day holiday to 5 May) → Wednesday 6 May.
    assert due(date(2026, 3, 2), 60, "calendar_days") == date(2026, 5, 6)
    # Ending on a Saturday → Monday.
    assert due(date(2026, 3, 2), 12, "calendar_days") == date(2026, 3, 16)


def test_working_days_skip_weekends_and_holidays():
    assert due(date(2026, 4, 29), 3, "working_days") == date(2026, 5, 7)


def test_months_end_on_the_corresponding_day_or_the_months_last():
    # 31 Jan + 1 month → 28 Feb (no 31 Feb), a Saturday → Monday 2 March.
    assert due(date(2026, 1, 31), 1, "months") == date(2026, 3, 2)
    assert due(date(2026, 3, 16), 1, "months") == date(2026, 4, 16)


def test_the_deadline_name_follows_the_grade():
    assert domain.correction_deadline_name("major") == "correction_major"
    assert domain.correction_deadline_name("minor") == "correction_minor"


@pytest.mark.parametrize(
    ("state", "today", "overdue", "badge"),
    [
        (NonconformityState.OPEN, date(2026, 4, 1), False, "today"),
        (NonconformityState.OPEN, date(2026, 4, 2), True, "overdue"),
        (NonconformityState.RETURNED, date(2026, 4, 2), True, "overdue"),
        (NonconformityState.ACTION_SUBMITTED, date(2026, 4, 2), False, "waiting"),
        (NonconformityState.VERIFIED, date(2026, 5, 1), False, "closed"),
        (NonconformityState.OPEN, date(2026, 3, 28), False, "soon"),
        (NonconformityState.OPEN, date(2026, 3, 2), False, "ok"),
    ],
)
def test_overdue_only_while_the_enterprise_owes_the_report(state, today, overdue, badge):
    assert domain.is_overdue(date(2026, 4, 1), today, state) is overdue
    assert domain.deadline_badge(date(2026, 4, 1), today, state) == badge
