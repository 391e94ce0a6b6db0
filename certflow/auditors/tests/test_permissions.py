"""Who reaches which register page: keepers, the auditor himself, another auditor, clerk, enterprise, anonymous."""

from datetime import date

import pytest

from certflow.auditors import services
from certflow.auditors.models import Competence, ConflictDeclaration, Unavailability
from certflow.auditors.tests.conftest import TODAY

KEEPERS = ["programme_manager", "cb_admin"]


@pytest.fixture
def conflict(auditor_profile, auditor, enterprise_a):
    return services.conflict_declare(by=auditor, profile=auditor_profile, enterprise=enterprise_a, reason="咨询")


@pytest.fixture
def period(auditor_profile, auditor):
    return services.unavailability_add(
        by=auditor, profile=auditor_profile, start=date(2026, 12, 20), end=date(2026, 12, 21), today=TODAY
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("programme_manager", 200),
        ("cb_admin", 200),
        ("clerk", 403),
        ("committee_member", 403),
        ("user_a", 404),
    ],
)
def test_the_register_list_is_for_keepers(as_user, auditor_profile, who, status):
    response = as_user(who).get("/auditors/")
    assert response.status_code == status
    if status != 200:
        assert b"OLS-A-0002" not in response.content


@pytest.mark.parametrize("who", ["auditor", "lead_auditor"])
def test_a_registered_auditor_is_sent_to_his_own_page(as_user, auditor_profile, lead_profile, who):
    response = as_user(who).get("/auditors/")
    assert response.status_code == 302 and response["Location"] == "/auditors/me/"


def test_an_unregistered_auditor_gets_403_on_the_register(as_user, auditor):
    assert as_user("auditor").get("/auditors/").status_code == 403


@pytest.mark.parametrize(
    ("who", "status"),
    [("programme_manager", 200), ("cb_admin", 200), ("auditor", 403), ("clerk", 403), ("user_a", 404)],
)
def test_registering_is_for_keepers(as_user, auditor, who, status):
    assert as_user(who).get("/auditors/new/").status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("programme_manager", 200),
        ("cb_admin", 200),
        ("auditor", 200),
        ("lead_auditor", 404),
        ("clerk", 404),
        ("committee_member", 404),
        ("user_a", 404),
    ],
)
def test_a_profile_is_seen_by_keepers_and_the_auditor_himself(as_user, auditor_profile, lead_profile, who, status):
    response = as_user(who).get(f"/auditors/{auditor_profile.pk}/")
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("programme_manager", 200), ("cb_admin", 200), ("auditor", 403), ("lead_auditor", 404), ("user_a", 404)],
)
def test_only_keepers_edit_a_profile(as_user, auditor_profile, lead_profile, who, status):
    client = as_user(who)
    assert client.get(f"/auditors/{auditor_profile.pk}/edit/").status_code == status
    data = {
        "qualification_number": "HACK",
        "level": "lead_auditor",
        "valid_from": "2020-01-01",
        "valid_until": "2030-01-01",
    }
    response = client.post(f"/auditors/{auditor_profile.pk}/edit/", data)
    assert response.status_code == (302 if status == 200 else status)
    auditor_profile.refresh_from_db()
    assert (auditor_profile.qualification_number == "HACK") == (status == 200)


@pytest.mark.parametrize(("who", "status"), [("auditor", 200), ("programme_manager", 404), ("user_a", 404)])
def test_my_page_is_the_auditors_own(as_user, auditor_profile, who, status):
    assert as_user(who).get("/auditors/me/").status_code == status


@pytest.mark.parametrize(
    "url",
    [
        "/auditors/",
        "/auditors/new/",
        "/auditors/me/",
        "/auditors/{p}/",
        "/auditors/{p}/edit/",
    ],
)
def test_anonymous_visitors_are_sent_to_login(client, auditor_profile, url):
    response = client.get(url.format(p=auditor_profile.pk))
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("programme_manager", 302), ("auditor", 403), ("lead_auditor", 404), ("clerk", 404), ("user_a", 404)],
)
def test_only_keepers_add_competence(as_user, auditor_profile, lead_profile, who, status):
    response = as_user(who).post(f"/auditors/{auditor_profile.pk}/competences/", {"category": "custom_apparel"})
    assert response.status_code == status
    assert Competence.objects.filter(profile=auditor_profile, category="custom_apparel").exists() == (status == 302)


