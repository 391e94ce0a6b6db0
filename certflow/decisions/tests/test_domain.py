"""The decision rules as pure functions: preconditions, the committee's composition, the vote."""

from fractions import Fraction

import pytest

from certflow.core.rules import RuleViolation
from certflow.core.schemes.registry import get_scheme
from certflow.decisions import domain
from certflow.decisions.domain import DossierFacts, MemberFacts, NonconformityFact, SurveyFact, Tally

SCHEME = get_scheme()
GATES = dict(
    survey_must_pass=True,
    open_major_allowed=False,
    open_minor_needs_accepted_plan=True,
    pass_threshold=Fraction(4, 5),
)


def facts(**changes) -> DossierFacts:
    base = dict(
        application_status="decision",
        review_passed=True,
        onsite_passed=True,
        nonconformities=(),
        survey=SurveyFact(round=1, answered=100, satisfied=90, passed=True, share=Fraction(9, 10)),
        findings={},
        unrecorded_items=(),
        score=Fraction(100),
        grade_code="five_star",
        grade_name=("五星", "Five-star"),
        lowest_grade=("达标", 70),
    )
    base.update(changes)
    return DossierFacts(**base)


def problems(**changes):
    return domain.grant_problems(facts(**changes), **GATES)


def test_everything_in_order_has_no_problem():
    assert problems() == []


def test_an_open_major_nonconformity_blocks_and_is_named():
    major = NonconformityFact("NC-1", "onsite_audit", "4.9-1", "major", "action_submitted")
    [(zh, en)] = problems(nonconformities=(major,))
    assert "NC-1" in zh and "严重不符合" in zh and "NC-1" in en


def test_a_verified_major_does_not_block():
    assert problems(nonconformities=(NonconformityFact("NC-1", "onsite_audit", "4.9-1", "major", "verified"),)) == []


def test_a_minor_needs_an_accepted_plan_or_verification():
    open_minor = NonconformityFact("NC-2", "onsite_audit", "4.4-1", "minor", "open")
    on_plan = NonconformityFact("NC-3", "onsite_audit", "4.4-2", "minor", "plan_accepted")
    [(zh, _en)] = problems(nonconformities=(open_minor, on_plan))
    assert "NC-2" in zh and "NC-3" not in zh


@pytest.mark.parametrize(
    ("satisfied", "answered", "blocked"),
    [(799, 1000, True), (800, 1000, False), (4, 5, False), (79, 100, True), (1000, 1000, False)],
)
def test_the_survey_threshold_is_80_percent_inclusive(satisfied, answered, blocked):
    share = Fraction(satisfied, answered)
    survey = SurveyFact(1, answered, satisfied, SCHEME.survey.passes(share), share)
    found = problems(survey=survey)
    assert bool(found) is blocked
    if blocked:
        assert "满意度" in found[0][0] and f"{float(share) * 100:.1f}%" in found[0][0]


def test_79_9_percent_is_refused_with_the_share_in_the_reason():
    survey = SurveyFact(2, 1000, 799, False, Fraction(799, 1000))
    [(zh, en)] = problems(survey=survey)
    assert "79.9%" in zh and "第 2 轮" in zh and "79.9%" in en and "80%" in en


def test_no_survey_result_blocks():
    assert problems(survey=None)[0][1] == "there is no satisfaction-survey result yet"
    assert problems(survey=SurveyFact(1, 0, 0, None))[0][1] == "there is no satisfaction-survey result yet"


def test_stages_not_passed_are_each_reported():
    found = problems(review_passed=False, onsite_passed=False)
    assert [en for _zh, en in found] == ["the document review has not passed", "the on-site audit has not passed"]


def test_a_score_below_the_lowest_grade_blocks():
    [(zh, _en)] = problems(score=Fraction(69), grade_code=None, grade_name=None)
    assert "69.0" in zh and "达标" in zh and "70" in zh


def test_unrecorded_items_block_and_no_grade_is_claimed():
    [(zh, _en)] = problems(unrecorded_items=("4.1-1",), score=None, grade_code=None)
    assert "4.1-1" in zh


def test_every_problem_is_listed_at_once():
    found = problems(
        review_passed=False,
        survey=SurveyFact(1, 10, 7, False, Fraction(7, 10)),
        nonconformities=(NonconformityFact("NC-9", "document_review", "4.1-1", "major", "open"),),
    )
    assert len(found) == 3


def test_worst_finding_wins_and_not_applicable_loses_nothing():
    items = ("a", "b", "c", "d", "e")
    results = [
        ("a", "conform"),
        ("a", "minor"),
        ("b", "major"),
        ("b", "conform"),
        ("c", "not_applicable"),
        ("d", "unanswered"),
        ("d", "conform"),
    ]
    findings, missing = domain.worst_findings(items, results)
    assert findings == {"a": "minor", "b": "major", "c": "conforming", "d": "conforming"}
    assert missing == ("e",)


