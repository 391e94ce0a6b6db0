"""Register writes: one event each, refusals change nothing."""

from datetime import date

import pytest

from certflow.accounts.roles import StaffRole
from certflow.auditors import services
from certflow.auditors.domain import AuditorLevel
from certflow.auditors.models import AuditorProfile, Competence, ConflictDeclaration, Unavailability
from certflow.auditors.tests.conftest import TODAY
from certflow.core.events.models import Event
from certflow.core.rules import RuleViolation
from certflow.core.testing.factories import StaffFactory
from certflow.notifications.models import Notification


def events(action):
    return list(Event.objects.filter(action=action))


def test_a_programme_manager_registers_an_auditor_with_one_event(auditor_profile, programme_manager):
    assert auditor_profile.level == AuditorLevel.AUDITOR
    [event] = events("auditor.registered")
    assert event.actor_id == programme_manager.pk
    assert event.after["qualification_number"] == "OLS-A-0002"


@pytest.mark.parametrize("who", ["auditor", "clerk", "committee_member", "user_a"])
def test_others_may_not_register(request, who, lead_auditor):
    by = request.getfixturevalue(who)
    with pytest.raises(RuleViolation) as raised:
        services.profile_create(
            by=by,
            user=lead_auditor,
            qualification_number="X-1",
            level="auditor",
            valid_from=date(2025, 1, 1),
            valid_until=date(2027, 1, 1),
        )
    assert raised.value.code == "not_register_keeper"
    assert not AuditorProfile.objects.exists() and not events("auditor.registered")


def test_an_administrator_may_register(cb_admin, auditor):
    services.profile_create(
        by=cb_admin,
        user=auditor,
        qualification_number="X-1",
        level="auditor",
        valid_from=date(2025, 1, 1),
        valid_until=date(2027, 1, 1),
    )
    assert AuditorProfile.objects.filter(user=auditor).exists()


def test_only_staff_holding_an_auditor_role_are_registered(programme_manager, clerk, user_a):
    for person in (clerk, user_a):
        with pytest.raises(RuleViolation) as raised:
            services.profile_create(
                by=programme_manager,
                user=person,
                qualification_number=f"X-{person.pk}",
                level="auditor",
                valid_from=date(2025, 1, 1),
                valid_until=date(2027, 1, 1),
            )
        assert raised.value.code == "not_auditor_staff"
    assert not AuditorProfile.objects.exists()


def test_validity_must_be_in_order_and_the_number_unique(programme_manager, auditor_profile, lead_auditor):
    with pytest.raises(RuleViolation) as raised:
        services.profile_create(
            by=programme_manager,
            user=lead_auditor,
            qualification_number="X-2",
            level="lead_auditor",
            valid_from=date(2027, 1, 1),
            valid_until=date(2026, 1, 1),
        )
    assert raised.value.code == "validity_order"
    with pytest.raises(RuleViolation) as raised:
        services.profile_create(
            by=programme_manager,
            user=lead_auditor,
            qualification_number="OLS-A-0002",
            level="lead_auditor",
            valid_from=date(2025, 1, 1),
            valid_until=date(2026, 1, 1),
        )
    assert raised.value.code == "duplicate_number"
    assert AuditorProfile.objects.count() == 1


def test_a_person_is_registered_once(programme_manager, auditor_profile, auditor):
    with pytest.raises(RuleViolation) as raised:
        services.profile_create(
            by=programme_manager,
            user=auditor,
            qualification_number="X-9",
            level="auditor",
            valid_from=date(2025, 1, 1),
            valid_until=date(2027, 1, 1),
        )
    assert raised.value.code == "already_registered"


def test_update_records_only_what_changed(auditor_profile, programme_manager):
    services.profile_update(
        by=programme_manager, profile=auditor_profile, level="lead_auditor", valid_until=date(2029, 1, 1)
    )
    auditor_profile.refresh_from_db()
    assert auditor_profile.level == "lead_auditor"
    [event] = events("auditor.updated")
    assert set(event.after) == {"level", "valid_until"}
    assert event.before["level"] == "auditor"


