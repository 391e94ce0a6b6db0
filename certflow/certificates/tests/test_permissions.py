"""Who reaches which certificate page and endpoint: anonymous, enterprise A vs B, every CB role."""

import pytest
from django.urls import reverse

from certflow.certificates.domain import CertificateStatus as S
from certflow.certificates.models import Certificate, CertificateStatusChange

pytestmark = pytest.mark.django_db

SEE_ALL = ["clerk", "committee_member", "programme_manager", "cb_admin"]
CHANGERS = ["programme_manager", "cb_admin"]
NOT_CHANGERS = ["clerk", "committee_member", "auditor", "user_a"]


@pytest.fixture
def as_user(client, request):
    def _as(name):
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return _as


def staff_urls(certificate):
    return [
        reverse("certificate_list"),
        reverse("certificate_detail", args=[certificate.pk]),
        reverse("certificate_pdf", args=[certificate.pk]),
        reverse("certificate_export"),
        "/api/v1/certificates/",
        f"/api/v1/certificates/{certificate.pk}/",
        f"/api/v1/certificates/{certificate.pk}/pdf/",
        "/api/v1/certificates/export/?format=csv",
    ]


def test_anonymous_visitors_reach_only_the_public_doors(as_user, certificate_a):
    client = as_user("anonymous")
    for url in staff_urls(certificate_a)[:4]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"]
    for url in staff_urls(certificate_a)[4:]:
        assert client.get(url).status_code in (401, 403)
    assert client.post(f"/api/v1/certificates/{certificate_a.pk}/suspend/", {"reason": "x"}).status_code in (401, 403)
    for url in (
        reverse("verify_search"),
        reverse("verify_certificate", args=[certificate_a.number]),
        reverse("verify_key"),
        f"/api/v1/public/certificates/{certificate_a.number}",
    ):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", SEE_ALL)
def test_cb_roles_spanning_clients_see_every_certificate(as_user, certificate_a, certificate_b, who):
    client = as_user(who)
    html = client.get(reverse("certificate_list")).content.decode()
    assert certificate_a.number in html and certificate_b.number in html
    for certificate in (certificate_a, certificate_b):
        assert client.get(reverse("certificate_detail", args=[certificate.pk])).status_code == 200
        assert client.get(f"/api/v1/certificates/{certificate.pk}/").status_code == 200
    assert client.get(reverse("certificate_pdf", args=[certificate_a.pk]))["Content-Type"] == "application/pdf"
    assert {row["number"] for row in client.get("/api/v1/certificates/").json()["results"]} == {
        certificate_a.number,
        certificate_b.number,
    }


def test_an_enterprise_user_sees_only_its_own_certificates(as_user, certificate_a, certificate_b):
    client = as_user("user_a")
    html = client.get(reverse("certificate_list")).content.decode()
    assert "我的证书" in html and certificate_a.number in html and certificate_b.number not in html
    assert client.get(reverse("certificate_detail", args=[certificate_a.pk])).status_code == 200
    assert client.get(reverse("certificate_pdf", args=[certificate_a.pk])).status_code == 200
    assert client.get(f"/api/v1/certificates/{certificate_a.pk}/pdf/").status_code == 200
    assert [row["number"] for row in client.get("/api/v1/certificates/").json()["results"]] == [certificate_a.number]


@pytest.mark.parametrize("who", ["user_a", "auditor"])
def test_others_certificates_are_404_with_the_not_found_text(as_user, certificate_b, who):
    client = as_user(who)
    for url in (
        reverse("certificate_detail", args=[certificate_b.pk]),
        reverse("certificate_pdf", args=[certificate_b.pk]),
        f"/api/v1/certificates/{certificate_b.pk}/",
        f"/api/v1/certificates/{certificate_b.pk}/pdf/",
        reverse("certificate_detail", args=[999999]),
    ):
        assert client.get(url).status_code == 404
    assert certificate_b.number not in client.get(reverse("certificate_list")).content.decode()