def test_the_scheme_grades_the_worst_findings():
    items = tuple(item.id for item in SCHEME.requirements)
    results = [(i, "conform") for i in items] + [("4.9-1", "major"), ("4.6-1", "major"), ("4.4-1", "minor")]
    findings, missing = domain.worst_findings(items, results)
    assert missing == ()
    score = SCHEME.score(findings)
    # 4.9-1 and 4.6-1 weigh 4 each and earn nothing; 4.4-1 weighs 3 and earns half.
    total = sum(item.weight for item in SCHEME.requirements)
    assert score == Fraction(100) * (total - 8 - Fraction(3, 2)) / total
    assert SCHEME.grade_for(score).code == ("four_star" if score >= 90 else "three_star")
    assert 90 <= score < 95


# --- opening ---------------------------------------------------------------------------------------


def test_open_after_onsite_passed():
    domain.guard_open(application_status="onsite_audit_passed", overdue_nonconformities=0)


def test_open_from_corrections_only_when_overdue():
    domain.guard_open(application_status="onsite_corrections", overdue_nonconformities=1)
    with pytest.raises(RuleViolation) as exc:
        domain.guard_open(application_status="onsite_corrections", overdue_nonconformities=0)
    assert exc.value.code == "corrections_in_time"


@pytest.mark.parametrize("status", ["draft", "accepted", "document_review", "onsite_audit", "decision", "certified"])
def test_open_refused_elsewhere(status):
    with pytest.raises(RuleViolation) as exc:
        domain.guard_open(application_status=status, overdue_nonconformities=3)
    assert exc.value.code == "not_ready"


# --- the committee ---------------------------------------------------------------------------------


def member(**changes) -> MemberFacts:
    return MemberFacts(**{"is_active": True, "is_committee_member": True, **changes})


def test_a_clean_committee_member_may_sit():
    assert domain.member_problems(member(), exclude_involved=True) == []


def test_a_member_who_audited_reviewed_or_declared_a_conflict_is_excluded_with_every_reason():
    found = domain.member_problems(
        member(reviewed_enterprise=("SQ2026-00001",), audited_enterprise=("SH2026-00002",), conflict_reasons=("亲属",)),
        exclude_involved=True,
    )
    text = " ".join(zh for zh, _ in found)
    assert len(found) == 3 and "SQ2026-00001" in text and "SH2026-00002" in text and "亲属" in text


def test_involvement_counts_only_where_the_scheme_excludes_it():
    assert domain.member_problems(member(audited_enterprise=("SH1",)), exclude_involved=False) == []


def test_not_a_committee_member_or_inactive_or_twice():
    found = domain.member_problems(
        member(is_active=False, is_committee_member=False, already_member=True), exclude_involved=True
    )
    assert len(found) == 3
    with pytest.raises(RuleViolation) as exc:
        domain.check_member(member(is_committee_member=False), exclude_involved=True)
    assert exc.value.code == "member_excluded" and "技术委员会" in exc.value.zh


# --- the vote --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("votes_for", "against", "result"),
    [(3, 0, "granted"), (2, 1, "granted"), (1, 2, "refused"), (2, 2, "refused"), (3, 2, "granted"), (0, 3, "refused")],
)
def test_more_than_half_of_the_votes_cast_carries(votes_for, against, result):
    tally = Tally(votes_for, against, SCHEME.committee.quorum)
    assert domain.outcome(tally, SCHEME.committee.approves) == result


def test_below_quorum_there_is_no_decision():
    with pytest.raises(RuleViolation) as exc:
        domain.outcome(Tally(2, 0, 3), SCHEME.committee.approves)
    assert exc.value.code == "no_quorum" and "还差 1 名" in exc.value.zh


def test_a_vote_to_grant_is_refused_when_a_precondition_fails():
    with pytest.raises(RuleViolation) as exc:
        domain.guard_vote("grant", "", [("现场审核尚未通过", "the on-site audit has not passed")])
    assert exc.value.code == "preconditions" and "现场审核尚未通过" in exc.value.zh


def test_a_vote_against_needs_reasons_and_unknown_votes_are_refused():
    with pytest.raises(RuleViolation):
        domain.guard_vote("refuse", "  ", [])
    with pytest.raises(RuleViolation):
        domain.guard_vote("abstain", "x", [])
    domain.guard_vote("refuse", "证据不足", [])
    domain.guard_vote("grant", "", [])
