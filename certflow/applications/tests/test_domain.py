"""The application's rules without a database: every transition, guard and refusal."""

from datetime import date, timedelta

import pytest

from certflow.applications import domain
from certflow.applications.domain import Action, ApplicationFacts, ApplicationStatus
from certflow.core.rules import RuleViolation

S = ApplicationStatus
MATERIALS = ("business_licence", "industry_qualification", "equipment_list")


def facts(**overrides) -> ApplicationFacts:
    values = {
        "categories": ("custom_furniture",),
        "other_category_description": "",
        "service_stages": ("solution_design",),
        "sites": ("一号车间",),
        "declaration_made": True,
        "materials_present": frozenset(MATERIALS),
        "required_materials": MATERIALS,
        "material_names": {"business_licence": "企业营业执照"},
    }
    return ApplicationFacts(**{**values, **overrides})


# --- the transition table ----------------------------------------------------------------------------

ALLOWED = {
    (Action.SUBMIT, S.DRAFT): S.SUBMITTED,
    (Action.REQUEST_SUPPLEMENT, S.SUBMITTED): S.SUPPLEMENT_REQUESTED,
    (Action.RESUBMIT, S.SUPPLEMENT_REQUESTED): S.SUBMITTED,
    (Action.ACCEPT, S.SUBMITTED): S.ACCEPTED,
    (Action.NOT_ACCEPT, S.SUBMITTED): S.NOT_ACCEPTED,
    (Action.WITHDRAW, S.DRAFT): S.WITHDRAWN,
    (Action.WITHDRAW, S.SUBMITTED): S.WITHDRAWN,
    (Action.WITHDRAW, S.SUPPLEMENT_REQUESTED): S.WITHDRAWN,
    (Action.START_REVIEW, S.ACCEPTED): S.DOCUMENT_REVIEW,
    (Action.COMPLETE_REVIEW, S.DOCUMENT_REVIEW): S.DOCUMENT_CORRECTIONS,
    (Action.PASS_REVIEW, S.DOCUMENT_CORRECTIONS): S.DOCUMENT_REVIEW_PASSED,
    (Action.START_ONSITE, S.DOCUMENT_REVIEW_PASSED): S.ONSITE_AUDIT,
    (Action.COMPLETE_ONSITE, S.ONSITE_AUDIT): S.ONSITE_CORRECTIONS,
    (Action.PASS_ONSITE, S.ONSITE_CORRECTIONS): S.ONSITE_AUDIT_PASSED,
    (Action.OPEN_DECISION, S.ONSITE_AUDIT_PASSED): S.DECISION,
    (Action.OPEN_DECISION, S.DOCUMENT_CORRECTIONS): S.DECISION,
    (Action.OPEN_DECISION, S.ONSITE_CORRECTIONS): S.DECISION,
    (Action.GRANT, S.DECISION): S.CERTIFIED,
    (Action.REFUSE, S.DECISION): S.REFUSED,
}


@pytest.mark.parametrize(("action", "status"), list(ALLOWED))
def test_each_allowed_transition_leads_to_its_target(action, status):
    assert domain.check_transition(status, action) == ALLOWED[(action, status)]


@pytest.mark.parametrize(
    ("action", "status"),
    [(a, s) for a in Action.values for s in S.values if (a, s) not in ALLOWED],
)
def test_every_other_action_and_state_pair_is_refused_as_wrong_state(action, status):
    with pytest.raises(RuleViolation) as refused:
        domain.check_transition(status, action)
    assert refused.value.code == "wrong_state"
    assert str(S(status).label) in refused.value.zh


def test_accepting_twice_is_refused():
    with pytest.raises(RuleViolation, match="已受理"):
        domain.check_transition(S.ACCEPTED, Action.ACCEPT)


def test_an_unknown_action_is_refused():
    with pytest.raises(RuleViolation) as refused:
        domain.check_transition(S.DRAFT, "approve")
    assert refused.value.code == "unknown_action"


