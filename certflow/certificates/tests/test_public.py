"""Public verification: page and API; found, not found without hints, status at once, nothing private, 429."""

from datetime import date

import pytest
from django.urls import reverse

from certflow.certificates import services
from certflow.certificates.pdf import verification_url

pytestmark = pytest.mark.django_db

API = "/api/v1/public/certificates/"
PUBLIC_FIELDS = {
    "number",
    "enterprise_name",
    "uscc",
    "address",
    "scope",
    "scope_en",
    "grade",
    "grade_en",
    "scheme",
    "legacy",
    "issued_on",
    "expires_on",
    "status",
    "status_label",
    "status_label_en",
    "status_since",
    "superseded_by",
    "verification_url",
    "signature",
}


def private_bits(enterprise, certificate):
    """What must never reach the public: contacts, people, internal ids, reasons."""
    return [
        enterprise.contact_name,
        enterprise.contact_phone,
        "a@ent.example",
        "pm@cb.example",
        f"/certificates/{certificate.pk}/",
        f'"id":{certificate.pk}',
    ]


def test_the_api_shows_the_certificate_and_only_public_fields(client, certificate_a, enterprise_a):
    response = client.get(API + certificate_a.number)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PUBLIC_FIELDS
    assert set(body["signature"]) == {"algorithm", "payload", "signature", "key_id", "public_key_pem"}
    assert body["status"] == "valid" and body["status_since"] == "2026-03-02" and body["grade"] == "四星"
    assert body["signature"]["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    text = response.content.decode()
    for secret in private_bits(enterprise_a, certificate_a):
        assert secret not in text
    assert response["Cache-Control"] == "no-store"


def test_the_number_lookup_ignores_case(client, certificate_a):
    assert client.get(API + certificate_a.number.lower()).status_code == 200


@pytest.mark.parametrize("number", ["OLS-GZ0056-2026-00002", "OLS-GZ0056-2026-0000", "OLS", "%20", "x" * 60])
def test_a_wrong_number_is_a_plain_not_found(client, certificate_a, number):
    response = client.get(API + number)
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到该编号的证书 / no certificate with this number"}


def test_a_status_change_shows_at_once_on_page_and_api(client, certificate_a, programme_manager):
    page = reverse("verify_certificate", args=[certificate_a.number])
    assert "有效" in client.get(page).content.decode()
    services.certificate_suspend(
        by=programme_manager, certificate=certificate_a, reason="内部原因：客户张某投诉", today=date(2026, 11, 20)
    )
    body = client.get(API + certificate_a.number).json()
    assert (body["status"], body["status_since"], body["status_label"]) == ("suspended", "2026-11-20", "暂停")
    html = client.get(page).content.decode()
    assert "暂停" in html and "2026-11-20" in html
    assert "客户张某" not in html and "客户张某" not in str(body)  # the reason stays inside the CB
    services.certificate_revoke(by=programme_manager, certificate=certificate_a, reason="x", today=date(2026, 11, 24))
    assert client.get(API + certificate_a.number).json()["status"] == "revoked"
    assert "撤销" in client.get(page).content.decode()


def test_an_expired_certificate_shows_expired_before_the_sweep(client, issue, enterprise_a):
    from certflow.certificates.models import Certificate

    certificate = issue(enterprise_a, issued_on=date(2025, 8, 1), today=date(2025, 8, 1))
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=date(2025, 12, 31))
    body = client.get(API + certificate.number).json()
    assert (body["status"], body["status_since"]) == ("expired", "2026-01-01")


def test_the_result_page_shows_the_facts_and_nothing_private(client, certificate_a, enterprise_a):
    response = client.get(reverse("verify_certificate", args=[certificate_a.number]))
    html = response.content.decode()
    assert response.status_code == 200
    for fact in (certificate_a.number, enterprise_a.name, enterprise_a.uscc, "四星", "2029-03-02", "有效"):
        assert fact in html
    for secret in private_bits(enterprise_a, certificate_a):
        assert secret not in html