@pytest.mark.parametrize(
    ("who", "status"),
    [("cb_admin", 302), ("auditor", 403), ("lead_auditor", 404), ("clerk", 404), ("user_a", 404)],
)
def test_only_keepers_remove_competence(as_user, auditor_profile, lead_profile, who, status):
    competence = auditor_profile.competences.get()
    response = as_user(who).post(f"/auditors/competences/{competence.pk}/remove/")
    assert response.status_code == status
    competence.refresh_from_db()
    assert (competence.removed_at is not None) == (status == 302)


@pytest.mark.parametrize(
    ("who", "status"),
    [("programme_manager", 302), ("auditor", 302), ("lead_auditor", 404), ("clerk", 404), ("user_a", 404)],
)
def test_the_auditor_and_keepers_declare_conflicts(as_user, auditor_profile, lead_profile, enterprise_b, who, status):
    data = {"enterprise": enterprise_b.pk, "reason": "亲属任职"}
    response = as_user(who).post(f"/auditors/{auditor_profile.pk}/conflicts/", data)
    assert response.status_code == status
    assert ConflictDeclaration.objects.filter(profile=auditor_profile).exists() == (status == 302)


@pytest.mark.parametrize(
    ("who", "status"),
    [("programme_manager", 302), ("auditor", 403), ("lead_auditor", 404), ("clerk", 404), ("user_a", 404)],
)
def test_only_keepers_withdraw_conflicts(as_user, conflict, lead_profile, who, status):
    response = as_user(who).post(f"/auditors/conflicts/{conflict.pk}/withdraw/", {"reason": "已结束"})
    assert response.status_code == status
    conflict.refresh_from_db()
    assert (conflict.withdrawn_at is not None) == (status == 302)


@pytest.mark.parametrize(
    ("who", "status"),
    [("programme_manager", 302), ("auditor", 302), ("lead_auditor", 404), ("clerk", 404), ("user_a", 404)],
)
def test_the_auditor_and_keepers_record_unavailable_days(as_user, auditor_profile, lead_profile, who, status):
    data = {"start": "2027-01-04", "end": "2027-01-05", "reason": "培训"}
    response = as_user(who).post(f"/auditors/{auditor_profile.pk}/unavailability/", data)
    assert response.status_code == status
    assert Unavailability.objects.filter(profile=auditor_profile).exists() == (status == 302)


@pytest.mark.parametrize(
    ("who", "status"),
    [("cb_admin", 302), ("auditor", 302), ("lead_auditor", 404), ("clerk", 404), ("user_a", 404)],
)
def test_the_auditor_and_keepers_remove_unavailable_days(as_user, period, lead_profile, who, status):
    response = as_user(who).post(f"/auditors/unavailability/{period.pk}/remove/")
    assert response.status_code == status
    period.refresh_from_db()
    assert (period.removed_at is not None) == (status == 302)


@pytest.mark.parametrize(
    "url",
    [
        "/auditors/{p}/competences/",
        "/auditors/{p}/conflicts/",
        "/auditors/{p}/unavailability/",
        "/auditors/competences/{c}/remove/",
        "/auditors/conflicts/{x}/withdraw/",
        "/auditors/unavailability/{u}/remove/",
    ],
)
def test_anonymous_posts_are_sent_to_login(client, auditor_profile, conflict, period, url):
    competence = auditor_profile.competences.get()
    response = client.post(url.format(p=auditor_profile.pk, c=competence.pk, x=conflict.pk, u=period.pk), {})
    assert response.status_code == 302 and "/login" in response["Location"]
