"""The shell of the site: who reaches which page, the event log, the calendar check, /healthz, languages."""

import json
from datetime import date
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certflow.core.events.models import Event
from certflow.core.events.services import record_event
from certflow.core.events.tests.conftest import tamperable  # noqa: F401 — fixture
from certflow.core.testing.factories import EnterpriseFactory, StaffFactory

pytestmark = pytest.mark.django_db

STAFF_FIXTURES = ["clerk", "auditor", "lead_auditor", "committee_member", "programme_manager", "cb_admin"]
NON_ADMIN_STAFF = ["clerk", "auditor", "lead_auditor", "committee_member", "programme_manager"]


@pytest.fixture(autouse=True)
def fresh_calendar():
    # The working-day calendar is cached per process; a cache filled by another test's rolled-back rows must not leak.
    from certflow.core.workdays.selectors import clear_calendar_cache

    clear_calendar_cache()
    yield
    clear_calendar_cache()


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def make_events(n: int) -> None:
    for i in range(n):
        record_event(actor=None, action="test.happened", target_type="test", target_id=i, reason=f"第{i}次")


# --- home ---------------------------------------------------------------------------------------


def test_home_sends_anonymous_visitor_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("login")


def test_home_sends_staff_to_dashboard(login, clerk):
    assert login(clerk).get("/").url == reverse("dashboard")


def test_home_sends_enterprise_user_to_enterprise_home(login, user_a):
    assert login(user_a).get("/").url == reverse("enterprise_home")


# --- dashboard ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", STAFF_FIXTURES)
def test_every_staff_role_reaches_the_dashboard(request, login, who):
    response = login(request.getfixturevalue(who)).get(reverse("dashboard"))
    assert response.status_code == 200
    assert "工作台" in response.content.decode()


def test_dashboard_refuses_anonymous_with_redirect_to_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_dashboard_refuses_enterprise_user_with_403(login, user_a):
    response = login(user_a).get(reverse("dashboard"))
    assert response.status_code == 403
    assert "仅供认证机构人员使用" in response.content.decode()


def test_dashboard_counts_and_lists_latest_enterprises(login, clerk, enterprise_a, enterprise_b):
    body = login(clerk).get(reverse("dashboard")).content.decode()
    assert enterprise_a.name in body
    assert enterprise_b.name in body
    assert 'class="stat-num">2<' in body


def test_dashboard_counts_certificates_expiring_soon_and_suspended(login, settings, programme_manager, enterprise_a):
    from datetime import timedelta

    from django.utils import timezone

    from certflow.certificates import services as certificates
    from certflow.certificates import signing
    from certflow.certificates.models import Certificate
    from certflow.core.schemes.services import scheme_version_for

    settings.CERTFLOW_CERTIFICATE_SIGNING_KEY = signing.new_seed()
    today = timezone.localdate()
    scope = {"categories": ["custom_furniture"], "services": ["manufacturing"]}

    def issue(issued_on):
        return certificates.certificate_issue(
            by=programme_manager,
            enterprise=enterprise_a,
            scheme_version=scheme_version_for(),
            grade_code="four_star",
            scope=scope,
            issued_on=issued_on,
            today=issued_on,
        )

    expiring = issue(today)
    Certificate.objects.filter(pk=expiring.pk).update(expires_on=today + timedelta(days=30))
    suspended = issue(today)
    certificates.certificate_suspend(by=programme_manager, certificate=suspended, reason="严重不符合", today=today)
    body = login(programme_manager).get(reverse("dashboard")).content.decode()
    assert "将在后续阶段上线" not in body
    assert 'warn-num">1<' in body  # expiring within 90 days
    assert 'bad-num">1<' in body  # suspended


def test_dashboard_hides_certificate_counts_from_auditors(login, auditor):
    body = login(auditor).get(reverse("dashboard")).content.decode()
    assert "现场审核" in body and "90 天内到期" not in body


def test_dashboard_shows_latest_events_to_administrators_only(login, client, cb_admin, clerk):
    record_event(actor=cb_admin, action="enterprise.registered", target_type="accounts.enterprise", target_id=1)
    assert "enterprise.registered" in login(cb_admin).get(reverse("dashboard")).content.decode()
    client.logout()
    assert "enterprise.registered" not in login(clerk).get(reverse("dashboard")).content.decode()