def test_an_update_that_changes_nothing_writes_no_event(auditor_profile, programme_manager):
    services.profile_update(by=programme_manager, profile=auditor_profile, level="auditor")
    assert not events("auditor.updated")


def test_a_bad_update_changes_nothing(auditor_profile, lead_profile, programme_manager, auditor):
    for kwargs, code in [
        ({"valid_until": date(2020, 1, 1)}, "validity_order"),
        ({"qualification_number": "OLS-A-0001"}, "duplicate_number"),
        ({"level": "boss"}, "bad_level"),
    ]:
        with pytest.raises(RuleViolation) as raised:
            services.profile_update(by=programme_manager, profile=auditor_profile, **kwargs)
        assert raised.value.code == code
    with pytest.raises(RuleViolation):
        services.profile_update(by=auditor, profile=auditor_profile, level="lead_auditor")
    auditor_profile.refresh_from_db()
    assert (auditor_profile.level, auditor_profile.qualification_number) == ("auditor", "OLS-A-0002")
    assert not events("auditor.updated")


def test_competence_is_a_scheme_category_recorded_once(auditor_profile, programme_manager):
    with pytest.raises(RuleViolation) as raised:
        services.competence_add(by=programme_manager, profile=auditor_profile, category="spaceships")
    assert raised.value.code == "bad_category"
    with pytest.raises(RuleViolation) as raised:
        services.competence_add(by=programme_manager, profile=auditor_profile, category="custom_furniture")
    assert raised.value.code == "competence_exists"
    assert Competence.objects.filter(profile=auditor_profile).count() == 1


def test_a_removed_competence_stays_as_history_and_may_be_granted_again(auditor_profile, programme_manager):
    competence = auditor_profile.competences.get()
    services.competence_remove(by=programme_manager, competence=competence, reason="再培训")
    competence.refresh_from_db()
    assert competence.removed_at is not None and competence.removed_by == programme_manager
    assert len(events("auditor.competence_removed")) == 1
    with pytest.raises(RuleViolation):
        services.competence_remove(by=programme_manager, competence=competence)
    services.competence_add(by=programme_manager, profile=auditor_profile, category="custom_furniture")
    assert Competence.objects.filter(profile=auditor_profile).count() == 2


def test_an_auditor_may_not_grant_himself_competence(auditor_profile, auditor):
    with pytest.raises(RuleViolation):
        services.competence_add(by=auditor, profile=auditor_profile, category="custom_apparel")
    assert auditor_profile.competences.count() == 1


def test_an_auditor_declares_his_own_conflict_and_programme_managers_hear_of_it(
    auditor_profile, auditor, enterprise_a, programme_manager
):
    conflict = services.conflict_declare(
        by=auditor, profile=auditor_profile, enterprise=enterprise_a, reason="曾为其提供咨询", today=TODAY
    )
    assert conflict.declared_by == auditor and conflict.until is None
    [event] = events("auditor.conflict_declared")
    assert event.reason == "曾为其提供咨询"
    [note] = Notification.objects.filter(kind="auditor.conflict_declared")
    assert note.recipient == programme_manager


def test_a_keeper_declaring_for_an_auditor_notifies_nobody(auditor_profile, programme_manager, enterprise_a):
    services.conflict_declare(
        by=programme_manager, profile=auditor_profile, enterprise=enterprise_a, reason="亲属任职", today=TODAY
    )
    assert not Notification.objects.filter(kind="auditor.conflict_declared").exists()


def test_an_auditor_may_not_declare_for_another(auditor_profile, lead_auditor, enterprise_a):
    with pytest.raises(RuleViolation) as raised:
        services.conflict_declare(
            by=lead_auditor, profile=auditor_profile, enterprise=enterprise_a, reason="x", today=TODAY
        )
    assert raised.value.code == "not_self_or_keeper"
    assert not ConflictDeclaration.objects.exists()


