# ruff: noqa: F811 — the shared fixtures are imported by name and then requested as arguments
"""The checklist pages: who may see and write, saving one item (JSON for the script, a form without it),
replays and conflicts through the page, evidence uploads and downloads, starting the audit."""

import io

import pytest
from django.urls import reverse

from certflow.audits.domain import AuditStatus
from certflow.audits.models import Finding, FindingFile
from certflow.audits.tests.test_conduct_fixtures import (  # noqa: F401
    DAY1,
    PNG,
    closed,
    member,
    record,
    started,
    with_ncs,
)

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def on_day_one(monkeypatch):
    monkeypatch.setattr("certflow.audits.views.conduct.today", lambda: DAY1)


def as_user(client, user):
    client.force_login(user)
    return client


def save(client, audit, item="4.1-1", **data):
    body = {"result": "conform", "note": "", "na_reason": "", "revision": 0, "client_token": "", **data}
    return client.post(reverse("audit_finding_save", args=[audit.pk, item]), body, **JSON)


# --- who may see the checklist ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("lead_auditor", 200),
        ("member", 200),
        ("programme_manager", 200),
        ("user_a", 200),
        ("auditor", 404),
        ("user_b", 404),
    ],
)
def test_who_may_see_the_checklist(who, code, started, client, request):
    response = as_user(client, request.getfixturevalue(who)).get(reverse("audit_checklist", args=[started.pk]))
    assert response.status_code == code


