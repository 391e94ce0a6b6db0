"""The register's rules on their own: no database."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from certflow.auditors.domain import (
    EXPIRING_WITHIN_DAYS,
    AuditorFacts,
    auditor_problems,
    check_team,
    qualification_flag,
    team_problems,
)
from certflow.core.rules import RuleViolation

ENTERPRISE = 7
DAYS = [date(2026, 12, 8), date(2026, 12, 9)]
CATS = ["custom_furniture", "custom_apparel"]
NAMES = {"custom_furniture": ("定制家具", "Custom furniture"), "custom_apparel": ("定制服饰", "Custom apparel")}

LEAD = AuditorFacts(
    user_id=1,
    label="陈刚",
    is_active=True,
    level="lead_auditor",
    qualification_number="Q-1",
    valid_from=date(2024, 1, 1),
    valid_until=date(2027, 12, 31),
    categories=frozenset(CATS),
    conflicts=(),
    unavailable=(),
)
MEMBER = replace(LEAD, user_id=2, label="王强", level="auditor", qualification_number="Q-2")


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def problems(facts, **kw):
    args = {"enterprise_id": ENTERPRISE, "categories": CATS, "audit_days": DAYS, "category_names": NAMES}
    args.update(kw)
    return auditor_problems(facts, **args)


def team(members, lead_id=1, **kw):
    args = {"enterprise_id": ENTERPRISE, "categories": CATS, "audit_days": DAYS, "category_names": NAMES}
    args.update(kw)
    return team_problems(members, lead_id, **args)


# --- one auditor ---------------------------------------------------------------------------------


def test_a_qualified_competent_free_auditor_has_no_problems():
    assert problems(MEMBER) == []
    assert problems(LEAD, as_lead=True) == []


def test_someone_not_in_the_register_is_refused():
    facts = AuditorFacts(9, "路人", True, None, "", None, None, frozenset(), (), ())
    assert codes(problems(facts)) == ["not_registered"]


def test_an_inactive_account_is_refused():
    assert codes(problems(replace(MEMBER, is_active=False))) == ["inactive"]


def test_a_qualification_ending_on_the_last_audit_day_is_valid():
    assert problems(replace(MEMBER, valid_until=DAYS[-1])) == []


def test_a_qualification_ending_before_the_last_audit_day_is_refused_and_names_the_day():
    found = problems(replace(MEMBER, valid_until=DAYS[0]))
    assert codes(found) == ["not_qualified_on_dates"]
    assert "2026-12-09" in found[0].zh and "2026-12-08" not in found[0].zh.split("审核日")[1]


def test_a_qualification_starting_after_the_first_audit_day_is_refused():
    assert codes(problems(replace(MEMBER, valid_from=DAYS[1]))) == ["not_qualified_on_dates"]
    assert problems(replace(MEMBER, valid_from=DAYS[0])) == []


def test_an_auditor_is_not_a_lead():
    assert codes(problems(MEMBER, as_lead=True)) == ["not_lead"]


def test_missing_categories_are_named():
    found = problems(replace(MEMBER, categories=frozenset({"custom_furniture"})))
    assert codes(found) == ["not_competent"]
    assert "定制服饰" in found[0].zh and "Custom apparel" in found[0].en
    assert "定制家具" not in found[0].zh


def test_a_declared_conflict_without_end_is_refused():
    assert codes(problems(replace(MEMBER, conflicts=((ENTERPRISE, None),)))) == ["conflict"]


def test_a_conflict_lasting_until_the_first_audit_day_is_refused():
    assert codes(problems(replace(MEMBER, conflicts=((ENTERPRISE, DAYS[0]),)))) == ["conflict"]


def test_a_conflict_until_the_day_before_the_audit_is_not_a_conflict():
    assert problems(replace(MEMBER, conflicts=((ENTERPRISE, DAYS[0] - timedelta(days=1)),))) == []


def test_before_the_days_are_known_every_open_conflict_counts():
    found = problems(replace(MEMBER, conflicts=((ENTERPRISE, date(2020, 1, 1)),)), audit_days=[])
    assert codes(found) == ["conflict"]


def test_without_audit_days_dates_are_not_judged():
    assert (
        problems(replace(MEMBER, valid_until=date(2020, 1, 1), unavailable=((DAYS[0], DAYS[1]),)), audit_days=[]) == []
    )


def test_a_conflict_with_another_enterprise_does_not_count():
    assert problems(replace(MEMBER, conflicts=((ENTERPRISE + 1, None),))) == []


def test_unavailable_days_are_named():
    found = problems(replace(MEMBER, unavailable=((date(2026, 12, 9), date(2026, 12, 20)),)))
    assert codes(found) == ["unavailable"]
    assert "2026-12-09" in found[0].zh and "2026-12-08" not in found[0].zh


def test_an_unavailable_period_ending_the_day_before_does_not_count():
    assert problems(replace(MEMBER, unavailable=((date(2026, 12, 1), date(2026, 12, 7)),))) == []


def test_every_problem_is_reported_at_once():
    facts = replace(
        MEMBER,
        valid_until=DAYS[0],
        categories=frozenset(),
        conflicts=((ENTERPRISE, None),),
        unavailable=((DAYS[0], DAYS[0]),),
    )
    assert codes(problems(facts, as_lead=True)) == [
        "not_qualified_on_dates",
        "not_lead",
        "not_competent",
        "conflict",
        "unavailable",
    ]


# --- the team ------------------------------------------------------------------------------------


def test_a_good_team_passes():
    assert team([LEAD, MEMBER]) == []
    check_team([LEAD, MEMBER], 1, enterprise_id=ENTERPRISE, categories=CATS, audit_days=DAYS)


def test_a_team_of_the_lead_alone_passes():
    assert team([LEAD]) == []


def test_an_empty_team_is_refused():
    assert codes(team([], lead_id=None)) == ["empty_team", "no_lead"]


def test_a_team_without_audit_days_is_refused():
    assert "no_audit_days" in codes(team([LEAD], audit_days=[]))


def test_a_team_without_lead_is_refused():
    assert codes(team([LEAD, MEMBER], lead_id=None)) == ["no_lead"]


def test_a_lead_outside_the_team_is_refused():
    assert codes(team([MEMBER], lead_id=LEAD.user_id)) == ["lead_not_member"]


def test_a_duplicate_member_is_refused_once():
    assert codes(team([LEAD, MEMBER, MEMBER])) == ["duplicate_member"]


def test_an_auditor_named_lead_is_refused():
    assert codes(team([LEAD, MEMBER], lead_id=MEMBER.user_id)) == ["not_lead"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"is_active": False}, "inactive"),
        ({"valid_until": DAYS[0]}, "not_qualified_on_dates"),
        ({"conflicts": ((ENTERPRISE, None),)}, "conflict"),
        ({"unavailable": ((DAYS[1], DAYS[1]),)}, "unavailable"),
        ({"level": None}, "not_registered"),
    ],
)
def test_a_member_breaking_a_rule_refuses_the_team(change, code):
    assert codes(team([LEAD, replace(MEMBER, **change)])) == [code]


def test_the_team_together_may_cover_the_categories():
    furniture = replace(LEAD, categories=frozenset({"custom_furniture"}))
    apparel = replace(MEMBER, categories=frozenset({"custom_apparel"}))
    assert team([furniture, apparel]) == []


def test_a_category_nobody_covers_refuses_the_team_and_is_named():
    furniture = replace(LEAD, categories=frozenset({"custom_furniture"}))
    found = team([furniture, replace(MEMBER, categories=frozenset({"custom_furniture"}))])
    assert codes(found) == ["team_not_competent"]
    assert "定制服饰" in found[0].zh


def test_a_member_competent_for_none_of_the_categories_is_refused():
    outsider = replace(MEMBER, categories=frozenset({"custom_electronic_accessories"}))
    assert codes(team([LEAD, outsider])) == ["not_competent"]


def test_check_team_raises_one_violation_listing_every_problem():
    with pytest.raises(RuleViolation) as raised:
        check_team(
            [MEMBER, replace(MEMBER, user_id=3, label="李四", conflicts=((ENTERPRISE, None),))],
            MEMBER.user_id,
            enterprise_id=ENTERPRISE,
            categories=CATS,
            audit_days=DAYS,
        )
    assert raised.value.code == "team_refused"
    assert "不具备审核组长资格" in raised.value.zh and "李四" in raised.value.zh
    assert "conflict of interest" in raised.value.en


# --- the qualification flag ----------------------------------------------------------------------


TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "flag"),
    [
        (date(2024, 1, 1), TODAY - timedelta(days=1), "expired"),
        (date(2024, 1, 1), TODAY, "expiring"),
        (date(2024, 1, 1), TODAY + timedelta(days=EXPIRING_WITHIN_DAYS), "expiring"),
        (date(2024, 1, 1), TODAY + timedelta(days=EXPIRING_WITHIN_DAYS + 1), "valid"),
        (TODAY + timedelta(days=1), date(2029, 1, 1), "not_yet_valid"),
        (TODAY, date(2029, 1, 1), "valid"),
    ],
)
def test_qualification_flag(valid_from, valid_until, flag):
    assert qualification_flag(replace(MEMBER, valid_from=valid_from, valid_until=valid_until), TODAY) == flag
