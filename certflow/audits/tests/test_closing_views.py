# ruff: noqa: F811 — the shared fixtures are imported by name and then requested as arguments
"""The closing-meeting page: confirming nonconformities (enterprise or auditor), holding the meeting,
passing, the report download, and who may do each."""

from datetime import date

import pytest
from django.urls import reverse

from certflow.applications.domain import ApplicationStatus
from certflow.audits.domain import AuditStatus
from certflow.audits.models import ClosingMeeting, NonconformityConfirmation
from certflow.audits.services import conduct
from certflow.audits.tests.test_conduct_fixtures import (  # noqa: F401
    DAY2,
    closed,
    member,
    record_everything,
    started,
    submit,
    with_ncs,
)
from certflow.reviews import services as review_services


@pytest.fixture(autouse=True)
def on_day_two(monkeypatch):
    monkeypatch.setattr("certflow.audits.views.conduct.today", lambda: DAY2)


def as_user(client, user):
    client.force_login(user)
    return client


def meeting_form(**extra):
    return {
        "held_at": "2026-03-17T16:00",
        "name_0": "李组长",
        "title_0": "审核组长",
        "side_0": "cb",
        "name_1": "王总",
        "title_1": "总经理",
        "side_1": "enterprise",
        "conclusion": "体系基本有效。",
        "recommendation": "",
        **extra,
    }


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
def test_who_may_see_the_closing_page(who, code, with_ncs, client, request):
    audit = with_ncs[0]
    assert (
        as_user(client, request.getfixturevalue(who)).get(reverse("audit_closing", args=[audit.pk])).status_code == code
    )


def test_the_enterprise_sees_and_confirms_its_nonconformities(with_ncs, user_a, client):
    audit, minor, major = with_ncs
    page = as_user(client, user_a).get(reverse("audit_closing", args=[audit.pk])).content.decode()
    assert minor.number in page and major.description in page and "确认该不符合项" in page
    response = client.post(
        reverse("audit_nonconformity_confirm", args=[audit.pk, minor.pk]), {"representative_title": "质量经理"}
    )
    assert response.status_code == 302
    confirmation = NonconformityConfirmation.objects.get(nonconformity=minor)
    assert confirmation.enterprise_user == user_a and confirmation.representative_title == "质量经理"


def test_an_auditor_records_the_representative_given_on_site(with_ncs, member, client):
    audit, minor, major = with_ncs
    url = reverse("audit_nonconformity_confirm", args=[audit.pk, major.pk])
    response = as_user(client, member).post(url, {"representative_name": ""})
    assert response.status_code == 400 and "企业代表姓名" in response.content.decode()
    assert as_user(client, member).post(url, {"representative_name": "王总"}).status_code == 302
    assert NonconformityConfirmation.objects.get(nonconformity=major).recorded_by == member


@pytest.mark.parametrize(("who", "code"), [("user_b", 404), ("auditor", 404), ("programme_manager", 403)])
def test_others_cannot_confirm(who, code, with_ncs, client, request):
    audit, minor, _ = with_ncs
    url = reverse("audit_nonconformity_confirm", args=[audit.pk, minor.pk])
    assert as_user(client, request.getfixturevalue(who)).post(url, {"representative_name": "x"}).status_code == code
    assert not NonconformityConfirmation.objects.exists()


def test_the_meeting_is_refused_with_an_unconfirmed_nonconformity_and_keeps_the_form(with_ncs, lead_auditor, client):
    audit = with_ncs[0]
    response = as_user(client, lead_auditor).post(reverse("audit_closing", args=[audit.pk]), meeting_form())
    assert response.status_code == 400
    page = response.content.decode()
    assert "尚未经企业代表确认" in page and "体系基本有效。" in page
    assert not ClosingMeeting.objects.exists()


def test_only_the_lead_holds_the_meeting(with_ncs, member, user_a, client):
    audit = with_ncs[0]
    for who in (member, user_a):
        assert as_user(client, who).post(reverse("audit_closing", args=[audit.pk]), meeting_form()).status_code == 403


