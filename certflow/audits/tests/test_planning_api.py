"""The planning API: same visibility and rules as the pages; refusals are 400 JSON in both languages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from certflow.audits.domain import AuditStatus
from certflow.audits.models import Audit, AuditNotice, DateProposal
from certflow.audits.tests.helpers import passed_application, planned_audit
from certflow.core.testing.factories import EnterpriseFactory, MembershipFactory, UserFactory

BASE = "/api/v1/audits/"


@pytest.fixture
def api(request):
    def make(name):
        client = APIClient()
        client.force_authenticate(request.getfixturevalue(name))
        return client

    return make


def test_list_visibility(audit, api):
    for who, seen in (("programme_manager", True), ("user_a", True), ("user_b", False), ("auditor", False)):
        refs = [row["reference"] for row in api(who).get(BASE).json()["results"]]
        assert (audit.reference in refs) is seen, who


def test_list_filters(audit, api):
    assert api("programme_manager").get(BASE, {"status": "planning"}).json()["count"] == 1
    assert api("programme_manager").get(BASE, {"audit_type": "special"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("who", "status"), [("programme_manager", 200), ("user_a", 200), ("user_b", 404), ("auditor", 404)]
)
def test_retrieve_visibility(who, status, audit, api):
    assert api(who).get(f"{BASE}{audit.pk}/").status_code == status


def test_anonymous_is_refused(audit):
    assert APIClient().get(BASE).status_code in (401, 403)


def test_the_whole_planning_flow(passed, api, registered_lead, registered_member):
    pm = api("programme_manager")
    response = pm.post(BASE, {"application": passed.pk}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = pm.post(f"{BASE}{pk}/propose-dates/", {"days": ["2026-03-16", "2026-03-17"]}, format="json")
    assert response.status_code == 200 and response.json()["last_notice_date"] == "2026-03-05"
    proposal = response.json()["proposals"][-1]["id"]
    response = api("user_a").post(
        f"{BASE}{pk}/counter-propose/",
        {"proposal": proposal, "days": ["2026-03-18"], "message": "16日不便"},
        format="json",
    )
    assert response.json()["status"] == "planning"
    counter = response.json()["proposals"][-1]["id"]
    response = pm.post(f"{BASE}{pk}/accept-counter/", {"proposal": counter}, format="json")
    assert response.json()["status"] == "scheduled" and response.json()["days"] == ["2026-03-18"]
    candidates = pm.get(f"{BASE}{pk}/candidates/").json()
    assert {c["user"] for c in candidates if c["eligible"]} >= {registered_lead.pk, registered_member.pk}
    response = pm.post(
        f"{BASE}{pk}/set-team/",
        {"members": [registered_lead.pk, registered_member.pk], "lead": registered_lead.pk},
        format="json",
    )
    assert response.status_code == 200 and len(response.json()["team"]) == 2
    response = pm.post(
        f"{BASE}{pk}/add-slot/",
        {"day": "2026-03-18", "start": "09:00", "end": "09:30", "activity": "首次会议", "item_ids": ["4.4-1"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    response = pm.post(f"{BASE}{pk}/send-notice/")
    assert response.status_code == 200 and response.json()["status"] == "notified"
    notice = response.json()["notices"][0]["id"]
    for who, code in (("user_a", 200), ("user_b", 404)):
        assert api(who).get(f"{BASE}{pk}/notices/{notice}/").status_code == code
    pdf = api("user_a").get(f"{BASE}{pk}/notices/{notice}/", HTTP_ACCEPT="application/pdf")
    assert pdf.content.startswith(b"%PDF")


def test_team_refusal_is_a_400_with_the_reason(scheduled, api, registered_member):
    response = api("programme_manager").post(
        f"{BASE}{scheduled.pk}/set-team/",
        {"members": [registered_member.pk], "lead": registered_member.pk},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "team_refused" and "不具备审核组长资格" in body["zh"] and "lead auditor" in body["en"]


def test_notice_too_late_is_a_400(staffed, api, monkeypatch):
    from datetime import date

    monkeypatch.setattr("certflow.audits.api.planning.today", lambda: date(2026, 3, 9))
    response = api("programme_manager").post(f"{BASE}{staffed.pk}/send-notice/")
    assert response.status_code == 400 and response.json()["code"] == "notice_too_late"
    assert not AuditNotice.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("user_a", 403), ("cb_admin", 403), ("user_b", 404)])
def test_only_planners_propose(who, status, audit, api):
    response = api(who).post(f"{BASE}{audit.pk}/propose-dates/", {"days": ["2026-03-16"]}, format="json")
    assert response.status_code == status
    assert not DateProposal.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("programme_manager", 403), ("user_b", 404)])
def test_only_the_enterprise_confirms(who, status, proposed, api):
    proposal = proposed.proposals.get()
    response = api(who).post(f"{BASE}{proposed.pk}/confirm-dates/", {"proposal": proposal.pk}, format="json")
    assert response.status_code == status
    proposed.refresh_from_db()
    assert proposed.status == AuditStatus.DATES_PROPOSED


def test_enterprise_confirms(proposed, api):
    proposal = proposed.proposals.get()
    response = api("user_a").post(f"{BASE}{proposed.pk}/confirm-dates/", {"proposal": proposal.pk}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "scheduled"


def test_candidates_only_for_planners(audit, api):
    assert api("user_a").get(f"{BASE}{audit.pk}/candidates/").status_code == 403


def test_special_audit(enterprise_a, api):
    response = api("programme_manager").post(
        f"{BASE}special/", {"enterprise": enterprise_a.pk, "reason": "投诉调查"}, format="json"
    )
    assert response.status_code == 201 and response.json()["audit_type"] == "special"
    assert (
        api("clerk").post(f"{BASE}special/", {"enterprise": enterprise_a.pk, "reason": "x"}, format="json").status_code
        == 403
    )


def test_cancel(audit, api):
    assert api("user_a").post(f"{BASE}{audit.pk}/cancel/", {"reason": "x"}, format="json").status_code == 403
    response = api("programme_manager").post(f"{BASE}{audit.pk}/cancel/", {"reason": "企业延期"}, format="json")
    assert response.json()["status"] == "cancelled"


def test_list_constant_queries(audit, api, programme_manager, clerk, auditor):
    client = api("programme_manager")
    client.get(BASE)
    with CaptureQueriesContext(connection) as small:
        client.get(BASE)
    for i in range(3):
        enterprise = EnterpriseFactory(name=f"接口企业{i}")
        user = MembershipFactory(enterprise=enterprise, user=UserFactory(email=f"api{i}@ent.example")).user
        planned_audit(
            planner=programme_manager,
            application=passed_application(enterprise=enterprise, user=user, clerk=clerk, reviewer=auditor),
        )
    with CaptureQueriesContext(connection) as large:
        count = client.get(BASE).json()["count"]
    assert count == Audit.objects.count() == 4
    assert len(large) == len(small), [q["sql"][:150] for q in large.captured_queries]
