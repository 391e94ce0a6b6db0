"""The refusal notice (不予认证通知书) and the printable dossier: Chinese, font embedded, every reason on it."""

import shutil
import subprocess

import pytest

from certflow.decisions import services
from certflow.decisions.domain import Vote
from certflow.decisions.pdf import dossier_pdf, refusal_notice_pdf
from certflow.decisions.tests.helpers import DECISION_DAY

REASONS = [
    ["用户满意度 70.0%（第 1 轮），未达到 80%", "customer satisfaction 70.0% (round 1) is below 80%"],
    ["技术委员会意见：售后记录缺失 <b>&", "committee opinion: after-sales records missing <b>&"],
]


def poppler(program: str, *args: str) -> str:
    path = shutil.which(program)
    assert path, f"{program} is missing: apt-get install poppler-utils"
    return subprocess.run([path, *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def notice(opened, programme_manager, tmp_path):
    data = refusal_notice_pdf(opened, reasons=REASONS, decided_on=DECISION_DAY, signer=programme_manager)
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    return path


def test_the_notice_embeds_its_only_font(notice):
    rows = poppler("pdffonts", str(notice)).strip().splitlines()[2:]
    assert rows, "no font at all"
    for row in rows:
        assert row.split()[-5] == "yes", row  # the "emb" column


def test_the_notice_names_the_enterprise_the_reasons_and_the_way_to_appeal(notice, opened, settings):
    text = poppler("pdftotext", "-layout", str(notice), "-")
    application = opened.application
    assert "不予认证通知书" in text
    assert application.reference in text
    assert opened.enterprise.name in text and opened.enterprise.uscc in text
    assert f"{DECISION_DAY.year}年{DECISION_DAY.month}月{DECISION_DAY.day}日" in text
    assert "售后记录缺失 <b>&" in text  # user text printed as itself, not as markup
    assert "after-sales records missing" in text
    assert "1" in text and "未达到 80%" in text
    assert "重新提出认证申请" in text
    assert "/lifecycle/appeals/new/" in text
    assert f"{settings.CERTFLOW_CASE_ACKNOWLEDGE_WORKING_DAYS} 个工作日内受理" in text
    scheme = application.scheme_version.as_scheme()
    assert scheme.code in text and scheme.issuer.zh in text


def test_the_notice_renders_to_an_image(notice, tmp_path):
    poppler("pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(notice), str(tmp_path / "page"))
    assert list(tmp_path.glob("page*.png"))


def test_a_refusal_keeps_the_notice_it_sent(seated, members, programme_manager):
    for user in members:
        services.opinion_record(
            by=user, decision=seated, vote=Vote.REFUSE, reasoning="证据不足", impartial=True, today=DECISION_DAY
        )
    decision = services.decision_conclude(by=programme_manager, decision=seated, today=DECISION_DAY)
    from django.core.files.storage import default_storage

    with default_storage.open(decision.notice_storage_name, "rb") as handle:
        data = handle.read()
    import hashlib

    assert hashlib.sha256(data).hexdigest() == decision.notice_sha256


def test_the_dossier_pdf_lists_what_the_committee_reads(seated, tmp_path):
    path = tmp_path / "dossier.pdf"
    path.write_bytes(dossier_pdf(seated))
    text = poppler("pdftotext", "-layout", str(path), "-")
    assert "认证决定材料" in text
    assert seated.application.reference in text
    assert "用户满意度" in text and "90.0%" in text
    assert "委员1" in text
