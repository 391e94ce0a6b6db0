"""The page and the API: who may reach them, what they show, and a constant number of queries."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from certflow.core.events.models import Event
from certflow.core.testing.factories import EnterpriseFactory
from certflow.reporting import services
from certflow.reporting.domain import ReportMonth
from certflow.reporting.tests.factories import CertificateFactory, change_status, closed, planned

pytestmark = pytest.mark.django_db

SEE_ALL = ["clerk", "committee_member", "programme_manager", "cb_admin"]
PAGE = reverse("report_monthly")
XLSX = reverse("report_monthly_xlsx", args=["2026-10"])
API = "/api/v1/reports/monthly/2026-10/"
API_XLSX = "/api/v1/reports/monthly/2026-10/xlsx"


@pytest.fixture
def october():
    planned(reference="SH-NOADDR", enterprise=EnterpriseFactory(address=""), first_day=date(2026, 10, 12))
    certificate = CertificateFactory(number="C-1", issued_on=date(2026, 10, 15))
    closed(reference="SH-CLOSED", closed_on=date(2026, 10, 20), first_day=date(2026, 9, 29))
    return certificate


@pytest.mark.parametrize("who", SEE_ALL)
def test_staff_spanning_every_enterprise_reach_every_door(as_user, who, frozen_today, october):
    client = as_user(who)
    for url in (PAGE + "?month=2026-10", XLSX, API, API_XLSX):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who, page_status, api_status", [("user_a", 404, 404), ("auditor", 403, 403)])
def test_enterprise_users_and_auditors_are_turned_away(as_user, who, page_status, api_status, frozen_today, october):
    client = as_user(who)
    assert client.get(PAGE).status_code == page_status
    assert client.get(XLSX).status_code == page_status
    assert client.get(API).status_code == api_status
    assert client.get(API_XLSX).status_code == api_status
    assert not Event.objects.filter(action=services.EVENT_ACTION).exists()


def test_anonymous_visitors_are_sent_to_log_in(as_user):
    client = as_user("anonymous")
    assert client.get(PAGE).status_code == 302
    assert client.get(XLSX).status_code == 302
    assert client.get(API).status_code in (401, 403)
    assert client.get(API_XLSX).status_code in (401, 403)


def test_the_page_defaults_to_last_month_and_shows_counts_and_findings(as_user, frozen_today, october):
    response = as_user("programme_manager").get(PAGE)
    assert response.status_code == 200
    assert response.context["month"] == ReportMonth(2026, 10)
    html = response.content.decode()
    assert "审核计划信息表" in html
    assert "2026-11-10" in html  # the deadline
    assert "组织地址" in html
    audit_pk = response.context["findings"][0]["finding"].record_id
    assert reverse("audit_detail", args=[audit_pk]) in html
    assert reverse("report_monthly_xlsx", args=["2026-10"]) in html
    counts = {t.table.code: t.count for t in response.context["report"].tables}
    assert counts == {"audit_plan": 1, "certificate": 1, "audit_result": 1}


def test_the_page_in_english(as_user, frozen_today, october):
    client = as_user("programme_manager")
    response = client.get(PAGE + "?month=2026-10", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "Audit plan information" in html
    assert "Organisation address" in html
    assert "Monthly report to the regulator" in html
    assert "月度监管报送" not in html


@pytest.mark.parametrize("month", ["2026-13", "10-2026", "2027-01"])
def test_a_bad_month_is_explained_not_a_500(as_user, frozen_today, month):
    client = as_user("programme_manager")
    response = client.get(PAGE + f"?month={month}")
    assert response.status_code == 400
    assert "2026-10" in response.content.decode()  # the way back
    assert client.get(reverse("report_monthly_xlsx", args=[month])).status_code == 400
    api = client.get(f"/api/v1/reports/monthly/{month}/")
    assert api.status_code == 400
    assert api.json()["code"] in ("month_format", "month_range", "month_future")
    assert client.get(f"/api/v1/reports/monthly/{month}/xlsx").status_code == 400


def test_an_empty_month_is_empty_tables_not_an_error(as_user, frozen_today):
    client = as_user("cb_admin")
    assert client.get(PAGE + "?month=2021-03").status_code == 200
    body = client.get("/api/v1/reports/monthly/2021-03/").json()
    assert [t["rows"] for t in body["tables"]] == [0, 0, 0]
    assert body["findings"] == []


def test_the_api_summary_lists_findings_with_links(as_user, october):
    body = as_user("programme_manager").get(API).json()
    assert body["month"] == "2026-10"
    assert body["deadline"] == "2026-11-10"
    assert body["complete"] is True
    assert {t["code"]: t["rows"] for t in body["tables"]} == {"audit_plan": 1, "certificate": 1, "audit_result": 1}
    assert body["findings_count"] == 1
    (finding,) = body["findings"]
    assert finding["field"] == "org_address"
    assert finding["record_url"] == reverse("audit_detail", args=[finding["record_id"]])
    assert finding["zh"].endswith("缺少必填项“组织地址”")


def test_each_download_is_a_workbook_whose_hash_is_on_record(as_user, frozen_today, october):
    client = as_user("programme_manager")
    for url, channel in ((XLSX, "page"), (API_XLSX, "api")):
        response = client.get(url)
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert 'filename="certflow-monthly-2026-10.xlsx"' in response["Content-Disposition"]
        data = b"".join(response) if response.streaming else response.content
        assert load_workbook(io.BytesIO(data)).sheetnames[:3] == ["审核计划信息表", "证书信息表", "审核结果信息表"]
        event = Event.objects.filter(action=services.EVENT_ACTION).order_by("-seq").first()
        assert event.after["sha256"] == response["X-Content-SHA256"]
        assert event.after["channel"] == channel


def _records(n):
    for i in range(n):
        enterprise = EnterpriseFactory(address="" if i % 2 else "深圳")
        planned(enterprise=enterprise, first_day=date(2026, 10, 5 + i), members=2)
        certificate = CertificateFactory(enterprise=enterprise, issued_on=date(2025, 10, 5 + i))
        change_status(certificate, "suspended", date(2026, 10, 6 + i), "")
        CertificateFactory(enterprise=enterprise, issued_on=date(2026, 10, 5 + i))
        closed(enterprise=enterprise, closed_on=date(2026, 10, 10 + i), first_day=date(2026, 9, 1 + i), majors=1)


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [PAGE + "?month=2026-10", XLSX, API, API_XLSX])
def test_a_constant_number_of_queries_whatever_the_number_of_records(as_user, frozen_today, url):
    client = as_user("programme_manager")
    _records(2)
    _queries(client, url)  # warm the per-process caches (scheme files, session)
    small = _queries(client, url)
    _records(5)
    large = _queries(client, url)
    assert small == large
