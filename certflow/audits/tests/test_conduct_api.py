# ruff: noqa: F811 — the shared fixtures are imported by name and then requested as arguments
"""The conduct API: the same rules and permissions as the pages."""

import io

import pytest
from rest_framework.test import APIClient

from certflow.applications.domain import ApplicationStatus
from certflow.audits.domain import AuditStatus
from certflow.audits.models import Finding
from certflow.audits.tests.test_conduct_fixtures import (  # noqa: F401
    DAY1,
    DAY2,
    PNG,
    closed,
    member,
    record,
    record_everything,
    started,
    submit,
    with_ncs,
)

CONDUCT = "/api/v1/audit-conduct/"
FINDINGS = "/api/v1/audit-findings/"


@pytest.fixture(autouse=True)
def on_day_one(monkeypatch):
    monkeypatch.setattr("certflow.audits.api.conduct.today", lambda: DAY1)


@pytest.fixture
def api(request):
    def make(name):
        client = APIClient()
        client.force_authenticate(request.getfixturevalue(name))
        return client

    return make


@pytest.mark.parametrize(
    ("who", "code"), [("lead_auditor", 200), ("member", 200), ("user_a", 200), ("user_b", 404), ("auditor", 404)]
)
def test_who_may_read_the_conduct(who, code, started, api):
    assert api(who).get(f"{CONDUCT}{started.pk}/").status_code == code


def test_anonymous_is_refused(started):
    assert APIClient().get(f"{CONDUCT}{started.pk}/").status_code in (401, 403)


def test_the_enterprise_reads_no_findings_before_the_meeting(started, member, api):
    record(started, member, "4.1-1")
    body = api("user_a").get(f"{CONDUCT}{started.pk}/").json()
    assert body["findings_visible"] is False and body["findings"] == [] and body["score"] is None
    assert api("user_a").get(FINDINGS, {"audit": started.pk}).json() == []
    assert api("member").get(FINDINGS, {"audit": started.pk}).json()[0]["item_id"] == "4.1-1"
    assert api("user_b").get(FINDINGS, {"audit": started.pk}).status_code == 404


