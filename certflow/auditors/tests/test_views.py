"""The register pages: what they show, bad input kept with a clear message, flat query counts."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certflow.accounts.roles import StaffRole
from certflow.auditors import services
from certflow.auditors.models import AuditorProfile, ConflictDeclaration, Unavailability
from certflow.core.testing.factories import StaffFactory


def today():
    return timezone.localdate(timezone=timezone.get_default_timezone())


def register(manager, n, *, valid_until=None):
    for _ in range(n):
        user = StaffFactory(roles=[StaffRole.AUDITOR])
        profile = services.profile_create(
            by=manager,
            user=user,
            qualification_number=f"N-{user.pk}",
            level="auditor",
            valid_from=date(2024, 1, 1),
            valid_until=valid_until or today() + timedelta(days=400),
        )
        services.competence_add(by=manager, profile=profile, category="custom_apparel")


def test_the_register_flags_expired_and_expiring_qualifications(as_user, programme_manager):
    register(programme_manager, 1, valid_until=today() - timedelta(days=1))
    register(programme_manager, 1, valid_until=today() + timedelta(days=10))
    register(programme_manager, 1)
    page = as_user("programme_manager").get("/auditors/").content.decode()
    assert "已过期" in page and "即将到期" in page and "有效" in page
    assert "定制服饰" in page


def test_the_register_filters_by_flag_and_keeps_the_filter_in_the_links(as_user, programme_manager):
    register(programme_manager, 1, valid_until=today() - timedelta(days=1))
    register(programme_manager, 1)
    expired = AuditorProfile.objects.get(valid_until__lt=today())
    page = as_user("programme_manager").get("/auditors/", {"flag": "expired"}).content.decode()
    assert expired.qualification_number in page
    assert AuditorProfile.objects.exclude(pk=expired.pk).get().qualification_number not in page


def test_a_bad_filter_is_ignored_not_a_500(as_user, programme_manager):
    register(programme_manager, 1)
    response = as_user("programme_manager").get("/auditors/", {"flag": "nonsense", "level": "x", "page": "zz"})
    assert response.status_code == 200


def test_the_register_page_keeps_a_fixed_number_of_queries(as_user, programme_manager):
    client = as_user("programme_manager")
    register(programme_manager, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/auditors/").status_code == 200
    register(programme_manager, 8)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/auditors/").status_code == 200
    assert len(small) == len(large)


def test_the_profile_page_keeps_a_fixed_number_of_queries(as_user, auditor_profile, programme_manager, enterprise_a):
    client = as_user("programme_manager")
    with CaptureQueriesContext(connection) as small:
        client.get(f"/auditors/{auditor_profile.pk}/")
    for i in range(4):
        services.conflict_declare(
            by=programme_manager, profile=auditor_profile, enterprise=enterprise_a, reason=f"r{i}"
        )
        services.unavailability_add(
            by=programme_manager,
            profile=auditor_profile,
            start=today() + timedelta(days=10 * i + 1),
            end=today() + timedelta(days=10 * i + 2),
        )
    with CaptureQueriesContext(connection) as large:
        client.get(f"/auditors/{auditor_profile.pk}/")
    assert len(small) == len(large)


def test_a_keeper_registers_an_auditor_through_the_page(as_user, auditor):
    response = as_user("programme_manager").post(
        "/auditors/new/",
        {
            "user": auditor.pk,
            "qualification_number": "OLS-A-9",
            "level": "auditor",
            "valid_from": "2025-01-01",
            "valid_until": "2028-01-01",
        },
    )
    profile = AuditorProfile.objects.get(user=auditor)
    assert response.status_code == 302 and response["Location"] == f"/auditors/{profile.pk}/"


def test_a_refused_registration_keeps_what_was_typed(as_user, auditor_profile, lead_auditor):
    response = as_user("programme_manager").post(
        "/auditors/new/",
        {
            "user": lead_auditor.pk,
            "qualification_number": "OLS-A-0002",
            "level": "lead_auditor",
            "valid_from": "2025-01-01",
            "valid_until": "2028-01-01",
            "notes": "见证审核合格",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "已登记在其他审核员名下" in page and "见证审核合格" in page
    assert not AuditorProfile.objects.filter(user=lead_auditor).exists()


def test_the_profile_page_shows_competences_conflicts_history_and_unavailability(
    as_user, auditor_profile, programme_manager, auditor, enterprise_a, enterprise_b
):
    services.conflict_declare(by=auditor, profile=auditor_profile, enterprise=enterprise_a, reason="曾提供咨询")
    old = services.conflict_declare(by=auditor, profile=auditor_profile, enterprise=enterprise_b, reason="旧关系")
    services.conflict_withdraw(by=programme_manager, conflict=old, reason="关系已于2023年终止")
    services.unavailability_add(
        by=auditor, profile=auditor_profile, start=today() + timedelta(days=3), end=today() + timedelta(days=4)
    )
    page = as_user("programme_manager").get(f"/auditors/{auditor_profile.pk}/").content.decode()
    for text in (
        "OLS-A-0002",
        "定制家具",
        enterprise_a.name,
        "曾提供咨询",
        "已撤回的声明",
        "关系已于2023年终止",
        "撤回声明",
    ):
        assert text in page


def test_the_auditor_sees_his_forms_but_not_the_keepers(as_user, auditor_profile, auditor, enterprise_a):
    services.conflict_declare(by=auditor, profile=auditor_profile, enterprise=enterprise_a, reason="咨询")
    page = as_user("auditor").get("/auditors/me/").content.decode()
    assert "我的资格" in page and "声明利益冲突" in page and "我不能参加审核的日期" in page
    assert "撤回声明" not in page and "修改资格" not in page and "登记专业能力" not in page


def test_a_conflict_without_reason_is_refused_and_keeps_the_input(as_user, auditor_profile, enterprise_a):
    response = as_user("auditor").post(
        f"/auditors/{auditor_profile.pk}/conflicts/", {"enterprise": enterprise_a.pk, "until": "2027-06-30"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "2027-06-30" in page and "field-error" in page
    assert not ConflictDeclaration.objects.exists()


def test_a_refused_unavailable_period_says_why(as_user, auditor_profile):
    response = as_user("auditor").post(
        f"/auditors/{auditor_profile.pk}/unavailability/", {"start": "2020-01-01", "end": "2020-01-02"}
    )
    assert response.status_code == 400
    assert "该期间已经过去" in response.content.decode()
    assert not Unavailability.objects.exists()


def test_the_auditor_returns_to_his_own_page(as_user, auditor_profile):
    start = today() + timedelta(days=5)
    response = as_user("auditor").post(
        f"/auditors/{auditor_profile.pk}/unavailability/", {"start": start.isoformat(), "end": start.isoformat()}
    )
    assert response["Location"] == "/auditors/me/"


def test_the_menu_shows_the_register_to_keepers_and_my_qualification_to_auditors(as_user, auditor_profile):
    assert 'href="/auditors/"' in as_user("programme_manager").get("/auditors/").content.decode()
    me = as_user("auditor").get("/auditors/me/").content.decode()
    assert 'href="/auditors/me/"' in me and 'href="/auditors/"' not in me


def test_the_english_page_is_translated(as_user, auditor_profile, settings):
    client = as_user("programme_manager")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/auditors/{auditor_profile.pk}/").content.decode()
    assert "Conflicts of interest" in page and "Custom furniture" in page


def test_a_withdrawal_without_reason_is_refused_on_the_page(as_user, auditor_profile, auditor, enterprise_a):
    conflict = services.conflict_declare(by=auditor, profile=auditor_profile, enterprise=enterprise_a, reason="咨询")
    response = as_user("programme_manager").post(f"/auditors/conflicts/{conflict.pk}/withdraw/", {"reason": ""})
    assert response.status_code == 400 and "field-error" in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.withdrawn_at is None


def test_an_unknown_category_is_refused_on_the_page(as_user, auditor_profile):
    response = as_user("programme_manager").post(
        f"/auditors/{auditor_profile.pk}/competences/", {"category": "rockets"}
    )
    assert response.status_code == 400
    assert auditor_profile.competences.count() == 1


def test_a_category_already_held_is_not_offered(as_user, auditor_profile):
    page = as_user("programme_manager").get(f"/auditors/{auditor_profile.pk}/").content.decode()
    form = page.split('id="competences"')[1].split("</section>")[0]
    assert 'value="custom_apparel"' in form and 'value="custom_furniture"' not in form


def test_a_bad_edit_keeps_the_input_and_changes_nothing(as_user, auditor_profile):
    data = {
        "qualification_number": "NEW-1",
        "level": "auditor",
        "valid_from": "2027-01-01",
        "valid_until": "2026-01-01",
    }
    response = as_user("programme_manager").post(f"/auditors/{auditor_profile.pk}/edit/", data)
    assert response.status_code == 200 and "NEW-1" in response.content.decode()
    auditor_profile.refresh_from_db()
    assert auditor_profile.qualification_number == "OLS-A-0002"
