"""缩小认证范围: the rule, the replacement certificate (same expiry, new number, old superseded), page and API."""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from certflow.certificates import domain, services, signing
from certflow.certificates.domain import CertificateStatus as S
from certflow.certificates.models import Certificate
from certflow.certificates.tests.conftest import TODAY
from certflow.core.events.models import Event
from certflow.core.rules import RuleViolation
from certflow.notifications.models import Notification

pytestmark = pytest.mark.django_db
WIDE = {"categories": ["custom_furniture", "custom_apparel", "other"], "services": ["solution_design", "manufacturing"]}
WIDE_OTHER = WIDE | {"other_description": "定制眼镜"}


def reduce(certificate, by, **extra):
    values = {"categories": ["custom_furniture"], "services": ["manufacturing"], "reason": "监督审核发现服饰类不符合"}
    return services.certificate_reduce_scope(by=by, certificate=certificate, today=TODAY, **(values | extra))


# --- the pure rule -----------------------------------------------------------------------------------------

BASE = {
    "status": "valid",
    "old_categories": ["a", "b"],
    "old_services": ["x", "y"],
    "categories": ["a"],
    "services": ["x", "y"],
    "reason": "why",
}


def test_a_strictly_smaller_non_empty_scope_passes():
    domain.check_scope_reduction(**BASE)
    domain.check_scope_reduction(**BASE | {"categories": ["a", "b"], "services": ["x"]})
    domain.check_scope_reduction(**BASE | {"categories": ["b"], "services": []})


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": "suspended"}, "wrong_state"),
        ({"status": "revoked"}, "wrong_state"),
        ({"old_categories": []}, "no_scope_codes"),
        ({"reason": " "}, "reason_required"),
        ({"categories": []}, "empty_scope"),
        ({"categories": ["a", "c"]}, "not_a_reduction"),
        ({"services": ["x", "z"]}, "not_a_reduction"),
        ({"categories": ["b", "a"], "services": ["y", "x"]}, "not_smaller"),
    ],
)
def test_refusals(change, code):
    with pytest.raises(RuleViolation) as exc:
        domain.check_scope_reduction(**BASE | change)
    assert exc.value.code == code
    assert exc.value.zh and exc.value.en


# --- the service ---------------------------------------------------------------------------------------------


def test_reduction_issues_a_replacement_with_the_same_expiry(issue, enterprise_a, user_a, programme_manager):
    old = issue(enterprise_a, scope=WIDE_OTHER)
    new = reduce(old, programme_manager, categories=["custom_furniture", "other"])
    old.refresh_from_db()
    assert new.number != old.number
    assert (old.status, old.status_since) == (S.SUPERSEDED, TODAY)
    assert new.supersedes == old and new.status == S.VALID
    assert (new.issued_on, new.expires_on) == (TODAY, old.expires_on)  # not a new three years
    assert new.expires_on != domain.expiry_for(TODAY, 3)
    assert (new.scope_categories, new.scope_services) == (["custom_furniture", "other"], ["manufacturing"])
    assert "定制服饰" not in new.scope_text and "定制家具" in new.scope_text
    assert "其他定制商品（定制眼镜）" in new.scope_text  # the "other" words carried over
    assert (new.grade_code, new.application_id, new.scheme_version_id) == (
        old.grade_code,
        old.application_id,
        old.scheme_version_id,
    )
    # Signed like any certificate: the printed claims verify with the current key.
    check = signing.verify_encoded(new.signed_payload, new.signature, signing.verification_keys())
    assert check.authentic and check.claims.number == new.number and check.claims.expires_on == old.expires_on
    assert Event.objects.filter(action="certificate.scope_reduced", target_id=str(new.pk)).exists()
    assert Notification.objects.filter(recipient=user_a, kind="certificate.scope_reduced").count() == 1


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"categories": []}, "empty_scope"),
        (
            {
                "categories": ["custom_furniture", "custom_apparel", "other"],
                "services": ["solution_design", "manufacturing"],
            },
            "not_smaller",
        ),
        ({"categories": ["custom_electronic_accessories"]}, "not_a_reduction"),
        ({"reason": ""}, "reason_required"),
    ],
)
def test_service_refusals_change_nothing(issue, enterprise_a, programme_manager, extra, code):
    old = issue(enterprise_a, scope=WIDE_OTHER)
    with pytest.raises(RuleViolation) as exc:
        reduce(old, programme_manager, **extra)
    assert exc.value.code == code
    old.refresh_from_db()
    assert old.status == S.VALID and Certificate.objects.count() == 1


