"""Pure rules of the conduct: start, revisions, the weighted score, the closing and passing rules."""

from datetime import date
from fractions import Fraction

import pytest

from certflow.audits import domain
from certflow.audits.domain import AuditStatus, ClosingFacts, NonconformityFacts
from certflow.core.rules import RuleViolation

FACTORS = {"conforming": Fraction(1), "minor": Fraction(1, 2), "major": Fraction(0)}


def test_start_only_from_notified_and_not_before_the_first_day():
    assert domain.guard_start("notified", today=date(2026, 3, 16), first_day=date(2026, 3, 16)) == "in_progress"
    assert domain.guard_start("notified", today=date(2026, 3, 18), first_day=date(2026, 3, 16)) == "in_progress"
    for status, today, code in (
        ("notified", date(2026, 3, 15), "too_early"),
        ("scheduled", date(2026, 3, 16), "wrong_state"),
        ("in_progress", date(2026, 3, 16), "wrong_state"),
    ):
        with pytest.raises(RuleViolation) as exc:
            domain.guard_start(status, today=today, first_day=date(2026, 3, 16))
        assert exc.value.code == code
    with pytest.raises(RuleViolation) as exc:
        domain.guard_start("notified", today=date(2026, 3, 16), first_day=None)
    assert exc.value.code == "no_days"


def test_revision_must_match():
    domain.guard_revision(0, 0)
    domain.guard_revision(3, 3)
    for current, base in ((1, 0), (2, 1), (0, 1), (1, None)):
        with pytest.raises(RuleViolation) as exc:
            domain.guard_revision(current, base)
        assert exc.value.code == "conflict"


def test_checklist_open_only_in_progress():
    domain.guard_checklist_open("in_progress")
    for status in ("notified", "corrections", "passed"):
        with pytest.raises(RuleViolation):
            domain.guard_checklist_open(status)


def test_score_weights_factors_and_not_applicable():
    weights = [("a", 3), ("b", 4), ("c", 2), ("d", 2), ("e", 5)]
    score = domain.onsite_score(
        weights, {"a": "conform", "b": "minor", "c": "major", "d": "not_applicable"}, factor=FACTORS.get, max_score=100
    )
    assert score.earned == 5 and score.total == 9 and score.applicable_total == 14
    assert score.score == Fraction(500, 9) and not score.complete and score.answered == 4
    assert [p.earned for p in score.items] == [3, 2, 0, None, None]


def test_score_of_nothing_and_of_everything_conforming():
    weights = [("a", 3), ("b", 1)]
    assert domain.onsite_score(weights, {}, factor=FACTORS.get, max_score=100).score is None
    assert domain.onsite_score(weights, {"a": "not_applicable"}, factor=FACTORS.get, max_score=100).score is None
    full = domain.onsite_score(weights, {"a": "conform", "b": "conform"}, factor=FACTORS.get, max_score=100)
    assert full.score == 100 and full.complete


def facts(**kw):
    base = dict(
        status=AuditStatus.IN_PROGRESS,
        unanswered=(),
        entry_problems=(),
        findings_without_nc=(),
        unconfirmed=(),
        cb_attendees=1,
        enterprise_attendees=1,
        conclusion="结论",
    )
    return ClosingFacts(**{**base, **kw})


def test_close_leads_to_corrections_or_straight_to_passed():
    assert domain.guard_close(facts(), open_nonconformities=2) == AuditStatus.CORRECTIONS
    assert domain.guard_close(facts(), open_nonconformities=0) == AuditStatus.PASSED


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"unanswered": ("4.1-1",)}, "incomplete"),
        ({"entry_problems": (("x", "y"),)}, "invalid_entry"),
        ({"findings_without_nc": ("4.1-1",)}, "nonconformity_not_raised"),
        ({"unconfirmed": ("NC-1",)}, "unconfirmed"),
        ({"enterprise_attendees": 0}, "attendees"),
        ({"cb_attendees": 0}, "attendees"),
        ({"conclusion": "  "}, "no_conclusion"),
        ({"status": AuditStatus.NOTIFIED}, "wrong_state"),
    ],
)
def test_close_refusals(change, code):
    with pytest.raises(RuleViolation) as exc:
        domain.guard_close(facts(**change), 0)
    assert exc.value.code == code


def test_several_closing_problems_are_listed_together():
    with pytest.raises(RuleViolation) as exc:
        domain.guard_close(facts(unconfirmed=("NC-1",), conclusion=""), 1)
    assert exc.value.code == "closing_not_ready" and "NC-1" in exc.value.zh and "审核结论" in exc.value.zh


def nc(number, grade, state):
    return NonconformityFacts(number, grade, state)


def test_pass_rule_majors_verified_minors_verified_or_on_plan():
    ncs = [nc("1", "major", "verified"), nc("2", "minor", "verified"), nc("3", "minor", "plan_accepted")]
    problems, on_plan = domain.pass_problems(ncs, open_major_allowed=False, open_minor_needs_accepted_plan=True)
    assert problems == [] and on_plan == ("3",)
    assert domain.guard_pass(AuditStatus.CORRECTIONS, problems) == AuditStatus.PASSED


@pytest.mark.parametrize(
    ("ncs", "gate_plan", "major_allowed", "open_count"),
    [
        ([nc("1", "major", "plan_accepted")], True, False, 1),
        ([nc("1", "major", "action_submitted")], True, False, 1),
        ([nc("1", "major", "open")], True, True, 0),
        ([nc("1", "minor", "open")], True, False, 1),
        ([nc("1", "minor", "returned")], True, False, 1),
        ([nc("1", "minor", "plan_accepted")], False, False, 1),
    ],
)
def test_pass_rule_refusals(ncs, gate_plan, major_allowed, open_count):
    problems, _ = domain.pass_problems(ncs, open_major_allowed=major_allowed, open_minor_needs_accepted_plan=gate_plan)
    assert len(problems) == open_count
    if problems:
        with pytest.raises(RuleViolation) as exc:
            domain.guard_pass(AuditStatus.CORRECTIONS, problems)
        assert exc.value.code == "open_nonconformities"


def test_pass_only_from_corrections():
    with pytest.raises(RuleViolation) as exc:
        domain.guard_pass(AuditStatus.IN_PROGRESS, [])
    assert exc.value.code == "wrong_state"
