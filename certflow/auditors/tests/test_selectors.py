"""Register reads: facts for planning, candidates, the register list — flat query counts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certflow.accounts.roles import StaffRole
from certflow.auditors import selectors, services
from certflow.auditors.tests.conftest import AUDIT_DAYS, TODAY
from certflow.core.testing.factories import StaffFactory

CATS = ["custom_furniture", "custom_apparel"]


def register(manager, n, *, valid_until=date(2028, 1, 1), level="auditor"):
    profiles = []
    for i in range(n):
        user = StaffFactory(roles=[StaffRole.AUDITOR])
        profile = services.profile_create(
            by=manager,
            user=user,
            qualification_number=f"N-{user.pk}-{i}",
            level=level,
            valid_from=date(2024, 1, 1),
            valid_until=valid_until,
        )
        services.competence_add(by=manager, profile=profile, category="custom_furniture")
        services.unavailability_add(
            by=manager, profile=profile, start=date(2027, 1, 1), end=date(2027, 1, 2), today=TODAY
        )
        profiles.append(profile)
    return profiles


def count_queries(fn):
    with CaptureQueriesContext(connection) as captured:
        result = fn()
    return len(captured), result


def test_facts_carry_what_the_rules_need(lead_profile, programme_manager, enterprise_a, enterprise_b, lead_auditor):
    services.conflict_declare(
        by=programme_manager, profile=lead_profile, enterprise=enterprise_a, reason="咨询", until=date(2027, 3, 1)
    )
    withdrawn = services.conflict_declare(
        by=programme_manager, profile=lead_profile, enterprise=enterprise_b, reason="x"
    )
    services.conflict_withdraw(by=programme_manager, conflict=withdrawn, reason="已结束")
    period = services.unavailability_add(
        by=programme_manager, profile=lead_profile, start=date(2026, 12, 9), end=date(2026, 12, 9), today=TODAY
    )
    gone = services.unavailability_add(
        by=programme_manager, profile=lead_profile, start=date(2026, 12, 20), end=date(2026, 12, 21), today=TODAY
    )
    services.unavailability_remove(by=programme_manager, period=gone)
    facts = selectors.auditor_facts([lead_auditor.pk])[lead_auditor.pk]
    assert facts.level == "lead_auditor" and facts.qualification_number == "OLS-A-0001"
    assert facts.categories == frozenset(CATS)
    assert facts.conflicts == ((enterprise_a.pk, date(2027, 3, 1)),)
    assert facts.unavailable == ((period.start, period.end),)


def test_people_outside_the_register_have_no_level(clerk):
    facts = selectors.auditor_facts([clerk.pk, 999_999])
    assert set(facts) == {clerk.pk}
    assert facts[clerk.pk].level is None


def test_auditor_facts_runs_a_fixed_number_of_queries(programme_manager):
    small = [p.user_id for p in register(programme_manager, 2)]
    large = small + [p.user_id for p in register(programme_manager, 6)]
    n_small, facts_small = count_queries(lambda: selectors.auditor_facts(small))
    n_large, facts_large = count_queries(lambda: selectors.auditor_facts(large))
    assert len(facts_small) == 2 and len(facts_large) == 8
    assert n_small == n_large <= 5


def test_candidates_put_the_eligible_first_and_explain_the_others(
    lead_profile, auditor_profile, programme_manager, enterprise_a, auditor
):
    services.conflict_declare(by=auditor, profile=auditor_profile, enterprise=enterprise_a, reason="咨询", today=TODAY)
    expired = register(programme_manager, 1, valid_until=date(2026, 12, 8))[0]
    found = selectors.candidates(enterprise_id=enterprise_a.pk, categories=CATS, audit_days=AUDIT_DAYS)
    assert [c.facts.user_id for c in found][0] == lead_profile.user_id
    by_user = {c.facts.user_id: c for c in found}
    lead = by_user[lead_profile.user_id]
    assert lead.eligible and lead.eligible_as_lead
    member = by_user[auditor_profile.user_id]
    assert {p.code for p in member.problems} == {"conflict", "not_competent"}
    assert "not_lead" in {p.code for p in member.lead_problems}
    assert {p.code for p in by_user[expired.user_id].problems} == {"not_qualified_on_dates", "not_competent"}
    assert not by_user[expired.user_id].may_join_team


def test_a_partly_competent_auditor_may_join_a_team(lead_profile, auditor_profile, enterprise_a):
    found = selectors.candidates(enterprise_id=enterprise_a.pk, categories=CATS, audit_days=AUDIT_DAYS)
    member = next(c for c in found if c.facts.user_id == auditor_profile.user_id)
    assert not member.eligible and member.may_join_team
    assert member.covers == {"custom_furniture"}
    assert "定制服饰" in member.problems[0].zh


def test_deactivated_accounts_are_not_candidates(auditor_profile, auditor, enterprise_a):
    auditor.is_active = False
    auditor.save()
    found = selectors.candidates(enterprise_id=enterprise_a.pk, categories=CATS, audit_days=AUDIT_DAYS)
    assert auditor.pk not in {c.facts.user_id for c in found}


def test_candidates_run_a_fixed_number_of_queries(programme_manager, enterprise_a):
    register(programme_manager, 2)
    n_small, small = count_queries(
        lambda: selectors.candidates(enterprise_id=enterprise_a.pk, categories=CATS, audit_days=AUDIT_DAYS)
    )
    register(programme_manager, 6)
    n_large, large = count_queries(
        lambda: selectors.candidates(enterprise_id=enterprise_a.pk, categories=CATS, audit_days=AUDIT_DAYS)
    )
    assert (len(small), len(large)) == (2, 8)
    assert n_small == n_large


@pytest.mark.parametrize(
    ("until", "flag"),
    [(date(2026, 11, 23), "expired"), (date(2027, 1, 1), "expiring"), (date(2028, 1, 1), "valid")],
)
def test_the_register_is_flagged_and_filtered(programme_manager, until, flag):
    [profile] = register(programme_manager, 1, valid_until=until)
    rows = list(selectors.register_list(today=TODAY))
    assert [r.flag for r in rows] == [flag]
    assert list(selectors.register_list(flag=flag, today=TODAY)) == [profile]
    others = {"expired", "expiring", "valid", "not_yet_valid"} - {flag}
    assert all(not selectors.register_list(flag=f, today=TODAY).exists() for f in others)
    assert selectors.flag_for(profile, TODAY) == flag


def test_the_register_filters_by_level_category_and_text(lead_profile, auditor_profile):
    assert list(selectors.register_list(level="lead_auditor")) == [lead_profile]
    assert list(selectors.register_list(category="custom_apparel")) == [lead_profile]
    assert set(selectors.register_list(category="custom_furniture")) == {lead_profile, auditor_profile}
    assert list(selectors.register_list(q="0002")) == [auditor_profile]


def test_the_register_list_runs_a_fixed_number_of_queries(programme_manager):
    register(programme_manager, 2)
    n_small, _ = count_queries(lambda: [r.current_competences for r in selectors.register_list()])
    register(programme_manager, 6)
    n_large, rows = count_queries(lambda: [r.current_competences for r in selectors.register_list()])
    assert len(rows) == 8 and n_small == n_large == 2