def test_only_a_valid_certificate_is_reduced(issue, enterprise_a, programme_manager):
    old = issue(enterprise_a, scope=WIDE_OTHER)
    services.certificate_suspend(by=programme_manager, certificate=old, reason="r", today=TODAY)
    with pytest.raises(RuleViolation) as exc:
        reduce(old, programme_manager)
    assert exc.value.code == "wrong_state"


def test_only_programme_managers_and_administrators_reduce(
    issue, enterprise_a, user_a, clerk, committee_member, cb_admin
):
    old = issue(enterprise_a, scope=WIDE_OTHER)
    for who in (user_a, clerk, committee_member, None):
        with pytest.raises(RuleViolation) as exc:
            reduce(old, who)
        assert exc.value.code == "not_allowed"
    assert reduce(old, cb_admin).supersedes_id == old.pk


def test_an_explicit_expiry_outside_the_period_is_refused(issue, enterprise_a, programme_manager):
    with pytest.raises(RuleViolation) as exc:
        issue(enterprise_a, expires_on=date(2030, 1, 1))
    assert exc.value.code == "expiry"
    with pytest.raises(RuleViolation):
        issue(enterprise_a, expires_on=date(2026, 3, 1))
    assert issue(enterprise_a, expires_on=date(2027, 3, 2)).expires_on == date(2027, 3, 2)


# --- page and API --------------------------------------------------------------------------------------------


def test_page_action(client, issue, enterprise_a, user_a, programme_manager, clerk):
    old = issue(enterprise_a, scope=WIDE_OTHER)
    url = reverse("certificate_reduce_scope", args=[old.pk])
    data = {"categories": ["custom_furniture"], "services": ["manufacturing"], "reason": "服饰类不符合"}
    client.force_login(user_a)
    assert "缩小认证范围" not in client.get(reverse("certificate_detail", args=[old.pk])).content.decode()
    assert client.post(url, data).status_code == 403
    client.force_login(clerk)
    assert client.post(url, data).status_code == 403
    client.force_login(programme_manager)
    assert "缩小认证范围" in client.get(reverse("certificate_detail", args=[old.pk])).content.decode()
    refused = client.post(url, data | {"categories": []})
    assert refused.status_code == 400 and "至少保留一个" in refused.content.decode()
    response = client.post(url, data)
    new = Certificate.objects.get(supersedes=old)
    assert response.status_code == 302 and response["Location"] == reverse("certificate_detail", args=[new.pk])
    # The superseded one offers no reduction any more.
    gone = client.post(url, data)
    assert gone.status_code == 302 and Certificate.objects.count() == 2


def test_api_action(issue, enterprise_a, enterprise_b, user_a, programme_manager, client):
    old = issue(enterprise_a, scope=WIDE_OTHER)
    url = f"/api/v1/certificates/{old.pk}/reduce-scope/"
    body = {"categories": ["custom_apparel"], "services": [], "reason": "家具类停产"}
    user = APIClient()
    user.force_authenticate(user_a)
    assert user.post(url, body, format="json").status_code == 403
    pm = APIClient()
    pm.force_authenticate(programme_manager)
    assert pm.post(url, body | {"categories": ["nonsense"]}, format="json").json()["code"] == "not_a_reduction"
    done = pm.post(url, body, format="json")
    assert done.status_code == 201, done.content
    assert done.json()["supersedes"] == old.pk and done.json()["expires_on"] == old.expires_on.isoformat()
    assert pm.post("/api/v1/certificates/99999/reduce-scope/", body, format="json").status_code == 404
    public = client.get(f"/api/v1/public/certificates/{old.number}").json()
    assert public["status"] == "superseded" and public["superseded_by"] == done.json()["number"]
