"""Planning pages: who may reach each, what they do, constant queries on the list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certflow.audits.domain import AuditStatus
from certflow.audits.models import Audit, AuditNotice, AuditSite, DateProposal
from certflow.audits.tests.helpers import TODAY, passed_application, planned_audit
from certflow.core.testing.factories import MembershipFactory, UserFactory


def login(client, user):
    client.force_login(user)
    return client


# --- who may see an audit ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["programme_manager", "cb_admin", "committee_member", "clerk", "user_a"])
def test_these_see_the_audit(who, audit, client, request):
    response = login(client, request.getfixturevalue(who)).get(reverse("audit_detail", args=[audit.pk]))
    assert response.status_code == 200
    assert audit.reference in response.content.decode()


@pytest.mark.parametrize("who", ["user_b", "auditor", "lead_auditor"])
def test_these_may_not_see_the_audit(who, audit, client, request):
    # The document reviewer and an auditor not on the team see nothing; nor does another enterprise.
    response = login(client, request.getfixturevalue(who)).get(reverse("audit_detail", args=[audit.pk]))
    assert response.status_code == 404


def test_a_team_member_sees_the_audit(staffed, registered_member, client):
    response = login(client, registered_member).get(reverse("audit_detail", args=[staffed.pk]))
    assert response.status_code == 200 and "首次会议" in response.content.decode()


def test_anonymous_is_sent_to_login(audit, client):
    response = client.get(reverse("audit_detail", args=[audit.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_list_shows_each_role_its_audits(audit, client, user_a, user_b, programme_manager, auditor):
    assert audit.reference in login(client, programme_manager).get(reverse("audit_list")).content.decode()
    assert audit.reference in login(client, user_a).get(reverse("audit_list")).content.decode()
    assert audit.reference not in login(client, user_b).get(reverse("audit_list")).content.decode()
    assert audit.reference not in login(client, auditor).get(reverse("audit_list")).content.decode()


def test_the_list_filters_by_status_and_type(audit, client, programme_manager):
    client = login(client, programme_manager)
    assert audit.reference in client.get(reverse("audit_list"), {"status": "planning"}).content.decode()
    assert audit.reference not in client.get(reverse("audit_list"), {"status": "notified"}).content.decode()
    assert audit.reference not in client.get(reverse("audit_list"), {"type": "special"}).content.decode()


def _more_audits(n, programme_manager, clerk, auditor):
    from certflow.core.testing.factories import EnterpriseFactory

    for i in range(n):
        enterprise = EnterpriseFactory(name=f"测试企业{i}")
        user = MembershipFactory(enterprise=enterprise, user=UserFactory(email=f"u{i}@ent.example")).user
        application = passed_application(enterprise=enterprise, user=user, clerk=clerk, reviewer=auditor)
        planned_audit(planner=programme_manager, application=application)


def test_the_list_runs_a_constant_number_of_queries(staffed, client, programme_manager, clerk, auditor):
    client = login(client, programme_manager)
    client.get(reverse("audit_list"))  # warm the session and the role cache
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("audit_list")).status_code == 200
    _more_audits(3, programme_manager, clerk, auditor)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("audit_list")).status_code == 200
    assert Audit.objects.count() == 4
    assert len(large) == len(small)


# --- the planning page ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("cb_admin", 403), ("clerk", 403), ("user_a", 403), ("user_b", 404)])
def test_only_the_planner_reaches_the_planning_page(who, status, audit, client, request):
    response = login(client, request.getfixturevalue(who)).get(reverse("audit_plan", args=[audit.pk]))
    assert response.status_code == status


def test_planning_page_shows_candidates_and_why_not(proposed, client, programme_manager, registered_lead, auditor):
    from certflow.audits.tests.helpers import registered_auditor

    registered_auditor(keeper=programme_manager, email="apparel@cb.example", categories=("custom_apparel",))
    page = login(client, programme_manager).get(reverse("audit_plan", args=[proposed.pk])).content.decode()
    assert registered_lead.full_name in page or registered_lead.email in page
    assert "不具备以下定制商品类别的专业能力" in page
    assert "2026-03-05" in page  # the last allowed notice day for the proposed 16 March


def test_propose_through_the_page(audit, client, programme_manager):
    response = login(client, programme_manager).post(
        reverse("audit_propose_dates", args=[audit.pk]),
        {"day_1": "2026-03-16", "day_2": "2026-03-17", "message": "请确认"},
    )
    assert response.status_code == 302
    assert DateProposal.objects.get(audit=audit).days == ["2026-03-16", "2026-03-17"]


def test_a_refused_proposal_is_explained_and_keeps_the_input(audit, client, programme_manager):
    response = login(client, programme_manager).post(
        reverse("audit_propose_dates", args=[audit.pk]), {"day_1": "2026-02-16", "message": "过去的日期"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "审核日期不能早于今天" in page and "过去的日期" in page
    assert not DateProposal.objects.exists()


def test_notice_date_partial(audit, client, programme_manager):
    client = login(client, programme_manager)
    page = client.get(reverse("audit_notice_date", args=[audit.pk]), {"day_1": "2026-10-13"}).content.decode()
    assert "2026-09-28" in page and "banner error" not in page
    page = client.get(reverse("audit_notice_date", args=[audit.pk]), {"day_1": "2026-03-09"}).content.decode()
    assert "最迟通知日已过" in page
    page = client.get(reverse("audit_notice_date", args=[audit.pk]), {"day_1": "2027-01-08"}).content.decode()
    assert "2027" in page and "banner error" in page


def test_the_enterprise_may_not_use_the_notice_date_partial(audit, client, user_a):
    assert login(client, user_a).get(reverse("audit_notice_date", args=[audit.pk])).status_code == 403


def test_team_refusal_on_the_page_names_the_reason(scheduled, client, programme_manager, registered_member):
    response = login(client, programme_manager).post(
        reverse("audit_team", args=[scheduled.pk]),
        {"members": [str(registered_member.pk)], "lead": str(registered_member.pk)},
    )
    assert response.status_code == 400
    assert "不具备审核组长资格" in response.content.decode()


def test_team_site_slot_and_notice_through_the_page(scheduled, client, programme_manager, registered_lead):
    client = login(client, programme_manager)
    response = client.post(
        reverse("audit_team", args=[scheduled.pk]),
        {"members": [str(registered_lead.pk)], "lead": str(registered_lead.pk)},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("audit_site_add", args=[scheduled.pk]),
        {"kind": "design_studio", "name": "设计中心", "address": "某路1号"},
    )
    assert response.status_code == 302
    site = AuditSite.objects.get(audit=scheduled, name="设计中心")
    response = client.post(
        reverse("audit_slot_add", args=[scheduled.pk]),
        {
            "day": "2026-03-16",
            "start": "09:00",
            "end": "09:30",
            "activity": "首次会议",
            "site": str(site.pk),
            "auditor": "",
            "item_ids": ["4.4-1"],
        },
    )
    assert response.status_code == 302, response.content.decode()
    response = client.post(reverse("audit_send_notice", args=[scheduled.pk]))
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.status == AuditStatus.NOTIFIED


def test_notice_refused_on_the_page_when_too_late(staffed, client, programme_manager, monkeypatch):
    from datetime import date

    monkeypatch.setattr("certflow.audits.views.planning.today", lambda: date(2026, 3, 6))
    response = login(client, programme_manager).post(reverse("audit_send_notice", args=[staffed.pk]))
    assert response.status_code == 400
    assert "2026-03-05" in response.content.decode()
    assert not AuditNotice.objects.exists()


def test_cancel_through_the_page(audit, client, programme_manager):
    response = login(client, programme_manager).post(reverse("audit_cancel", args=[audit.pk]), {"reason": "延期"})
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CANCELLED


def test_posts_by_others_change_nothing(audit, client, user_a, cb_admin):
    for who in (user_a, cb_admin):
        response = login(client, who).post(reverse("audit_propose_dates", args=[audit.pk]), {"day_1": "2026-03-16"})
        assert response.status_code == 403
    assert not DateProposal.objects.exists()


# --- the enterprise's answer ---------------------------------------------------------------------------


def test_enterprise_confirms_on_its_page(proposed, client, user_a):
    client = login(client, user_a)
    assert "2026-03-16" in client.get(reverse("audit_dates", args=[proposed.pk])).content.decode()
    response = client.post(reverse("audit_dates", args=[proposed.pk]), {"answer": "confirm"})
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == AuditStatus.SCHEDULED


def test_enterprise_counter_proposes_on_its_page(proposed, client, user_a):
    response = login(client, user_a).post(
        reverse("audit_dates", args=[proposed.pk]), {"answer": "counter", "day_1": "2026-03-23", "message": "16日不便"}
    )
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == AuditStatus.PLANNING
    assert proposed.proposals.filter(side="enterprise", message="16日不便").exists()


@pytest.mark.parametrize(("who", "status"), [("user_b", 404), ("programme_manager", 403)])
def test_others_may_not_answer_for_the_enterprise(who, status, proposed, client, request):
    response = login(client, request.getfixturevalue(who)).post(
        reverse("audit_dates", args=[proposed.pk]), {"answer": "confirm"}
    )
    assert response.status_code == status
    proposed.refresh_from_db()
    assert proposed.status == AuditStatus.DATES_PROPOSED


# --- notice download ---------------------------------------------------------------------------------


def test_notice_download(notified, client, user_a, user_b, registered_member, auditor):
    notice = notified.notices.get()
    url = reverse("audit_notice_download", args=[notified.pk, notice.pk])
    for who in (user_a, registered_member):
        response = login(client, who).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    for who in (user_b, auditor):
        assert login(client, who).get(url).status_code == 404


# --- opening audits ------------------------------------------------------------------------------------


def test_plan_button_on_the_application_page(passed, client, programme_manager, clerk):
    url = reverse("audit_create", args=[passed.pk])
    assert url in login(client, programme_manager).get(reverse("application_detail", args=[passed.pk])).content.decode()
    assert url not in login(client, clerk).get(reverse("application_detail", args=[passed.pk])).content.decode()


def test_create_through_the_page(passed, client, programme_manager):
    response = login(client, programme_manager).post(
        reverse("audit_create", args=[passed.pk]), {"audit_type": "initial"}
    )
    audit = Audit.objects.get(application=passed)
    assert response.status_code == 302 and response["Location"] == reverse("audit_plan", args=[audit.pk])


@pytest.mark.parametrize(("who", "status"), [("clerk", 403), ("user_a", 403), ("user_b", 404)])
def test_others_may_not_create(who, status, passed, client, request):
    response = login(client, request.getfixturevalue(who)).post(
        reverse("audit_create", args=[passed.pk]), {"audit_type": "initial"}
    )
    assert response.status_code == status
    assert not Audit.objects.exists()


def test_special_audit_through_the_page(enterprise_a, client, programme_manager, clerk):
    response = login(client, programme_manager).post(
        reverse("audit_special_new"), {"enterprise": str(enterprise_a.pk), "reason": "客户投诉"}
    )
    assert response.status_code == 302
    assert Audit.objects.get().audit_type == "special"
    assert login(client, clerk).get(reverse("audit_special_new")).status_code == 403


def test_navigation_entries(client, programme_manager, user_a, auditor):
    for who in (programme_manager, user_a, auditor):
        assert reverse("audit_list") in login(client, who).get(reverse("audit_list")).content.decode()


def test_today_is_frozen_for_pages():
    from certflow.audits.views import planning as views

    assert views.today() == TODAY


def test_the_planning_pages_speak_english(proposed, client, programme_manager, user_a):
    client.cookies["django_language"] = "en"
    page = login(client, programme_manager).get(reverse("audit_plan", args=[proposed.pk])).content.decode()
    assert "Audit planning" in page and "Last day to send the notice" in page and "Save the team" in page
    page = login(client, user_a).get(reverse("audit_dates", args=[proposed.pk])).content.decode()
    assert "Confirm these days" in page


def test_a_refusal_is_in_english_for_an_english_reader(audit, client, programme_manager):
    client.cookies["django_language"] = "en"
    response = login(client, programme_manager).post(
        reverse("audit_propose_dates", args=[audit.pk]), {"day_1": "2026-02-16"}
    )
    assert "audit days cannot be in the past" in response.content.decode()