def test_the_meeting_through_the_page_moves_audit_and_application(started, lead_auditor, member, client):
    record_everything(started, member)
    response = as_user(client, lead_auditor).post(reverse("audit_closing", args=[started.pk]), meeting_form())
    assert response.status_code == 302
    started.refresh_from_db()
    started.application.refresh_from_db()
    assert started.status == AuditStatus.PASSED
    assert started.application.status == ApplicationStatus.ONSITE_AUDIT_PASSED
    meeting = ClosingMeeting.objects.get()
    assert [a["side"] for a in meeting.attendees] == ["cb", "enterprise"]
    page = client.get(reverse("audit_closing", args=[started.pk])).content.decode()
    assert "王总" in page and "体系基本有效。" in page


def test_pass_through_the_page_after_the_loop(closed, lead_auditor, member, user_a, client):
    audit, minor, major = closed
    url = reverse("audit_pass", args=[audit.pk])
    page = as_user(client, lead_auditor).get(reverse("audit_closing", args=[audit.pk])).content.decode()
    assert f"严重不符合项 {major.number} 尚未验证关闭" in page and url not in page  # the rule, not a button
    assert as_user(client, member).post(url).status_code == 403
    response = as_user(client, lead_auditor).post(url, follow=True)
    assert "尚不能通过" in response.content.decode()
    review_services.corrective_action_accept_plan(by=lead_auditor, action=submit(minor, user_a))
    review_services.corrective_action_accept(by=lead_auditor, action=submit(major, user_a))
    audit.refresh_from_db()
    assert audit.status == AuditStatus.PASSED and audit.passed_on_plan == [minor.number]
    page = client.get(reverse("audit_closing", args=[audit.pk])).content.decode()
    assert minor.number in page and "按已接受的整改计划通过" in page


def test_the_plan_can_be_accepted_on_the_nonconformity_page(closed, lead_auditor, user_a, client):
    audit, minor, major = closed
    action = submit(minor, user_a)
    page = as_user(client, lead_auditor).get(reverse("nonconformity_detail", args=[minor.pk])).content.decode()
    assert reverse("corrective_action_accept_plan", args=[action.pk]) in page
    major_action = submit(major, user_a)
    page = client.get(reverse("nonconformity_detail", args=[major.pk])).content.decode()
    assert reverse("corrective_action_accept_plan", args=[major_action.pk]) not in page
    response = client.post(reverse("corrective_action_accept_plan", args=[action.pk]), {"comment": "计划可行"})
    assert response.status_code == 302
    minor.refresh_from_db()
    assert minor.state == "plan_accepted"
    # The enterprise cannot decide, nor can an auditor off the team.
    assert as_user(client, user_a).post(reverse("corrective_action_accept", args=[major_action.pk])).status_code in (
        403,
        404,
    )


@pytest.mark.parametrize(("who", "code"), [("lead_auditor", 200), ("user_a", 200), ("user_b", 404), ("auditor", 404)])
def test_who_may_download_the_report(who, code, closed, client, request):
    response = as_user(client, request.getfixturevalue(who)).get(reverse("audit_report", args=[closed[0].pk]))
    assert response.status_code == code
    if code == 200:
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_the_team_may_preview_the_draft_report(with_ncs, member, client):
    response = as_user(client, member).get(reverse("audit_report", args=[with_ncs[0].pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_closing_meeting_with_a_2027_deadline(started, lead_auditor, member, user_a, monkeypatch, client):
    monkeypatch.setattr("certflow.audits.views.conduct.today", lambda: date(2026, 12, 1))
    record_everything(started, member, {"4.1-1": "minor"})
    nc = conduct.nonconformity_raise_from_finding(by=member, audit=started, item_id="4.1-1")
    conduct.nonconformity_confirm(by=user_a, nonconformity=nc)
    assert (
        as_user(client, lead_auditor).post(reverse("audit_closing", args=[started.pk]), meeting_form()).status_code
        == 302
    )
    nc.refresh_from_db()
    assert nc.due_date == date(2027, 1, 30)
