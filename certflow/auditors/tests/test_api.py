"""/api/v1/auditors and its child resources: the same rules and permissions as the pages."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from certflow.accounts.roles import StaffRole
from certflow.auditors import services
from certflow.auditors.models import AuditorProfile, Competence, ConflictDeclaration, Unavailability
from certflow.core.testing.factories import StaffFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate(timezone=timezone.get_default_timezone())


@pytest.fixture
def api(request):
    def _as(name):
        client = APIClient()
        if name != "anonymous":
            client.force_authenticate(request.getfixturevalue(name))
        return client

    return _as


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("programme_manager", "both"), ("cb_admin", "both"), ("auditor", "own"), ("clerk", "none")],
)
def test_the_list_shows_keepers_everything_and_an_auditor_himself(api, auditor_profile, lead_profile, who, expected):
    response = api(who).get("/api/v1/auditors/")
    assert response.status_code == 200
    want = {"both": {auditor_profile.pk, lead_profile.pk}, "own": {auditor_profile.pk}, "none": set()}[expected]
    assert set(ids(response)) == want


@pytest.mark.parametrize("url", ["/api/v1/auditors/", "/api/v1/auditor-conflicts/", "/api/v1/auditor-competences/"])
def test_enterprises_never_see_the_register(api, auditor_profile, url):
    assert api("user_a").get(url).status_code == 404
    assert api("anonymous").get(url).status_code in (401, 403)


def test_the_list_is_flagged_and_filtered(api, auditor_profile, lead_profile):
    rows = api("programme_manager").get("/api/v1/auditors/", {"level": "lead_auditor"}).json()["results"]
    assert [r["id"] for r in rows] == [lead_profile.pk]
    assert rows[0]["flag"] in {"valid", "expiring", "expired"} and rows[0]["categories"] == [
        "custom_apparel",
        "custom_furniture",
    ]


def test_the_list_keeps_a_fixed_number_of_queries(api, programme_manager):
    client = api("programme_manager")

    def add(n):
        for _ in range(n):
            user = StaffFactory(roles=[StaffRole.AUDITOR])
            profile = services.profile_create(
                by=programme_manager,
                user=user,
                qualification_number=f"N-{user.pk}",
                level="auditor",
                valid_from=date(2024, 1, 1),
                valid_until=date(2029, 1, 1),
            )
            services.competence_add(by=programme_manager, profile=profile, category="custom_apparel")

    add(2)
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/auditors/")
    add(6)
    with CaptureQueriesContext(connection) as large:
        assert len(client.get("/api/v1/auditors/").json()["results"]) == 8
    assert len(small) == len(large)


@pytest.mark.parametrize(("who", "status"), [("auditor", 200), ("lead_auditor", 404), ("clerk", 404), ("user_a", 404)])
def test_a_profile_is_read_by_the_auditor_himself(api, auditor_profile, lead_profile, who, status):
    response = api(who).get(f"/api/v1/auditors/{auditor_profile.pk}/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["competences"][0]["category"] == "custom_furniture"


def test_me_returns_the_own_profile_or_404(api, auditor_profile):
    assert api("auditor").get("/api/v1/auditors/me/").json()["id"] == auditor_profile.pk
    assert api("programme_manager").get("/api/v1/auditors/me/").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("programme_manager", 201), ("auditor", 403), ("clerk", 403), ("user_a", 404)]
)
def test_only_keepers_register_through_the_api(api, lead_auditor, who, status):
    body = {
        "user": lead_auditor.pk,
        "qualification_number": "API-1",
        "level": "lead_auditor",
        "valid_from": "2025-01-01",
        "valid_until": "2028-01-01",
    }
    response = api(who).post("/api/v1/auditors/", body, format="json")
    assert response.status_code == status
    assert AuditorProfile.objects.filter(user=lead_auditor).exists() == (status == 201)


def test_a_refused_registration_is_a_400_with_the_reason(api, clerk):
    body = {
        "user": clerk.pk,
        "qualification_number": "API-1",
        "level": "auditor",
        "valid_from": "2025-01-01",
        "valid_until": "2028-01-01",
    }
    response = api("programme_manager").post("/api/v1/auditors/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "not_auditor_staff"


@pytest.mark.parametrize(("who", "status"), [("cb_admin", 200), ("auditor", 403), ("lead_auditor", 404)])
def test_only_keepers_update_a_profile(api, auditor_profile, lead_profile, who, status):
    response = api(who).patch(f"/api/v1/auditors/{auditor_profile.pk}/", {"level": "lead_auditor"}, format="json")
    assert response.status_code == status
    auditor_profile.refresh_from_db()
    assert (auditor_profile.level == "lead_auditor") == (status == 200)


def test_a_bad_update_is_a_400(api, auditor_profile):
    response = api("programme_manager").patch(
        f"/api/v1/auditors/{auditor_profile.pk}/", {"valid_until": "2020-01-01"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "validity_order"


@pytest.mark.parametrize(("who", "status"), [("programme_manager", 201), ("auditor", 403), ("lead_auditor", 403)])
def test_competences_through_the_api(api, auditor_profile, lead_profile, who, status):
    body = {"profile": auditor_profile.pk, "category": "custom_apparel"}
    response = api(who).post("/api/v1/auditor-competences/", body, format="json")
    # Only keepers change competences: an auditor is refused before the body is read (decisions LG11).
    assert response.status_code == status
    assert Competence.objects.filter(category="custom_apparel", profile=auditor_profile).exists() == (status == 201)


def test_removing_a_competence_through_the_api(api, auditor_profile):
    competence = auditor_profile.competences.get()
    assert api("auditor").post(f"/api/v1/auditor-competences/{competence.pk}/remove/").status_code == 403
    response = api("programme_manager").post(f"/api/v1/auditor-competences/{competence.pk}/remove/", {"reason": "x"})
    assert response.status_code == 200 and response.json()["removed_at"]


def test_an_auditor_declares_a_conflict_and_a_keeper_withdraws_it(api, auditor_profile, enterprise_a):
    body = {"profile": auditor_profile.pk, "enterprise": enterprise_a.pk, "reason": "咨询", "until": None}
    response = api("auditor").post("/api/v1/auditor-conflicts/", body, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert api("auditor").post(f"/api/v1/auditor-conflicts/{pk}/withdraw/", {"reason": "x"}).status_code == 403
    assert api("lead_auditor").post(f"/api/v1/auditor-conflicts/{pk}/withdraw/", {"reason": "x"}).status_code == 404
    response = api("programme_manager").post(f"/api/v1/auditor-conflicts/{pk}/withdraw/", {"reason": "已终止"})
    assert response.status_code == 200 and response.json()["withdrawn_reason"] == "已终止"


def test_a_conflict_without_reason_is_a_400(api, auditor_profile, enterprise_a):
    body = {"profile": auditor_profile.pk, "enterprise": enterprise_a.pk, "reason": " "}
    response = api("auditor").post("/api/v1/auditor-conflicts/", body, format="json")
    assert response.status_code == 400
    assert not ConflictDeclaration.objects.exists()


def test_another_auditor_cannot_declare_for_someone(api, auditor_profile, lead_profile, enterprise_a):
    body = {"profile": auditor_profile.pk, "enterprise": enterprise_a.pk, "reason": "x"}
    assert api("lead_auditor").post("/api/v1/auditor-conflicts/", body, format="json").status_code == 400
    assert not ConflictDeclaration.objects.exists()


def test_unavailable_days_through_the_api(api, auditor_profile, lead_profile):
    start = today() + timedelta(days=3)
    body = {"profile": auditor_profile.pk, "start": start.isoformat(), "end": start.isoformat(), "reason": "培训"}
    response = api("auditor").post("/api/v1/auditor-unavailability/", body, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    assert api("lead_auditor").post(f"/api/v1/auditor-unavailability/{pk}/remove/").status_code == 404
    assert api("auditor").post(f"/api/v1/auditor-unavailability/{pk}/remove/").status_code == 200
    assert Unavailability.objects.get(pk=pk).removed_at is not None
    response = api("auditor").post("/api/v1/auditor-unavailability/", {**body, "end": "2020-01-01"}, format="json")
    assert response.status_code == 400


def test_candidates_for_an_audit(api, auditor_profile, lead_profile, enterprise_a):
    query = {
        "enterprise": enterprise_a.pk,
        "categories": "custom_furniture,custom_apparel",
        "days": "2026-12-08,2026-12-09",
    }
    rows = api("programme_manager").get("/api/v1/auditors/candidates/", query).json()
    assert [r["user"] for r in rows] == [lead_profile.user_id, auditor_profile.user_id]
    assert rows[0]["eligible_as_lead"] and rows[1]["may_join_team"]
    assert rows[1]["problems"][0]["code"] == "not_competent"
    assert api("auditor").get("/api/v1/auditors/candidates/", query).status_code == 403
    assert api("user_a").get("/api/v1/auditors/candidates/", query).status_code == 404
    bad = api("programme_manager").get("/api/v1/auditors/candidates/", {**query, "categories": "rockets"})
    assert bad.status_code == 400
    missing = api("programme_manager").get("/api/v1/auditors/candidates/", {**query, "enterprise": 999999})
    assert missing.status_code == 404