def test_dashboard_shows_calendar_warning_when_a_year_is_missing(login, cb_admin):
    warning = "2027 年的法定节假日安排尚未录入 / the 2027 schedule is not entered yet"
    with mock.patch("certflow.core.workdays.services.calendar_warning", return_value=warning) as called:
        body = login(cb_admin).get(reverse("dashboard")).content.decode()
    assert "2027 年的法定节假日安排尚未录入" in body
    assert "the 2027 schedule" not in body
    assert reverse("workday_calendar") in body
    # "today" is the Beijing date, handed to the rule rather than read inside it.
    assert isinstance(called.call_args.args[0], date)


def test_calendar_warning_follows_the_chosen_language(login, cb_admin):
    client = login(cb_admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    warning = "2027 年的法定节假日安排尚未录入 / the 2027 schedule is not entered yet"
    with mock.patch("certflow.core.workdays.services.calendar_warning", return_value=warning):
        body = client.get(reverse("dashboard")).content.decode()
    assert "the 2027 schedule is not entered yet" in body
    assert "尚未录入" not in body


def test_dashboard_has_no_calendar_banner_when_years_are_covered(login, clerk):
    with mock.patch("certflow.core.workdays.services.calendar_warning", return_value=None):
        body = login(clerk).get(reverse("dashboard")).content.decode()
    assert "工作日历提醒" not in body


def test_dashboard_query_count_does_not_grow_with_data(login, cb_admin, django_assert_num_queries):
    client = login(cb_admin)
    EnterpriseFactory.create_batch(3)
    make_events(3)
    client.get(reverse("dashboard"))  # warm the per-process calendar cache
    few = count_queries(client, reverse("dashboard"))
    EnterpriseFactory.create_batch(27)
    make_events(27)
    StaffFactory.create_batch(5)
    with django_assert_num_queries(few):
        response = client.get(reverse("dashboard"))
    assert response.content.decode().count('href="/accounts/enterprises/') >= 10


# --- event log ----------------------------------------------------------------------------------


def test_event_log_is_for_administrators(login, cb_admin):
    make_events(2)
    response = login(cb_admin).get(reverse("event_list"))
    assert response.status_code == 200
    assert "test.happened" in response.content.decode()


@pytest.mark.parametrize("who", [*NON_ADMIN_STAFF, "user_a"])
def test_event_log_refuses_everyone_else_with_403(request, login, who):
    make_events(1)
    response = login(request.getfixturevalue(who)).get(reverse("event_list"))
    assert response.status_code == 403
    assert "test.happened" not in response.content.decode()


def test_event_log_refuses_anonymous_with_redirect(client):
    response = client.get(reverse("event_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_event_log_shows_newest_first_50_per_page(login, cb_admin):
    make_events(60)
    client = login(cb_admin)
    first = client.get(reverse("event_list")).context["page"]
    assert [e.seq for e in first.object_list][:2] == [60, 59]
    assert len(first.object_list) == 50
    second = client.get(reverse("event_list"), {"page": 2}).context["page"]
    assert [e.seq for e in second.object_list] == list(range(10, 0, -1))


def test_event_log_query_count_does_not_grow_with_data(login, cb_admin, django_assert_num_queries):
    client = login(cb_admin)
    make_events(3)
    client.get(reverse("event_list"))
    few = count_queries(client, reverse("event_list"))
    make_events(27)
    with django_assert_num_queries(few):
        client.get(reverse("event_list"))


def test_event_log_does_not_walk_the_chain_on_page_view(login, cb_admin):
    with mock.patch("certflow.core.events.services.verify_chain") as verify:
        login(cb_admin).get(reverse("event_list"))
    verify.assert_not_called()


def test_verify_button_reports_an_intact_chain_as_htmx_fragment(login, cb_admin):
    make_events(3)
    response = login(cb_admin).get(reverse("event_verify"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "事件链完整" in body
    assert "3" in body
    assert "<html" not in body


def test_verify_without_htmx_renders_a_whole_page(login, cb_admin):
    make_events(1)
    body = login(cb_admin).get(reverse("event_verify")).content.decode()
    assert "<html" in body
    assert "事件链完整" in body


@pytest.mark.usefixtures("tamperable")
def test_verify_names_the_first_tampered_entry(login, cb_admin):
    make_events(3)
    Event.objects.filter(seq=2).update(reason="改过了")
    body = login(cb_admin).get(reverse("event_verify"), headers={"HX-Request": "true"}).content.decode()
    assert "事件链已损坏" in body
    assert "#2" in body


@pytest.mark.parametrize("who", ["clerk", "user_a"])
def test_verify_is_refused_to_non_administrators(request, login, who):
    response = login(request.getfixturevalue(who)).get(reverse("event_verify"))
    assert response.status_code == 403


# --- working-day calendar -----------------------------------------------------------------------


def test_calendar_page_shows_current_and_next_year(login, cb_admin):
    with mock.patch("certflow.core.views._today", return_value=date(2026, 11, 24)):
        response = login(cb_admin).get(reverse("workday_calendar"))
    assert response.status_code == 200
    years = response.context["years"]
    assert [status.year for status, _ in years] == [2026, 2027]
    assert reverse("admin:index") in response.content.decode()


def test_calendar_page_flags_a_year_nobody_entered(login, cb_admin):
    with mock.patch("certflow.core.views._today", return_value=date(2098, 3, 1)):
        body = login(cb_admin).get(reverse("workday_calendar")).content.decode()
    assert "2098" in body
    assert "2099" in body
    assert "尚未录入" in body
    assert 'class="status missing"' in body


def test_calendar_page_shows_a_year_an_administrator_declared(login, cb_admin):
    from certflow.core.workdays.models import CalendarYear

    CalendarYear.objects.create(year=2098, declared_complete=True, source="国办发明电〔2097〕1号")
    with mock.patch("certflow.core.views._today", return_value=date(2098, 3, 1)):
        body = login(cb_admin).get(reverse("workday_calendar")).content.decode()
    assert "国办发明电〔2097〕1号" in body
    assert 'class="status declared"' in body


@pytest.mark.parametrize("who", [*NON_ADMIN_STAFF, "user_a"])
def test_calendar_page_refuses_non_administrators(request, login, who):
    assert login(request.getfixturevalue(who)).get(reverse("workday_calendar")).status_code == 403


def test_calendar_page_refuses_anonymous_with_redirect(client):
    assert client.get(reverse("workday_calendar")).status_code == 302


# --- healthz and failure pages ------------------------------------------------------------------


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_fails(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["database"] == "unavailable"
    assert "数据库暂时不可用" in body["detail"]
    assert "connection refused" not in body["detail"]


def test_a_page_whose_database_fails_gets_the_bilingual_503_page(login, clerk):
    client = login(clerk)
    with mock.patch("certflow.core.views.enterprises_for_user", side_effect=OperationalError("gone")):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 503
    body = response.content.decode()
    assert "服务暂时不可用" in body
    assert "Service temporarily unavailable" in body


def test_500_and_503_pages_render_without_a_request():
    for name in ("500.html", "503.html", "403_csrf.html"):
        body = render_to_string(name)
        assert "欧利斯认证" in body
        assert "<html" in body


def test_unknown_address_gets_the_404_page(login, clerk):
    response = login(clerk).get("/no-such-page/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()


# --- language -----------------------------------------------------------------------------------


def test_pages_are_chinese_by_default(client):
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in body
    assert "电子邮箱" in body
    assert "登录" in body


def test_switching_to_english_changes_visible_text(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in body
    assert "E-mail" in body
    assert "Sign in" in body
    assert "电子邮箱" not in body


def test_english_switch_translates_the_navigation_and_dashboard(login, cb_admin):
    client = login(cb_admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("dashboard")).content.decode()
    assert "Dashboard" in body
    assert "Event log" in body
    assert "Olis Certification" in body


def test_header_shows_name_logout_form_and_language_switch(login, clerk):
    body = login(clerk).get(reverse("dashboard")).content.decode()
    assert clerk.full_name in body
    assert f'action="{reverse("logout")}"' in body
    assert 'name="language" value="en"' in body
    assert "htmx" in body
