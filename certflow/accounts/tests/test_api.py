import pytest
from rest_framework.test import APIClient

from certflow.accounts.models import Enterprise
from certflow.core.events.models import Event
from certflow.core.testing.factories import EnterpriseFactory, make_uscc

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_anonymous_gets_401_or_403():
    response = client_for(None).get("/api/v1/enterprises/")
    assert response.status_code in (401, 403)


def test_enterprise_user_lists_only_their_enterprise(user_a, enterprise_a, enterprise_b):
    body = client_for(user_a).get("/api/v1/enterprises/").json()
    assert [row["uscc"] for row in body["results"]] == [enterprise_a.uscc]
    assert enterprise_b.name not in str(body)


def test_enterprise_user_gets_404_without_data_for_another_enterprise(user_a, enterprise_b):
    response = client_for(user_a).get(f"/api/v1/enterprises/{enterprise_b.pk}/")
    assert response.status_code == 404
    assert enterprise_b.uscc not in response.content.decode()


def test_enterprise_user_cannot_change_another_enterprise(user_a, enterprise_b):
    response = client_for(user_a).patch(f"/api/v1/enterprises/{enterprise_b.pk}/", {"address": "x"}, format="json")
    assert response.status_code == 404
    enterprise_b.refresh_from_db()
    assert enterprise_b.address != "x"


def test_plain_member_gets_403_on_write(enterprise_a):
    from certflow.core.testing.factories import MembershipFactory, UserFactory

    member = MembershipFactory(enterprise=enterprise_a, role="member", user=UserFactory()).user
    response = client_for(member).patch(f"/api/v1/enterprises/{enterprise_a.pk}/", {"address": "x"}, format="json")
    assert response.status_code == 403
    assert not Event.objects.filter(action="enterprise.updated").exists()


def test_clerk_sees_all_enterprises(clerk, enterprise_a, enterprise_b):
    body = client_for(clerk).get("/api/v1/enterprises/").json()
    assert body["count"] == 2


def test_register_enterprise_through_the_api(user_a):
    response = client_for(user_a).post(
        "/api/v1/enterprises/", {"name": "丁定制家具有限公司", "uscc": make_uscc(4242)}, format="json"
    )
    assert response.status_code == 201, response.content
    assert Enterprise.objects.filter(uscc=make_uscc(4242)).exists()


def test_wrong_uscc_gets_a_clear_400_in_both_languages(user_a):
    response = client_for(user_a).post(
        "/api/v1/enterprises/", {"name": "某公司", "uscc": "91440300708461136U"}, format="json"
    )
    assert response.status_code == 400
    message = str(response.json()["uscc"])
    assert "校验位" in message and "check character" in message
    assert Enterprise.objects.count() == 1  # only user_a's own


def test_status_like_fields_sent_by_a_client_are_ignored(user_a, enterprise_a):
    response = client_for(user_a).patch(
        f"/api/v1/enterprises/{enterprise_a.pk}/", {"created_at": "2000-01-01T00:00:00Z", "id": 999}, format="json"
    )
    assert response.status_code == 200
    enterprise_a.refresh_from_db()
    assert enterprise_a.pk != 999 and enterprise_a.created_at.year != 2000


def test_enterprises_cannot_be_deleted(cb_admin, enterprise_a):
    response = client_for(cb_admin).delete(f"/api/v1/enterprises/{enterprise_a.pk}/")
    assert response.status_code == 405
    assert Enterprise.objects.filter(pk=enterprise_a.pk).exists()


def test_enterprise_list_query_count_is_flat(clerk, django_assert_max_num_queries):
    EnterpriseFactory.create_batch(3)
    client = client_for(clerk)
    with django_assert_max_num_queries(6) as small:
        client.get("/api/v1/enterprises/")
    EnterpriseFactory.create_batch(40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/api/v1/enterprises/")


def test_users_endpoint_is_limited_to_own_enterprise(user_a, user_b, clerk):
    emails = [row["email"] for row in client_for(user_a).get("/api/v1/users/").json()["results"]]
    assert emails == ["a@ent.example"]


def test_administrator_lists_all_users_with_roles(cb_admin, clerk, user_a):
    rows = client_for(cb_admin).get("/api/v1/users/").json()["results"]
    by_email = {row["email"]: row for row in rows}
    assert by_email["clerk@cb.example"]["roles"] == ["acceptance_clerk"]
    assert "a@ent.example" in by_email


def test_me_shows_memberships(user_a, enterprise_a):
    body = client_for(user_a).get("/api/v1/me/").json()
    assert body["memberships"][0]["enterprise"]["uscc"] == enterprise_a.uscc


def test_token_login_and_use(user_a, password):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"email": "a@ent.example", "password": password}, format="json")
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/me/").json()["email"] == "a@ent.example"


def test_token_with_wrong_password_is_refused(user_a):
    response = APIClient().post("/api/v1/auth/token/", {"email": "a@ent.example", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_schema_is_served_and_lists_the_resources():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/enterprises/" in paths and "/api/v1/users/" in paths


def test_browsable_docs_use_vendored_assets():
    html = APIClient().get("/api/docs/").content.decode()
    assert "cdn" not in html.lower()


def test_the_enterprise_administrator_edits_the_enterprise_and_the_change_is_recorded(user_a, enterprise_a):
    """PATCH and PUT change the enterprise and write one event each (issue 10 item 4)."""
    api = client_for(user_a)
    response = api.patch(f"/api/v1/enterprises/{enterprise_a.pk}/", {"address": "广州市南沙区新地址1号"}, format="json")
    assert response.status_code == 200, response.content
    full = {**api.get(f"/api/v1/enterprises/{enterprise_a.pk}/").json(), "address": "广州市南沙区新地址2号"}
    response = api.put(f"/api/v1/enterprises/{enterprise_a.pk}/", full, format="json")
    assert response.status_code == 200, response.content
    enterprise_a.refresh_from_db()
    assert enterprise_a.address == "广州市南沙区新地址2号"
    changes = Event.objects.filter(action="enterprise.updated", target_id=str(enterprise_a.pk))
    assert [e.after["address"] for e in changes.order_by("seq")] == ["广州市南沙区新地址1号", "广州市南沙区新地址2号"]