@pytest.mark.parametrize("who", ["user_a", "user_b", "auditor"])
def test_only_cb_roles_spanning_clients_export(as_user, certificate_a, who):
    client = as_user(who)
    assert client.get(reverse("certificate_export")).status_code == 403
    assert client.get("/api/v1/certificates/export/?format=xlsx").status_code == 403


@pytest.mark.parametrize("who", CHANGERS)
def test_programme_managers_and_administrators_suspend_and_restore_on_both_doors(as_user, certificate_a, who):
    client = as_user(who)
    response = client.post(
        reverse("certificate_action", args=[certificate_a.pk, "suspend"]), {"suspend-reason": "严重不符合项"}
    )
    assert response.status_code == 302
    assert Certificate.objects.get(pk=certificate_a.pk).status == S.SUSPENDED
    response = client.post(
        f"/api/v1/certificates/{certificate_a.pk}/restore/", {"reason": "已整改"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "valid"
    response = client.post(
        f"/api/v1/certificates/{certificate_a.pk}/revoke/", {"reason": "撤销"}, content_type="application/json"
    )
    assert response.json()["status"] == "revoked"


@pytest.mark.parametrize("who", NOT_CHANGERS)
def test_other_roles_cannot_change_status_on_either_door(as_user, certificate_a, who):
    client = as_user(who)
    before = CertificateStatusChange.objects.count()
    page = client.post(reverse("certificate_action", args=[certificate_a.pk, "suspend"]), {"suspend-reason": "x"})
    api = client.post(
        f"/api/v1/certificates/{certificate_a.pk}/suspend/", {"reason": "x"}, content_type="application/json"
    )
    expected = 404 if who == "auditor" else 403  # auditors do not see the certificate at all
    assert (page.status_code, api.status_code) == (expected, expected)
    assert CertificateStatusChange.objects.count() == before
    assert Certificate.objects.get(pk=certificate_a.pk).status == S.VALID


def test_the_detail_page_offers_actions_only_to_those_who_may_act(as_user, certificate_a):
    assert (
        "变更证书状态"
        not in as_user("user_a").get(reverse("certificate_detail", args=[certificate_a.pk])).content.decode()
    )


def test_a_refused_action_shows_the_reason(as_user, certificate_a):
    client = as_user("programme_manager")
    response = client.post(
        reverse("certificate_action", args=[certificate_a.pk, "restore"]), {"restore-reason": "说明"}
    )
    assert response.status_code == 400
    assert "不能执行“恢复”" in response.content.decode()


def test_a_bad_form_keeps_the_typed_text(as_user, certificate_a):
    client = as_user("programme_manager")
    typed = "很长的说明" * 500
    response = client.post(reverse("certificate_action", args=[certificate_a.pk, "revoke"]), {"revoke-reason": typed})
    assert response.status_code == 400
    assert typed in response.content.decode()
    assert Certificate.objects.get(pk=certificate_a.pk).status == S.VALID


def test_a_suspension_without_reason_is_refused_on_both_doors(as_user, certificate_a):
    client = as_user("programme_manager")
    page = client.post(reverse("certificate_action", args=[certificate_a.pk, "suspend"]), {"suspend-reason": ""})
    api = client.post(f"/api/v1/certificates/{certificate_a.pk}/suspend/", {}, content_type="application/json")
    assert page.status_code == 400 and api.status_code == 400
    assert api.json()["code"] == "reason_required"
    assert Certificate.objects.get(pk=certificate_a.pk).status == S.VALID


def test_an_unknown_action_is_404(as_user, certificate_a):
    assert as_user("cb_admin").post(reverse("certificate_action", args=[certificate_a.pk, "delete"])).status_code == 404


def test_the_programme_manager_suspends_through_the_api(as_user, certificate_a):
    response = as_user("programme_manager").post(
        f"/api/v1/certificates/{certificate_a.pk}/suspend/", {"reason": "企业申请暂停"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert Certificate.objects.get(pk=certificate_a.pk).status == S.SUSPENDED
    assert CertificateStatusChange.objects.filter(certificate=certificate_a, to_status=S.SUSPENDED).count() == 1