def test_a_conflict_needs_a_reason_and_a_future_end(auditor_profile, auditor, enterprise_a):
    for kwargs, code in [
        ({"reason": "  "}, "reason_required"),
        ({"reason": "x", "until": date(2026, 11, 23)}, "until_in_past"),
    ]:
        with pytest.raises(RuleViolation) as raised:
            services.conflict_declare(
                by=auditor, profile=auditor_profile, enterprise=enterprise_a, today=TODAY, **kwargs
            )
        assert raised.value.code == code
    assert not ConflictDeclaration.objects.exists()


def test_only_a_keeper_withdraws_a_conflict_and_the_row_stays(
    auditor_profile, auditor, enterprise_a, programme_manager
):
    conflict = services.conflict_declare(
        by=auditor, profile=auditor_profile, enterprise=enterprise_a, reason="咨询", today=TODAY
    )
    with pytest.raises(RuleViolation):
        services.conflict_withdraw(by=auditor, conflict=conflict, reason="已结束")
    with pytest.raises(RuleViolation) as raised:
        services.conflict_withdraw(by=programme_manager, conflict=conflict, reason="")
    assert raised.value.code == "reason_required"
    services.conflict_withdraw(by=programme_manager, conflict=conflict, reason="咨询合同已于2024年终止")
    conflict.refresh_from_db()
    assert conflict.withdrawn_by == programme_manager and conflict.withdrawn_reason
    assert len(events("auditor.conflict_withdrawn")) == 1
    with pytest.raises(RuleViolation) as raised:
        services.conflict_withdraw(by=programme_manager, conflict=conflict, reason="again")
    assert raised.value.code == "already_withdrawn"


def test_an_auditor_records_and_removes_his_unavailable_days(auditor_profile, auditor):
    period = services.unavailability_add(
        by=auditor, profile=auditor_profile, start=date(2026, 12, 1), end=date(2026, 12, 3), reason="年假", today=TODAY
    )
    assert len(events("auditor.unavailability_added")) == 1
    services.unavailability_remove(by=auditor, period=period)
    period.refresh_from_db()
    assert period.removed_at is not None
    assert len(events("auditor.unavailability_removed")) == 1
    assert Unavailability.objects.count() == 1


def test_bad_unavailable_periods_are_refused(auditor_profile, auditor, lead_auditor):
    services.unavailability_add(
        by=auditor, profile=auditor_profile, start=date(2026, 12, 1), end=date(2026, 12, 3), today=TODAY
    )
    for start, end, code in [
        (date(2026, 12, 5), date(2026, 12, 4), "period_order"),
        (date(2026, 11, 1), date(2026, 11, 23), "period_in_past"),
        (date(2026, 12, 3), date(2026, 12, 6), "period_overlaps"),
    ]:
        with pytest.raises(RuleViolation) as raised:
            services.unavailability_add(by=auditor, profile=auditor_profile, start=start, end=end, today=TODAY)
        assert raised.value.code == code
    with pytest.raises(RuleViolation):
        services.unavailability_add(
            by=lead_auditor, profile=auditor_profile, start=date(2027, 1, 1), end=date(2027, 1, 2), today=TODAY
        )
    assert Unavailability.objects.count() == 1


def test_a_revoked_keeper_role_counts_at_once(auditor_profile, db):
    manager = StaffFactory(roles=[StaffRole.PROGRAMME_MANAGER])
    grant = manager.role_grants.get()
    from django.utils import timezone

    grant.revoked_at = timezone.now()
    grant.save()
    manager.__dict__.pop("roles", None)
    with pytest.raises(RuleViolation):
        services.profile_update(by=manager, profile=auditor_profile, notes="x")