def test_completing_a_review_may_pass_it_directly_but_not_jump_elsewhere():
    assert domain.check_target(S.DOCUMENT_REVIEW, Action.COMPLETE_REVIEW, S.DOCUMENT_REVIEW_PASSED) == (
        S.DOCUMENT_REVIEW_PASSED
    )
    assert domain.check_target(S.DOCUMENT_REVIEW, Action.COMPLETE_REVIEW, None) == S.DOCUMENT_CORRECTIONS
    with pytest.raises(RuleViolation) as refused:
        domain.check_target(S.DOCUMENT_REVIEW, Action.COMPLETE_REVIEW, S.ACCEPTED)
    assert refused.value.code == "wrong_target"


def test_review_outcome_depends_on_open_nonconformities():
    assert domain.status_after_review(2) == S.DOCUMENT_CORRECTIONS
    assert domain.status_after_review(0) == S.DOCUMENT_REVIEW_PASSED


def test_onsite_audit_waits_for_the_document_review_to_pass():
    assert domain.may_plan_onsite_audit(S.DOCUMENT_REVIEW_PASSED)
    assert not domain.may_plan_onsite_audit(S.DOCUMENT_CORRECTIONS)


# --- submission ----------------------------------------------------------------------------------------


def test_complete_application_may_be_submitted():
    assert domain.missing_for_submission(facts()) == []
    assert domain.guard_submit(S.DRAFT, facts()) == S.SUBMITTED


def test_submit_with_materials_missing_names_each_missing_material():
    incomplete = facts(materials_present=frozenset({"equipment_list"}))
    with pytest.raises(RuleViolation) as refused:
        domain.guard_submit(S.DRAFT, incomplete)
    assert refused.value.code == "incomplete"
    assert "缺少申请材料：企业营业执照" in refused.value.zh
    assert "industry_qualification" in refused.value.en
    assert "equipment_list" not in refused.value.en


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"categories": ()}, "choose at least one custom-goods category"),
        ({"categories": ("other",), "other_category_description": "  "}, "describe the goods"),
        ({"service_stages": ()}, "clause 1"),
        ({"sites": ()}, "add at least one site"),
        ({"declaration_made": False}, "clause 4.3-3"),
    ],
)
def test_checklist_names_what_is_missing(overrides, expected):
    missing = domain.missing_for_submission(facts(**overrides))
    assert len(missing) == 1
    assert expected in missing[0][1]


def test_other_category_with_a_description_is_complete():
    assert domain.missing_for_submission(facts(categories=("other",), other_category_description="定制眼镜")) == []


def test_submitting_a_submitted_application_is_refused_before_the_checklist():
    with pytest.raises(RuleViolation) as refused:
        domain.guard_submit(S.SUBMITTED, facts())
    assert refused.value.code == "wrong_state"


# --- supplement and resubmission ---------------------------------------------------------------------


def test_supplement_request_needs_at_least_one_item():
    with pytest.raises(RuleViolation) as refused:
        domain.guard_request_supplement(S.SUBMITTED, {}, MATERIALS)
    assert refused.value.code == "empty"


def test_supplement_request_refuses_unknown_material():
    with pytest.raises(RuleViolation) as refused:
        domain.guard_request_supplement(S.SUBMITTED, {"tax_return": "请上传"}, MATERIALS)
    assert refused.value.code == "unknown"
    assert "tax_return" in refused.value.en


def test_supplement_request_refuses_an_item_without_a_message():
    with pytest.raises(RuleViolation) as refused:
        domain.guard_request_supplement(S.SUBMITTED, {"business_licence": "  "}, MATERIALS)
    assert refused.value.code == "no_message"


def test_supplement_request_on_a_draft_is_refused():
    with pytest.raises(RuleViolation) as refused:
        domain.guard_request_supplement(S.DRAFT, {"business_licence": "请上传"}, MATERIALS)
    assert refused.value.code == "wrong_state"