def test_saving_replaying_and_conflicting_through_the_api(started, api):
    client = api("member")
    body = {"audit": started.pk, "item_id": "4.1-1", "result": "conform", "revision": 0, "client_token": "p1"}
    first = client.post(FINDINGS, body, format="json")
    assert first.status_code == 201 and first.json()["revision"] == 1
    replay = client.post(FINDINGS, body, format="json")
    assert replay.status_code == 200 and replay.json()["revision"] == 1
    lead = api("lead_auditor").post(
        FINDINGS, {**body, "result": "minor", "note": "组长改", "revision": 1, "client_token": "l1"}, format="json"
    )
    assert lead.status_code == 200 and lead.json()["revision"] == 2
    stale = client.post(FINDINGS, {**body, "note": "旧的", "revision": 1, "client_token": "p2"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict" and stale.json()["current"]["note"] == "组长改"
    assert Finding.objects.get().note == "组长改"


# The audit is in the body, not the address: a caller on no audit team is refused before it is read (LG11).
@pytest.mark.parametrize(("who", "code"), [("user_a", 403), ("programme_manager", 403), ("auditor", 403)])
def test_only_the_team_saves_through_the_api(who, code, started, api):
    body = {"audit": started.pk, "item_id": "4.1-1", "result": "conform", "revision": 0}
    assert api(who).post(FINDINGS, body, format="json").status_code == code


def test_bad_input_is_a_400_in_both_languages(started, api):
    response = api("member").post(
        FINDINGS, {"audit": started.pk, "item_id": "4.1-1", "result": "major", "revision": 0}, format="json"
    )
    assert response.status_code == 400 and "zh" in response.json() and "en" in response.json()


def test_the_whole_conduct_through_the_api(notified, api, user_a, settings, tmp_path, monkeypatch):
    settings.CERTFLOW_VAR_DIR = tmp_path
    lead, team, ent = api("lead_auditor"), api("member"), api("user_a")
    assert team.post(f"{CONDUCT}{notified.pk}/start/").status_code == 403
    assert lead.post(f"{CONDUCT}{notified.pk}/start/").json()["status"] == AuditStatus.IN_PROGRESS
    notified.application.refresh_from_db()
    assert notified.application.status == ApplicationStatus.ONSITE_AUDIT
    record_everything(notified, notified.team.get(role="auditor").user, {"4.1-1": "minor"})
    finding = Finding.objects.get(item_id="4.1-1")
    photo = io.BytesIO(PNG)
    photo.name = "p.png"
    assert team.post(f"{FINDINGS}{finding.pk}/files/", {"file": photo}, format="multipart").status_code == 201
    raised = team.post(f"{FINDINGS}{finding.pk}/nonconformity/")
    assert raised.status_code == 201
    nc_id = raised.json()["id"]
    meeting = {
        "held_at": "2026-03-17T16:00:00+08:00",
        "attendees": [{"name": "李组长", "side": "cb"}, {"name": "王总", "title": "总经理", "side": "enterprise"}],
        "conclusion": "存在一项一般不符合。",
    }
    refused = lead.post(f"{CONDUCT}{notified.pk}/closing-meeting/", meeting, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "unconfirmed"
    confirmed = ent.post(f"{CONDUCT}{notified.pk}/nonconformities/{nc_id}/confirm/", {"remark": "同意"}, format="json")
    assert confirmed.status_code == 200
    assert confirmed.json()["nonconformities"][0]["confirmation"]["own_account"] is True
    monkeypatch.setattr("certflow.audits.api.conduct.today", lambda: DAY2)
    closed_body = lead.post(f"{CONDUCT}{notified.pk}/closing-meeting/", meeting, format="json").json()
    assert closed_body["status"] == AuditStatus.CORRECTIONS and closed_body["closing_meeting"]["conclusion"]
    assert ent.get(f"{CONDUCT}{notified.pk}/").json()["findings_visible"] is True
    report = ent.get(f"{CONDUCT}{notified.pk}/report/", HTTP_ACCEPT="application/pdf")
    assert report.status_code == 200 and report.content.startswith(b"%PDF")
    notified.application.refresh_from_db()
    assert notified.application.status == ApplicationStatus.ONSITE_CORRECTIONS
    # The corrective-action loop through the reviews API: the plan of the minor one is accepted.
    action = ent.post(
        "/api/v1/corrective-actions/",
        {"nonconformity": nc_id, "cause_analysis": "原因", "correction": "纠正", "corrective_action": "措施"},
        format="multipart",
    )
    assert action.status_code == 201, action.json()
    assert team.post(f"/api/v1/corrective-actions/{action.json()['id']}/accept-plan/").status_code == 403
    accepted = lead.post(f"/api/v1/corrective-actions/{action.json()['id']}/accept-plan/", {"comment": "可行"})
    assert accepted.status_code == 200 and accepted.json()["decision"] == "plan_accepted"
    body = lead.get(f"{CONDUCT}{notified.pk}/").json()
    assert body["status"] == AuditStatus.PASSED and len(body["passed_on_plan"]) == 1
    notified.application.refresh_from_db()
    assert notified.application.status == ApplicationStatus.ONSITE_AUDIT_PASSED
    assert lead.post(f"{CONDUCT}{notified.pk}/pass/").status_code == 400


def test_reading_the_conduct_keeps_its_query_count(started, member, api, django_assert_max_num_queries):
    client = api("member")
    record(started, member, "4.1-1")
    with django_assert_max_num_queries(40) as conduct_queries:
        client.get(f"{CONDUCT}{started.pk}/")
    with django_assert_max_num_queries(40) as list_queries:
        client.get(FINDINGS, {"audit": started.pk})
    record_everything(started, member, {"4.2-1": "minor", "4.3-1": "major"})
    with django_assert_max_num_queries(len(conduct_queries.captured_queries)):
        client.get(f"{CONDUCT}{started.pk}/")
    with django_assert_max_num_queries(len(list_queries.captured_queries)):
        client.get(FINDINGS, {"audit": started.pk})
