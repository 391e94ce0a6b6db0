"""Who reaches the programme pages and API, what they show, and a constant number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certflow.audits.models import Audit
from certflow.audits.services import planning
from certflow.core.testing.factories import EnterpriseFactory
from certflow.surveillance.tests.helpers import PLAN_DAY, held_surveillance, issue, notified_surveillance

DASH = "/surveillance/"
API = "/api/v1/surveillance/"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("certflow.surveillance.selectors.today", lambda: PLAN_DAY)
    monkeypatch.setattr("certflow.surveillance.views.today", lambda: PLAN_DAY)
    monkeypatch.setattr("certflow.surveillance.api.today", lambda: PLAN_DAY)


def login(client, user):
    client.force_login(user)
    return client


def test_dashboard_access(client, programme_manager, cb_admin, clerk, auditor, user_a, cert_a):
    for user, status in ((programme_manager, 200), (cb_admin, 200), (clerk, 200), (auditor, 403), (user_a, 403)):
        assert login(client, user).get(DASH).status_code == status, user
        assert client.get(API + "programme/").status_code == status, user
    client.logout()
    assert client.get(DASH).status_code == 302


def test_dashboard_lists_due_with_a_plan_action_for_managers_only(client, programme_manager, clerk, cert_a):
    page = login(client, programme_manager).get(DASH)
    body = page.content.decode()
    assert cert_a.number in body and "安排监督审核" in body and "应安排" in body
    assert dict((v, c) for v, _l, c in page.context["counts"])["due"] == 1
    body = login(client, clerk).get(DASH).content.decode()
    assert cert_a.number in body and "安排监督审核" not in body


def test_plan_action_opens_the_audit_planning_page(client, programme_manager, clerk, cert_a):
    response = login(client, programme_manager).post(f"/surveillance/certificates/{cert_a.pk}/plan/", {"window": "1"})
    audit = Audit.objects.get(certificate=cert_a)
    assert response.status_code == 302 and response["Location"] == f"/audits/{audit.pk}/plan/"
    assert login(client, clerk).post(f"/surveillance/certificates/{cert_a.pk}/plan/").status_code == 403
    # Planned twice: a clear message, not an error page.
    response = login(client, programme_manager).post(f"/surveillance/certificates/{cert_a.pk}/plan/", {"window": "1"})
    assert response.status_code == 302 and Audit.objects.filter(certificate=cert_a).count() == 1


def test_filters_by_state_and_month(client, programme_manager, cert_a, enterprise_b):
    later = issue(programme_manager, enterprise_b, issued_on=date(2025, 11, 20))  # window 2026-08-20..2026-11-20
    client = login(client, programme_manager)
    rows = client.get(DASH, {"state": "due"}).context["rows"]
    assert [r.certificate for r in rows] == [cert_a]
    rows = client.get(DASH, {"state": "not_yet_open"}).context["rows"]
    assert [r.certificate for r in rows] == [later]
    rows = client.get(DASH, {"month": "2026-10"}).context["rows"]
    assert [r.certificate for r in rows] == [later]
    rows = client.get(DASH, {"month": "2026-08"}).context["rows"]
    assert {r.certificate for r in rows} == {cert_a, later}
    response = client.get(DASH, {"month": "2026-13", "state": "bogus"})
    assert response.status_code == 200 and response.context["month_error"]
    assert client.get(API + "programme/", {"month": "junk"}).status_code == 400
    assert client.get(API + "programme/", {"state": "junk"}).status_code == 400
    data = client.get(API + "programme/", {"state": "not_yet_open"}).json()
    assert data["count"] == 1 and data["results"][0]["number"] == later.number
    assert data["results"][0]["next"]["window"]["opens"] == "2026-08-20"


def test_legacy_certificates_are_not_on_the_programme(client, programme_manager, cert_a):
    from certflow.certificates.models import Certificate

    Certificate.objects.filter(pk=cert_a.pk).update(is_legacy=True)
    assert login(client, programme_manager).get(DASH).context["total"] == 0
    page = client.get(f"/surveillance/certificates/{cert_a.pk}/")
    assert page.status_code == 200 and "旧版体系证书" in page.content.decode()


def _dashboard_queries(client, count):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASH).status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_rows(client, programme_manager, cert_a):
    client = login(client, programme_manager)
    planning.surveillance_audit_create(by=programme_manager, certificate=cert_a, today=PLAN_DAY)
    small = _dashboard_queries(client, 1)
    for n in range(6):
        cert = issue(programme_manager, EnterpriseFactory(name=f"丙{n}定制有限公司"))
        if n % 2:
            planning.surveillance_audit_create(by=programme_manager, certificate=cert, today=PLAN_DAY)
    assert _dashboard_queries(client, 7) == small
    with CaptureQueriesContext(connection) as a:
        client.get(API + "programme/")
    issue(programme_manager, EnterpriseFactory(name="丁定制有限公司"))
    with CaptureQueriesContext(connection) as b:
        client.get(API + "programme/")
    assert len(a) == len(b)


def test_enterprise_sees_its_own_certificate_programme_only(client, user_a, cert_a, cert_b):
    client = login(client, user_a)
    page = client.get(f"/surveillance/certificates/{cert_a.pk}/")
    assert page.status_code == 200 and "安排监督审核" not in page.content.decode()
    assert client.get(f"/surveillance/certificates/{cert_b.pk}/").status_code == 404
    assert client.get(API + f"certificates/{cert_a.pk}/").status_code == 200
    assert client.get(API + f"certificates/{cert_b.pk}/").status_code == 404
    assert client.get(API + "certificates/abc/").status_code == 404
    assert client.post(API + "audits/", {"certificate": cert_a.pk}).status_code == 403


def test_api_creates_a_surveillance_audit(client, programme_manager, cb_admin, cert_a):
    response = login(client, programme_manager).post(API + "audits/", {"certificate": cert_a.pk}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (
        data["audit_type"] == "surveillance" and data["certificate"] == cert_a.pk and data["surveillance_window"] == 1
    )
    again = client.post(API + "audits/", {"certificate": cert_a.pk, "window": 1})
    assert again.status_code == 400 and again.json()["code"] == "window_taken"
    assert client.post(API + "audits/", {"certificate": "x"}).status_code == 400
    assert client.post(API + "audits/", {"certificate": 99999}).status_code == 404
    assert login(client, cb_admin).post(API + "audits/", {"certificate": cert_a.pk}).status_code == 403
    detail = login(client, programme_manager).get(API + f"certificates/{cert_a.pk}/").json()
    assert [o["obligation_state"] for o in detail["obligations"]] == ["planned", "not_yet_open", "not_yet_open"]


def test_certificate_page_lists_windows_and_audits(client, programme_manager, cert_a):
    audit = planning.surveillance_audit_create(by=programme_manager, certificate=cert_a, today=PLAN_DAY)
    body = login(client, programme_manager).get(f"/surveillance/certificates/{cert_a.pk}/").content.decode()
    assert audit.reference in body and "2026-05-11" in body and "2028-05-11" in body and "已安排" in body


def test_surveillance_nonconformities_are_seen_by_their_enterprise_only(
    client, programme_manager, cert_a, user_a, user_b, lead, member, lead_auditor, auditor
):
    audit = notified_surveillance(
        planner=programme_manager, certificate=cert_a, enterprise_user=user_a, lead=lead, members=[member]
    )
    (nc,) = held_surveillance(audit, lead=lead_auditor, member=member, results={"4.1-2": "minor"}, user=user_a)
    for user, status in ((user_a, 200), (user_b, 404), (lead_auditor, 200), (programme_manager, 200), (auditor, 404)):
        login(client, user)
        assert client.get(f"/reviews/nonconformities/{nc.pk}/").status_code == status, user
        assert client.get(f"/api/v1/nonconformities/{nc.pk}/").status_code == status, user
    login(client, user_a)
    listing = client.get("/api/v1/nonconformities/", {"certificate": cert_a.pk}).json()
    assert [r["number"] for r in listing["results"]] == [nc.number]
    assert listing["results"][0]["application_reference"] is None
    assert listing["results"][0]["certificate_number"] == cert_a.number
    assert nc.number in client.get("/reviews/nonconformities/").content.decode()
    assert nc.number not in login(client, user_b).get("/reviews/nonconformities/").content.decode()
    # The enterprise answers it through the usual page.
    response = login(client, user_a).post(
        f"/reviews/nonconformities/{nc.pk}/actions/",
        {"cause_analysis": "原因", "correction": "纠正", "corrective_action": "措施"},
    )
    assert response.status_code in (200, 302)
    nc.refresh_from_db()
    assert nc.state == "action_submitted"


def test_the_audit_pages_of_a_surveillance_audit_render(
    client, programme_manager, cert_a, user_a, lead, member, lead_auditor
):
    audit = notified_surveillance(
        planner=programme_manager, certificate=cert_a, enterprise_user=user_a, lead=lead, members=[member]
    )
    (nc,) = held_surveillance(audit, lead=lead_auditor, member=member, results={"4.3-1": "major"}, user=user_a)
    login(client, programme_manager)
    detail = client.get(f"/audits/{audit.pk}/")
    assert detail.status_code == 200 and cert_a.number in detail.content.decode()
    assert client.get(f"/audits/{audit.pk}/plan/").status_code == 200
    assert client.get(f"/api/v1/audits/{audit.pk}/").json()["certificate_number"] == cert_a.number
    login(client, lead_auditor)
    closing = client.get(f"/audits/{audit.pk}/closing/")
    assert closing.status_code == 200 and nc.number in closing.content.decode()
    assert client.get(f"/audits/{audit.pk}/report.pdf").status_code == 200
    login(client, user_a)
    assert client.get(f"/audits/{audit.pk}/").status_code == 200
    page = client.get(f"/surveillance/certificates/{cert_a.pk}/").content.decode()
    assert audit.reference in page and "证书暂停" in page


def test_dashboard_counts_for_the_lead_s_dashboard_tile(programme_manager, user_a, cert_a, enterprise_b):
    from certflow.surveillance.selectors import dashboard_counts

    issue(programme_manager, enterprise_b, issued_on=date(2025, 11, 20))  # window 2026-08-20 .. 2026-11-20
    on = date(2026, 9, 1)  # cert_a's first window closed on 2026-08-11
    assert dashboard_counts(programme_manager, on) == {"due": 1, "overdue": 1}
    assert dashboard_counts(user_a, on) == {}