def test_resubmit_without_the_requested_material_is_refused():
    requested = frozenset({"business_licence", "equipment_list"})
    with pytest.raises(RuleViolation) as refused:
        domain.guard_resubmit(S.SUPPLEMENT_REQUESTED, requested, frozenset({"business_licence"}))
    assert refused.value.code == "supplement_outstanding"
    assert "equipment_list" in refused.value.en


def test_resubmit_refusal_names_the_materials_in_chinese():
    with pytest.raises(RuleViolation) as refused:
        domain.guard_resubmit(
            S.SUPPLEMENT_REQUESTED, frozenset({"equipment_list"}), frozenset(), {"equipment_list": "设备清单"}
        )
    assert "设备清单" in refused.value.zh


def test_resubmit_with_every_requested_material_updated_is_allowed():
    requested = frozenset({"business_licence"})
    assert domain.guard_resubmit(S.SUPPLEMENT_REQUESTED, requested, requested | {"equipment_list"}) == S.SUBMITTED


def test_resubmit_without_a_supplement_request_is_refused():
    with pytest.raises(RuleViolation):
        domain.guard_resubmit(S.SUBMITTED, frozenset(), frozenset())


# --- decisions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_not_accept_without_a_reason_is_refused(reason):
    with pytest.raises(RuleViolation) as refused:
        domain.guard_not_accept(S.SUBMITTED, reason)
    assert refused.value.code == "no_reason"


def test_not_accept_with_a_reason_is_allowed():
    assert domain.guard_not_accept(S.SUBMITTED, "仅生产标准化商品") == S.NOT_ACCEPTED


# --- editing and uploads -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [s for s in S.values if s != S.DRAFT])
def test_details_of_a_submitted_application_cannot_be_edited(status):
    assert not domain.may_edit_details(status)


def test_details_of_a_draft_can_be_edited():
    assert domain.may_edit_details(S.DRAFT)


def test_upload_is_open_in_a_draft():
    domain.guard_upload(S.DRAFT, "business_licence", frozenset())


def test_upload_of_a_requested_material_is_open_during_a_supplement():
    domain.guard_upload(S.SUPPLEMENT_REQUESTED, "business_licence", frozenset({"business_licence"}))


def test_upload_outside_the_supplement_request_is_refused():
    with pytest.raises(RuleViolation) as refused:
        domain.guard_upload(S.SUPPLEMENT_REQUESTED, "equipment_list", frozenset({"business_licence"}))
    assert refused.value.code == "not_requested"


@pytest.mark.parametrize("status", [S.SUBMITTED, S.ACCEPTED, S.NOT_ACCEPTED, S.WITHDRAWN, S.DOCUMENT_REVIEW])
def test_upload_after_submission_without_a_request_is_refused(status):
    with pytest.raises(RuleViolation) as refused:
        domain.guard_upload(status, "business_licence", frozenset({"business_licence"}))
    assert refused.value.code == "locked"


# --- deadlines ---------------------------------------------------------------------------------------


def test_acceptance_due_is_the_nth_working_day_after_receipt():
    def weekdays_only(d: date, n: int) -> date:  # a stand-in calendar; the real one is tested with the DB
        while n:
            d += timedelta(days=1)
            n -= d.weekday() < 5
        return d

    assert domain.acceptance_due(date(2026, 3, 6), 5, weekdays_only) == date(2026, 3, 13)


@pytest.mark.parametrize(
    ("due", "state"),
    [
        (None, "ok"),
        (date(2026, 3, 1), "overdue"),
        (date(2026, 3, 2), "today"),
        (date(2026, 3, 3), "soon"),
        (date(2026, 3, 4), "soon"),
        (date(2026, 3, 5), "ok"),
    ],
)
def test_deadline_state_for_the_queue(due, state):
    assert domain.deadline_state(due, date(2026, 3, 2)) == state
