"""The check flags each record missing a cell the platform requires, and only those."""

from datetime import date

import pytest
from django.apps import apps

from certflow.accounts.models import Enterprise
from certflow.audits.models import Audit
from certflow.certificates.domain import CertificateStatus as S
from certflow.core.testing.factories import EnterpriseFactory
from certflow.reporting.domain import ReportMonth
from certflow.reporting.report import monthly_report
from certflow.reporting.tests.factories import CertificateFactory, change_status, closed, planned

pytestmark = pytest.mark.django_db

OCTOBER = ReportMonth(2026, 10)
TODAY = date(2026, 11, 24)


def findings():
    return [(f.table, f.reference, f.field) for f in monthly_report(OCTOBER, today=TODAY).findings]


def test_complete_records_have_no_findings():
    planned(reference="SH-OK", first_day=date(2026, 10, 12))
    CertificateFactory(number="C-OK", issued_on=date(2026, 10, 15))
    closed(reference="SH-DONE", closed_on=date(2026, 10, 20))
    assert findings() == []


def test_an_enterprise_without_address_is_flagged_in_each_table_it_appears_in():
    enterprise = EnterpriseFactory(address="")
    planned(reference="SH-NOADDR", enterprise=enterprise, first_day=date(2026, 10, 12))
    CertificateFactory(number="C-NOADDR", enterprise=enterprise, issued_on=date(2026, 10, 15))
    assert findings() == [("audit_plan", "SH-NOADDR", "org_address"), ("certificate", "C-NOADDR", "org_address")]


def test_an_audit_without_a_lead_is_flagged_in_the_plan_and_the_result():
    planned(reference="SH-NOLEAD", lead=False, first_day=date(2026, 10, 12))
    closed(reference="SH-NOLEAD-CLOSED", lead=False, closed_on=date(2026, 10, 1), first_day=date(2026, 9, 30))
    assert findings() == [
        ("audit_plan", "SH-NOLEAD", "lead"),
        ("audit_plan", "SH-NOLEAD", "lead_number"),
        ("audit_result", "SH-NOLEAD-CLOSED", "lead"),
    ]


def test_a_member_without_a_registration_number_is_flagged_but_a_lead_alone_is_fine():
    planned(reference="SH-UNREG", members=2, member_numbers=False, first_day=date(2026, 10, 12))
    planned(reference="SH-ALONE", members=0, first_day=date(2026, 10, 13))
    assert findings() == [("audit_plan", "SH-UNREG", "member_numbers")]


def test_a_suspension_without_a_reason_is_flagged_a_restoration_without_one_is_not():
    suspended = CertificateFactory(number="C-SUSP", issued_on=date(2025, 5, 6))
    change_status(suspended, S.SUSPENDED, date(2026, 10, 8), "")
    restored = CertificateFactory(number="C-REST", issued_on=date(2025, 5, 6))
    change_status(restored, S.SUSPENDED, date(2026, 9, 8), "整改未完成")
    change_status(restored, S.VALID, date(2026, 10, 9), "")
    assert findings() == [("certificate", "C-SUSP", "status_reason")]


def test_an_audit_without_dates_or_scope_is_flagged():
    audit = planned(reference="SH-NOSCOPE", first_day=date(2026, 10, 12))
    audit.application.categories = []
    audit.application.save(update_fields=["categories"])
    type(audit).objects.filter(pk=audit.pk).update(days=[])
    assert ("audit_plan", "SH-NOSCOPE", "scope") in findings()
    assert ("audit_plan", "SH-NOSCOPE", "person_days") in findings()


def test_a_special_audit_without_application_takes_no_scope_and_says_so():
    planned(reference="SH-SPECIAL", audit_type="special", application=None, first_day=date(2026, 10, 12))
    assert findings() == [("audit_plan", "SH-SPECIAL", "scope")]


def test_the_finding_message_names_table_record_and_field_in_both_languages():
    planned(reference="SH-NOADDR", enterprise=EnterpriseFactory(address=""), first_day=date(2026, 10, 12))
    (finding,) = monthly_report(OCTOBER, today=TODAY).findings
    assert finding.zh == "审核计划信息表：SH-NOADDR 缺少必填项“组织地址”"
    assert finding.en == "Audit plan information: SH-NOADDR lacks the required field 'Organisation address'"
    assert finding.record_kind == "audit"
    assert Enterprise.objects.count() == 1


def test_the_certification_decision_and_its_certificate_fill_the_result_row(programme_manager):
    Decision = apps.get_model("decisions", "Decision")
    audit = closed(reference="SH-DECIDED", closed_on=date(2026, 10, 20), passed_on=date(2026, 10, 22))
    certificate = CertificateFactory(number="C-GRANTED", enterprise=audit.enterprise, issued_on=date(2026, 10, 30))
    Decision.objects.create(
        application=audit.application,
        enterprise=audit.enterprise,
        status="granted",
        opened_by=programme_manager,
        decided_on=date(2026, 10, 30),
        certificate=certificate,
    )
    report = monthly_report(OCTOBER, today=TODAY)
    (row,) = next(t for t in report.tables if t.table.code == "audit_result").rows
    assert row.values["decision"] == "批准认证"
    assert row.values["decided_on"] == date(2026, 10, 30)
    assert row.values["certificate_number"] == "C-GRANTED"


@pytest.mark.skipif(
    not any(f.name == "certificate" for f in Audit._meta.get_fields()), reason="Audit.certificate not added yet"
)
def test_a_surveillance_audit_takes_its_scope_and_number_from_its_certificate():
    certificate = CertificateFactory(number="C-SURV", issued_on=date(2025, 10, 15))
    closed(
        reference="SH-SURV",
        audit_type="surveillance",
        application=None,
        enterprise=certificate.enterprise,
        certificate=certificate,
        closed_on=date(2026, 10, 20),
    )
    report = monthly_report(OCTOBER, today=TODAY)
    plan = next(t for t in report.tables if t.table.code == "audit_plan").rows[0]
    result = next(t for t in report.tables if t.table.code == "audit_result").rows[0]
    assert plan.values["scope"] == certificate.scope_text
    assert plan.values["audit_type"] == "监督审核"
    assert result.values["certificate_number"] == "C-SURV"
    assert report.findings == []
