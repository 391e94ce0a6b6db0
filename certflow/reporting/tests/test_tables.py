"""Each table takes the records of its month, and not those of the neighbouring months."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from certflow.certificates.domain import CertificateStatus as S
from certflow.core.testing.factories import EnterpriseFactory
from certflow.reporting.domain import ReportMonth
from certflow.reporting.report import monthly_report
from certflow.reporting.tests.factories import (
    AuditFactory,
    CertificateFactory,
    change_status,
    closed,
    planned,
)

pytestmark = pytest.mark.django_db

OCTOBER = ReportMonth(2026, 10)
NOVEMBER = ReportMonth(2026, 11)
TODAY = date(2026, 11, 24)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def table(month, code):
    report = monthly_report(month, today=TODAY)
    return next(t for t in report.tables if t.table.code == code)


def references(month, code):
    return [row.reference for row in table(month, code).rows]


def test_audit_plans_are_the_audits_starting_in_the_month():
    planned(reference="SH-0930", first_day=date(2026, 9, 30))
    planned(reference="SH-1001", first_day=date(2026, 10, 1))
    planned(reference="SH-1031", first_day=date(2026, 10, 31))
    planned(reference="SH-1101", first_day=date(2026, 11, 1))
    planned(reference="SH-CANCELLED", first_day=date(2026, 10, 20), cancelled_at=timezone.now())
    AuditFactory(reference="SH-NODATES", first_day=None, last_day=None, days=[], notice_sent_on=None)
    assert references(OCTOBER, "audit_plan") == ["SH-1001", "SH-1031"]
    assert references(NOVEMBER, "audit_plan") == ["SH-1101"]


def test_an_audit_plan_row_says_who_audits_where_and_for_how_long():
    audit = planned(reference="sh-2026 0012", first_day=date(2026, 10, 12), members=2)
    row = table(OCTOBER, "audit_plan").rows[0]
    values = row.values
    lead = audit.team.get(role="lead_auditor").user
    assert values["plan_number"] == "SH-20260012"  # the platform wants codes upper-case, without spaces
    assert values["org_name"] == audit.enterprise.name
    assert values["uscc"] == audit.enterprise.uscc
    assert values["audit_type"] == "初次认证审核"
    assert values["audit_method"] == "FS01"
    assert (values["start"], values["end"]) == (date(2026, 10, 12), date(2026, 10, 13))
    assert values["person_days"] == 2 * 3  # two days, three auditors
    assert values["lead"] == lead.full_name
    assert values["lead_number"] == lead.auditor_profile.qualification_number
    assert len(values["member_numbers"].split("；")) == 2
    assert values["scope"].startswith("定制家具")
    assert "生产车间" in values["sites"]
    assert values["scheme"] == f"{audit.scheme_version.code} {audit.scheme_version.version}"
    assert row.missing == ()


def test_certificates_issued_in_the_month_and_not_the_next():
    CertificateFactory(number="C-0930", issued_on=date(2026, 9, 30))
    CertificateFactory(number="C-1001", issued_on=date(2026, 10, 1))
    CertificateFactory(number="C-1031", issued_on=date(2026, 10, 31))
    CertificateFactory(number="C-1101", issued_on=date(2026, 11, 1))
    assert references(OCTOBER, "certificate") == ["C-1001", "C-1031"]
    assert references(NOVEMBER, "certificate") == ["C-1101"]


def test_a_status_change_in_the_month_brings_an_older_certificate_with_its_status_at_month_end():
    old = CertificateFactory(number="C-OLD", issued_on=date(2025, 3, 2))
    change_status(old, S.SUSPENDED, date(2026, 10, 31), "未按期接受监督审核")
    change_status(old, S.VALID, date(2026, 11, 1), "")
    untouched = CertificateFactory(number="C-UNTOUCHED", issued_on=date(2025, 3, 2))
    change_status(untouched, S.SUSPENDED, date(2026, 9, 30), "整改未完成")

    october = table(OCTOBER, "certificate").rows
    assert [r.reference for r in october] == ["C-OLD"]
    assert october[0].values["status"] == "暂停"
    assert october[0].values["status_date"] == date(2026, 10, 31)
    assert october[0].values["status_reason"] == "未按期接受监督审核"

    november = table(NOVEMBER, "certificate").rows
    assert [r.reference for r in november] == ["C-OLD"]
    assert november[0].values["status"] == "有效"
    assert november[0].values["status_date"] == date(2026, 11, 1)


def test_a_certificate_issued_and_valid_has_no_status_change_to_report():
    CertificateFactory(number="C-NEW", issued_on=date(2026, 10, 15))
    row = table(OCTOBER, "certificate").rows[0]
    assert row.values["status"] == "有效"
    assert row.values["status_date"] is None
    assert row.missing == ()


def _at(day, hour, minute):
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def test_audit_results_follow_the_closing_meeting_in_beijing_time():
    late = closed(reference="SH-LATE", closed_on=date(2026, 10, 31))
    early = closed(reference="SH-EARLY", closed_on=date(2026, 11, 1))
    # 23:30 on the 31st in Beijing is still October; 00:30 on the 1st is November, though UTC says October.
    type(late).objects.filter(pk=late.pk).update(closed_at=_at(date(2026, 10, 31), 23, 30))
    type(early).objects.filter(pk=early.pk).update(closed_at=_at(date(2026, 11, 1), 0, 30))
    closed(reference="SH-SEPT", closed_on=date(2026, 9, 30))
    assert references(OCTOBER, "audit_result") == ["SH-LATE"]
    assert references(NOVEMBER, "audit_result") == ["SH-EARLY"]


def test_an_audit_closed_before_but_passed_in_the_month_is_reported_with_its_counts():
    closed(reference="SH-PASSED", closed_on=date(2026, 9, 28), passed_on=date(2026, 10, 9), majors=1, minors=2)
    rows = table(OCTOBER, "audit_result").rows
    assert [r.reference for r in rows] == ["SH-PASSED"]
    values = rows[0].values
    assert (values["major"], values["minor"]) == (1, 2)
    assert values["closing_date"] == date(2026, 9, 28)
    assert values["passed_on"] == date(2026, 10, 9)
    assert values["conclusion"]
    assert rows[0].missing == ()


def test_an_audit_result_without_nonconformities_counts_zero_and_is_complete():
    closed(reference="SH-CLEAN", closed_on=date(2026, 10, 20))
    row = table(OCTOBER, "audit_result").rows[0]
    assert (row.values["major"], row.values["minor"]) == (0, 0)
    assert row.missing == ()


def test_a_month_without_records_gives_empty_tables():
    EnterpriseFactory()
    report = monthly_report(ReportMonth(2020, 1), today=TODAY)
    assert report.counts() == {"audit_plan": 0, "certificate": 0, "audit_result": 0}
    assert report.findings == []
    assert report.complete
