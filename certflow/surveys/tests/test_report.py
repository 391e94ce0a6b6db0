"""The Chinese PDF report: builds, embeds its font, says the result exactly, keeps respondents out."""

import re
import shutil
import subprocess

import pytest

from certflow.surveys.aggregates import survey_results
from certflow.surveys.domain import Channel, SurveyStatus
from certflow.surveys.integrity import Flag
from certflow.surveys.report import survey_report_pdf
from certflow.surveys.tests.results_data import answer, make_survey, uniform

pytestmark = pytest.mark.django_db
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([shutil.which("pdftotext"), str(path), "-"], capture_output=True, check=True, text=True)
    return re.sub(r"\s+", "", out.stdout)


@pytest.fixture
def survey(enterprise_a, user_a, clerk):
    s = make_survey(enterprise=enterprise_a, user=user_a, staff=clerk)
    answer(s, [uniform(5)] * 6 + [uniform(3)] * 2, comment="王先生说很好", address="198.51.100.{n}")
    answer(s, [uniform(4)], channel=Channel.PHONE_CALLBACK, recorded_by=clerk)
    return s


def close(survey, answered, satisfied):
    survey.status = SurveyStatus.PASSED if satisfied * 5 >= answered * 4 else SurveyStatus.IMPROVEMENT_REQUIRED
    survey.result_answered, survey.result_satisfied = answered, satisfied
    survey.result_passed = satisfied * 5 >= answered * 4


def test_the_report_builds_with_only_the_embedded_font(survey):
    pdf = survey_report_pdf(survey_results(survey), flags=[])
    assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf
    base_fonts = set(re.findall(rb"/BaseFont /(\S+)", pdf))
    assert base_fonts and all(re.fullmatch(rb"[A-Z]{6}\+WenQuanYiMicroHei-\d+", name) for name in base_fonts)


@needs_poppler
def test_the_report_states_method_response_and_result(survey, tmp_path):
    text = text_of(survey_report_pdf(survey_results(survey), flags=[]), tmp_path)
    assert "用户满意度调查报告（暂定）" in text
    assert survey.application.reference in text and "甲定制家居有限公司" in text
    assert "test-seed" in text and "ab" * 32 in text[: text.index("二、回收情况")]
    assert "回收答卷9" in text and "问卷调查8" in text and "电话回访1" in text
    # 6 × 5 + 1 × 5 satisfied ratings of 9 × 5: 35 / 45 = 77.7… %, printed cut, and a fail.
    assert "35/45" in text and "77.7%" in text and "未达到达标线≥80%" in text
    assert "Wilson" in text and "仅供参考" in text
    assert "五、数据完整性提示" in text


@needs_poppler
def test_exactly_80_percent_reads_as_a_pass_in_the_report(survey, tmp_path):
    close(survey, 370, 296)
    text = text_of(survey_report_pdf(survey_results(survey), flags=None), tmp_path)
    assert "（暂定）" not in text and "296/370" in text and "80.0%" in text and "达到达标线≥80%，达标" in text


@needs_poppler
def test_the_enterprise_copy_has_no_flags_and_no_respondent(survey, tmp_path, clerk):
    close(survey, 45, 35)
    flag = Flag("same_address", "1 个网络地址各提交了 5 份或更多问卷（共 6 份）", "x", 6, ("198.51.100.1: 6",))
    results = survey_results(survey)
    cb = text_of(survey_report_pdf(results, flags=[flag]), tmp_path)
    enterprise = text_of(survey_report_pdf(results, flags=None), tmp_path)
    assert "1个网络地址" in cb and "数据完整性提示" not in enterprise
    for secret in ("198.51.100", "王先生", "客户", clerk.email):
        assert secret not in cb and secret not in enterprise, secret
    assert not re.search(r"139\d{8}", cb + enterprise)  # no customer's phone number


@needs_poppler
def test_few_answers_print_no_distribution(survey, tmp_path):
    text = text_of(survey_report_pdf(survey_results(survey), flags=None, detail=False), tmp_path)
    assert "不列出分布" in text and "非常不满意" not in text


def test_no_answers_builds_a_report_with_no_result(enterprise_a, user_a, clerk):
    empty = make_survey(enterprise=enterprise_a, user=user_a, staff=clerk)
    results = survey_results(empty)
    assert results.outcome.verdict == "no_result"
    assert survey_report_pdf(results, flags=[], detail=False).startswith(b"%PDF")