def test_anonymous_is_sent_to_login(started, client):
    response = client.get(reverse("audit_checklist", args=[started.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_enterprise_sees_findings_only_after_the_closing_meeting(started, member, user_a, client):
    record(started, member, "4.1-1", "minor", note="培训记录缺失的秘密细节")
    page = as_user(client, user_a).get(reverse("audit_checklist", args=[started.pk])).content.decode()
    assert "培训记录缺失的秘密细节" not in page and "末次会议后" in page
    assert client.get(reverse("audit_report", args=[started.pk])).status_code == 404


def test_after_the_closing_meeting_the_enterprise_sees_the_checklist(closed, user_a, client):
    page = as_user(client, user_a).get(reverse("audit_checklist", args=[closed[0].pk])).content.decode()
    assert "4.1-1 现场发现：记录不全" in page and 'class="finding-form"' not in page


def test_the_team_page_has_a_form_per_item_and_the_script(started, member, client):
    page = as_user(client, member).get(reverse("audit_checklist", args=[started.pk])).content.decode()
    assert page.count('class="finding-form"') == 32
    assert "audits/checklist.js" in page and "onsite-score" in page
    assert "cdn" not in page.lower()


# --- saving ------------------------------------------------------------------------------------------


def test_saving_returns_the_finding_and_the_running_score(started, member, client):
    response = save(as_user(client, member), started, "4.3-1", result="minor", note="资质证书过期", client_token="t1")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["finding"]["revision"] == 1 and body["finding"]["points"] == "2" and body["finding"]["weight"] == 4
    assert body["score"]["score"] == "50" and body["score"]["answered"] == 1


def test_a_replay_through_the_page_changes_nothing(started, member, client):
    client = as_user(client, member)
    first = save(client, started, result="minor", note="缺记录", client_token="same")
    again = save(client, started, result="minor", note="缺记录", client_token="same")
    assert first.status_code == again.status_code == 200
    assert again.json()["replayed"] and again.json()["finding"]["revision"] == 1
    assert Finding.objects.get(item_id="4.1-1").revision == 1


def test_a_conflict_comes_back_with_the_stored_finding(started, member, lead_auditor, client):
    record(started, lead_auditor, "4.1-1", "major", note="组长的发现", token="lead")
    response = save(as_user(client, member), started, result="conform", revision=0, client_token="mine")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict" and body["current"]["note"] == "组长的发现" and body["current"]["revision"] == 1
    assert Finding.objects.get(item_id="4.1-1").note == "组长的发现"


def test_a_conflict_without_script_keeps_the_typed_text(started, member, lead_auditor, client):
    record(started, lead_auditor, "4.1-1", "major", note="组长的发现", token="lead")
    response = as_user(client, member).post(
        reverse("audit_finding_save", args=[started.pk, "4.1-1"]),
        {"f-4.1-1-result": "minor", "f-4.1-1-note": "我在断网时写的内容", "f-4.1-1-revision": "0"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "我在断网时写的内容" in page and "组长的发现" in page
    assert Finding.objects.get(item_id="4.1-1").note == "组长的发现"


def test_a_refused_save_says_why_in_chinese_and_english(started, member, client):
    response = save(as_user(client, member), started, result="minor", note="")
    assert response.status_code == 400
    body = response.json()
    assert "不符合事实" in body["zh"] and "describe" in body["en"]
    assert save(client, started, result="bogus").status_code == 400
    assert not Finding.objects.exists()


def test_form_post_without_script_saves_and_redirects(started, member, client):
    response = as_user(client, member).post(
        reverse("audit_finding_save", args=[started.pk, "4.1-1"]),
        {"f-4.1-1-result": "conform", "f-4.1-1-note": "", "f-4.1-1-revision": "0"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#item-4_1-1")
    assert Finding.objects.get(item_id="4.1-1").result == "conform"


@pytest.mark.parametrize(("who", "code"), [("user_a", 403), ("programme_manager", 403), ("auditor", 404)])
def test_only_the_team_saves(who, code, started, client, request):
    assert save(as_user(client, request.getfixturevalue(who)), started).status_code == code
    assert not Finding.objects.exists()


def test_no_saving_once_the_meeting_is_held(closed, member, client):
    response = save(as_user(client, member), closed[0], "4.1-2", result="minor", note="x", revision=1)
    assert response.status_code == 400 and response.json()["code"] == "checklist_closed"


# --- evidence ----------------------------------------------------------------------------------------


def test_evidence_upload_and_download(started, member, user_a, auditor, client, settings, tmp_path):
    settings.CERTFLOW_VAR_DIR = tmp_path
    record(started, member, "4.1-1")
    client = as_user(client, member)
    url = reverse("audit_finding_file_add", args=[started.pk, "4.1-1"])
    photo = io.BytesIO(PNG)
    photo.name = "现场照片.png"
    assert client.post(url, {"file": photo}).status_code == 302
    file = FindingFile.objects.get()
    download = reverse("audit_finding_file", args=[started.pk, file.pk])
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    # A text file is refused with a message, nothing stored.
    bad = io.BytesIO(b"hello")
    bad.name = "a.txt"
    client.post(url, {"file": bad})
    assert FindingFile.objects.count() == 1
    # The enterprise may not download before the closing meeting; an unassigned auditor never.
    assert as_user(client, user_a).get(download).status_code == 404
    assert as_user(client, auditor).get(download).status_code == 404


# --- start and raising ------------------------------------------------------------------------------


def test_the_lead_starts_through_the_page(notified, lead_auditor, member, client):
    url = reverse("audit_start", args=[notified.pk])
    assert as_user(client, member).post(url).status_code == 403
    page = as_user(client, lead_auditor).get(reverse("audit_checklist", args=[notified.pk])).content.decode()
    assert url in page
    assert client.post(url).status_code == 302
    notified.refresh_from_db()
    assert notified.status == AuditStatus.IN_PROGRESS


def test_raising_a_nonconformity_through_the_page(started, member, client):
    record(started, member, "4.1-1", "major", note="无安全培训")
    client = as_user(client, member)
    response = client.post(reverse("audit_nonconformity_raise", args=[started.pk, "4.1-1"]))
    assert response.status_code == 302
    assert started.nonconformities.get().grade == "major"
    page = client.get(reverse("audit_checklist", args=[started.pk])).content.decode()
    assert started.nonconformities.get().number in page and "待企业确认" in page


def test_the_checklist_keeps_its_query_count(started, member, client, django_assert_max_num_queries):
    client = as_user(client, member)
    record(started, member, "4.1-1")
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("audit_checklist", args=[started.pk]))
    for item in ("4.1-2", "4.1-3", "4.2-1", "4.2-2", "4.2-3"):
        record(started, member, item, "minor", note="x")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("audit_checklist", args=[started.pk]))
