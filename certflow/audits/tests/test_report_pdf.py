# ruff: noqa: F811 — the shared fixtures are imported by name and then requested as arguments
"""The on-site audit report PDF: Chinese, font embedded, and saying what the audit found."""

import re
import shutil
import subprocess

import pytest

from certflow.audits.report_pdf import audit_report_pdf
from certflow.audits.selectors import conduct_detail
from certflow.audits.tests.test_conduct_fixtures import (  # noqa: F401
    closed,
    member,
    record,
    record_everything,
    started,
    with_ncs,
)


def pdf_text(pdf: bytes) -> str:
    program = shutil.which("pdftotext")
    if program is None:
        pytest.skip("pdftotext is not installed")
    return subprocess.run([program, "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_the_report_names_everything_the_issue_asks_for(closed):
    audit, minor, major = closed
    pdf = audit_report_pdf(conduct_detail(audit.pk))
    assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf
    text = re.sub(r"\s+", "", pdf_text(pdf))
    enterprise = audit.enterprise
    for expected in (
        "现场审核报告",
        enterprise.name,
        enterprise.uscc,
        audit.reference,
        "初次认证审核",
        "CTSOLS/GZ-0056-2025",
        "2026-03-16",
        "一号车间",
        "lead@cb.example" if not audit.team.get(role="lead_auditor").user.full_name else "审核组长",
        "4.3.2-3",
        "现场审核得分",
        minor.number,
        major.number,
        "2026年4月16日",
        "2026年5月18日",
        "王总",
        "本人账户确认",
        "体系基本有效",
    ):
        assert expected in text, expected
    assert "草稿" not in text


def test_the_score_in_the_report_follows_the_weights(started, member):
    record_everything(started, member, {"4.3-1": "minor", "4.5-2": "not_applicable"})
    text = re.sub(r"\s+", "", pdf_text(audit_report_pdf(conduct_detail(started.pk))))
    # 30 applicable items: weights 93 − 2 (N/A) = 91, minus 2 for the minor on 4.3-1 (weight 4) → 89/91.
    assert f"现场审核得分：{100 * 89 / 91:.1f}/100" in text
    assert "草稿" in text


def test_the_report_stays_chinese_for_an_english_reader(closed):
    from django.utils import translation

    with translation.override("en"):
        text = re.sub(r"\s+", "", pdf_text(audit_report_pdf(conduct_detail(closed[0].pk))))
    assert "初次认证审核" in text and "一般不符合项" in text
