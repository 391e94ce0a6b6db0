"""The workbook opens with the platform's sheets and headers; the command writes it and says what it found."""

import hashlib
import io
from datetime import date, datetime

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from certflow.core.events.models import Event
from certflow.core.testing.factories import EnterpriseFactory
from certflow.reporting import columns, services
from certflow.reporting.domain import ReportMonth
from certflow.reporting.report import monthly_report
from certflow.reporting.tests.factories import CertificateFactory, closed, planned
from certflow.reporting.workbook import CHECK_SHEET, csv_bytes, workbook_bytes

pytestmark = pytest.mark.django_db

OCTOBER = ReportMonth(2026, 10)
TODAY = date(2026, 11, 24)


@pytest.fixture
def october_records():
    planned(reference="SH-PLAN", first_day=date(2026, 10, 12))
    planned(reference="SH-NOADDR", enterprise=EnterpriseFactory(address=""), first_day=date(2026, 10, 13))
    CertificateFactory(number="C-1", issued_on=date(2026, 10, 15))
    closed(reference="SH-CLOSED", closed_on=date(2026, 10, 20), majors=1)


def test_the_workbook_has_one_sheet_per_table_with_the_chinese_headers_first(october_records):
    book = load_workbook(io.BytesIO(workbook_bytes(monthly_report(OCTOBER, today=TODAY))))
    assert book.sheetnames == ["审核计划信息表", "证书信息表", "审核结果信息表", CHECK_SHEET]
    for table in columns.TABLES:
        sheet = book[table.zh]
        header = [c.value for c in sheet[1]]
        assert header == table.headers_zh
        assert [c.comment.text.split("\n")[0] for c in sheet[1]] == table.headers_en
        assert sheet.freeze_panes == "A2"
    plan = book["审核计划信息表"]
    assert plan.max_row == 1 + 3  # SH-PLAN, SH-NOADDR and SH-CLOSED (it began on the 19th)
    start_column = columns.AUDIT_PLAN.headers_zh.index("审核开始日期") + 1
    assert isinstance(plan.cell(row=2, column=start_column).value, datetime)  # a real Excel date
    assert plan.cell(row=2, column=start_column).number_format == "yyyy-mm-dd"
    result = book["审核结果信息表"]
    major_column = columns.AUDIT_RESULT.headers_zh.index("严重不符合项数") + 1
    assert result.cell(row=2, column=major_column).value == 1
    check = [[c.value for c in row] for row in book[CHECK_SHEET].iter_rows(min_row=2)]
    assert check == [
        [
            "审核计划信息表",
            "SH-NOADDR",
            "组织地址",
            "审核计划信息表：SH-NOADDR 缺少必填项“组织地址”",
            "Audit plan information: SH-NOADDR lacks the required field 'Organisation address'",
        ]
    ]


def test_formula_like_text_is_quoted(october_records):
    planned(reference="SH-FORMULA", enterprise=EnterpriseFactory(name="=HYPERLINK(1)"), first_day=date(2026, 10, 14))
    book = load_workbook(io.BytesIO(workbook_bytes(monthly_report(OCTOBER, today=TODAY))))
    names = [row[1].value for row in book["审核计划信息表"].iter_rows(min_row=2)]
    assert "'=HYPERLINK(1)" in names


def test_an_empty_month_still_gives_the_three_sheets_with_headers():
    book = load_workbook(io.BytesIO(workbook_bytes(monthly_report(ReportMonth(2021, 1), today=TODAY))))
    assert [book[t.zh].max_row for t in columns.TABLES] == [1, 1, 1]


def test_csv_has_the_bom_and_the_headers(october_records):
    report = monthly_report(OCTOBER, today=TODAY)
    text = csv_bytes(report.tables[1]).decode("utf-8")
    assert text.startswith("\ufeff证书编号,组织名称")
    assert "C-1" in text and "2026-10-15" in text


def test_generating_records_an_event_with_the_files_sha256(programme_manager, october_records):
    generated = services.report_generate(by=programme_manager, month=OCTOBER, today=TODAY, channel="test")
    event = Event.objects.get(action=services.EVENT_ACTION)
    assert event.target_id == "2026-10"
    assert event.actor_id == programme_manager.pk
    assert event.after["sha256"] == hashlib.sha256(generated.data).hexdigest() == generated.sha256
    assert event.after["rows"] == {"audit_plan": 3, "certificate": 1, "audit_result": 1}
    assert event.after["findings"] == 1


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("report", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_the_command_writes_the_workbook_and_prints_a_bilingual_summary(tmp_path, october_records):
    target = tmp_path / "out" / "2026-10.xlsx"
    output = run("monthly", "2026-10", "--output", str(target), "--csv", str(tmp_path / "csv"))
    assert "报送截止 / due 2026-11-10" in output
    assert "审核计划信息表 / Audit plan information: 3 行 / rows" in output
    assert "1 处缺少必填项 / 1 required fields missing" in output
    assert "SH-NOADDR 缺少必填项“组织地址”" in output
    data = target.read_bytes()
    assert load_workbook(io.BytesIO(data)).sheetnames[0] == "审核计划信息表"
    assert Event.objects.get(action=services.EVENT_ACTION).after["sha256"] == hashlib.sha256(data).hexdigest()
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "2026-10-audit_plan.csv",
        "2026-10-audit_result.csv",
        "2026-10-certificate.csv",
    ]


def test_check_only_writes_nothing_and_strict_fails_on_findings(tmp_path, monkeypatch, october_records):
    monkeypatch.chdir(tmp_path)
    output = run("monthly", "2026-10", "--check-only")
    assert "1 处缺少必填项" in output
    assert list(tmp_path.iterdir()) == []
    assert not Event.objects.filter(action=services.EVENT_ACTION).exists()
    with pytest.raises(SystemExit) as exited:
        run("monthly", "2026-10", "--check-only", "--strict")
    assert exited.value.code == 1


def test_strict_passes_when_nothing_is_missing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    planned(reference="SH-OK", first_day=date(2026, 10, 12))
    output = run("monthly", "2026-10", "--strict")
    assert "检查通过" in output
    assert (tmp_path / "certflow-monthly-2026-10.xlsx").exists()


@pytest.mark.parametrize("month", ["2026-13", "10-2026", "2999-01"])
def test_the_command_refuses_a_bad_month_with_exit_code_2(month):
    with pytest.raises(CommandError) as caught:
        run("monthly", month, "--check-only")
    assert caught.value.returncode == 2
    assert " / " in str(caught.value)


def test_the_command_records_the_person_given(tmp_path, programme_manager, auditor):
    run("monthly", "2026-10", "--output", str(tmp_path / "x.xlsx"), "--by", programme_manager.email)
    assert Event.objects.get(action=services.EVENT_ACTION).actor_id == programme_manager.pk
    with pytest.raises(CommandError):
        run("monthly", "2026-10", "--output", str(tmp_path / "y.xlsx"), "--by", auditor.email)