def test_the_result_page_checks_the_qr_signature(client, certificate_a):
    url = verification_url(certificate_a)
    path = url[url.index("/verify/") :]
    assert "数字签名有效" in client.get(path).content.decode()
    tampered = path.replace(
        "s=" + certificate_a.signature[:4],
        "s=" + ("B" if certificate_a.signature[0] != "B" else "C") + certificate_a.signature[1:4],
    )
    assert "数字签名无效" in client.get(tampered).content.decode()


def test_a_valid_signature_for_another_certificate_is_flagged(client, certificate_a, certificate_b):
    path = reverse("verify_certificate", args=[certificate_b.number])
    response = client.get(path, {"p": certificate_a.signed_payload, "s": certificate_a.signature})
    assert "与本证书记录不符" in response.content.decode()


def test_an_unknown_number_page_is_a_404_without_hints(client, certificate_a):
    response = client.get(reverse("verify_certificate", args=["OLS-GZ0056-2026-00009"]))
    html = response.content.decode()
    assert response.status_code == 404
    assert "没有这个编号的证书" in html
    assert certificate_a.number not in html and certificate_a.enterprise_name not in html


@pytest.mark.parametrize(
    "query_of", [lambda c: c.number, lambda c: c.enterprise_uscc, lambda c: "甲定制", lambda c: "家居"]
)
def test_search_by_number_uscc_or_part_of_the_name(client, certificate_a, certificate_b, query_of):
    html = client.get(reverse("verify_search"), {"q": query_of(certificate_a)}).content.decode()
    assert certificate_a.number in html
    assert certificate_b.number not in html


def test_a_lowercase_uscc_with_spaces_finds_the_certificate(client, certificate_a):
    html = client.get(reverse("verify_search"), {"q": f" {certificate_a.enterprise_uscc.lower()} "}).content.decode()
    assert certificate_a.number in html


def test_a_search_miss_says_only_not_found(client, certificate_a, certificate_b):
    html = client.get(reverse("verify_search"), {"q": "丙定制"}).content.decode()
    assert "未找到符合条件的证书" in html
    for other in (certificate_a.number, certificate_b.number, certificate_a.enterprise_name):
        assert other not in html


def test_one_character_names_are_refused(client, certificate_a):
    html = client.get(reverse("verify_search"), {"q": "甲"}).content.decode()
    assert "至少输入 2 个字" in html and certificate_a.number not in html


def test_name_search_shows_at_most_the_configured_number(client, issue, settings):
    from certflow.core.testing.factories import EnterpriseFactory

    settings.CERTFLOW_VERIFY_MAX_RESULTS = 2
    for _ in range(3):
        issue(EnterpriseFactory(name="丁定制门窗有限公司"))
    html = client.get(reverse("verify_search"), {"q": "丁定制"}).content.decode()
    assert html.count('class="cert-card"') == 2
    assert "结果较多" in html


def test_the_public_key_page_publishes_pem(client, certificate_a):
    response = client.get(reverse("verify_key"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert certificate_a.signing_key_id in response.content.decode()
    assert "-----BEGIN PUBLIC KEY-----" in response.content.decode()


def test_pages_are_rate_limited_with_a_bilingual_429(client, settings, monkeypatch, certificate_a):
    settings.CERTFLOW_VERIFY_PAGE_RATE = "3/min"
    monkeypatch.setattr("certflow.certificates.ratelimit._now", lambda: 1_800_000_010)  # mid-window, no roll-over
    url = reverse("verify_certificate", args=[certificate_a.number])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(url)
    assert response.status_code == 429
    assert "请求过于频繁" in response.content.decode() and "Too many requests" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert response["Retry-After"] == "50"
    # Another address has its own budget; the next window starts afresh.
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200
    monkeypatch.setattr("certflow.certificates.ratelimit._now", lambda: 1_800_000_060)
    assert client.get(url).status_code == 200


def test_the_api_is_rate_limited_with_a_bilingual_429(client, monkeypatch, certificate_a):
    from rest_framework.throttling import ScopedRateThrottle

    # DRF reads the rates once, at import; give the scope a small budget for this test.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"public_certificates": "2/min"})
    assert [client.get(API + certificate_a.number).status_code for _ in range(2)] == [200, 200]
    response = client.get(API + "OLS-NOT-THERE")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("请求过于频繁，请稍后再试 / too many requests, please try again later")
    assert int(response["Retry-After"]) > 0
