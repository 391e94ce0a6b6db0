"""Chinese PDFs: the font is embedded, long Chinese text wraps in tables, every page says 第 N 页 / 共 M 页."""

import re
import shutil
import subprocess

import pytest
from reportlab.lib.units import mm

from certflow.core import pdf
from certflow.core.pdf import CONTENT_WIDTH, build_pdf, para, table

LONG = (
    "企业应建立定制商品设计管理制度，明确需求调研、方案设计、生产制造、质量检测、配送安装及售后服务等环节的职责与流程。"
)


def report(rows: int = 40, **kwargs) -> bytes:
    data = [["条款", "要求", "结论"]] + [[f"4.3.{i}", LONG + " <b>&amp;", "符合"] for i in range(rows)]
    story = [
        para("文件审核报告", "title"),
        para("一、基本信息", "heading"),
        para("受审核企业：甲定制家居有限公司\n统一社会信用代码：91440300000000011X"),
        para("依据 CTS OLS/GZ-0056-2025《定制商品服务认证规范》", "small"),
        table(data, [25 * mm, CONTENT_WIDTH - 50 * mm, 25 * mm]),
    ]
    options = {
        "title": "文件审核报告",
        "subject": "CTS OLS/GZ-0056-2025",
        "header_text": "欧利斯认证有限公司 · 文件审核报告",
    }
    return build_pdf(story, **{**options, "footer_text": "报告编号 DR-0001", **kwargs})


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", data))


def test_the_font_is_embedded_as_a_truetype_subset():
    data = report()
    assert data.startswith(b"%PDF-")
    assert b"/FontFile2" in data
    assert re.search(rb"/BaseFont /[A-Z]{6}\+WenQuanYiMicroHei", data)


def test_no_font_is_left_unembedded():
    # Only the CJK subset: no standard font (Helvetica) a viewer would have to substitute.
    data = report()
    base_fonts = set(re.findall(rb"/BaseFont /(\S+)", data))
    assert base_fonts and all(re.fullmatch(rb"[A-Z]{6}\+WenQuanYiMicroHei-\d+", name) for name in base_fonts)


def test_the_font_comes_from_the_installed_package():
    assert pdf.font_path().endswith("fonts/wqy-microhei.ttc")
    pdf.register_fonts()
    pdf.register_fonts()  # once per process; a second call changes nothing


def info_entry(data: bytes, key: bytes) -> str:
    """A document-information string: a PDF literal (escapes undone), UTF-16BE after its byte-order mark."""
    raw = re.search(rb"/" + key + rb" \(((?:\\.|[^\\)])*)\)", data, re.S).group(1)
    unescaped = re.sub(
        rb"\\([0-7]{1,3}|.)",
        lambda m: bytes([int(m.group(1), 8)]) if m.group(1)[:1].isdigit() else m.group(1),
        raw,
    )
    return unescaped[2:].decode("utf-16-be") if unescaped.startswith(b"\xfe\xff") else unescaped.decode("latin-1")


def test_metadata_is_set_in_chinese():
    data = report(invariant=True)
    assert info_entry(data, b"Title") == "文件审核报告"
    assert info_entry(data, b"Author") == "欧利斯认证有限公司"
    assert info_entry(data, b"Subject") == "CTS OLS/GZ-0056-2025"


def test_a_long_table_runs_over_several_pages():
    assert page_count(report(rows=3)) == 1
    assert page_count(report(rows=40)) > 1


def test_every_page_is_numbered_with_the_total(monkeypatch):
    drawn = []
    real = pdf.page_label

    def recording(number, total):
        drawn.append(real(number, total))
        return drawn[-1]

    monkeypatch.setattr(pdf, "page_label", recording)
    data = report(rows=40)
    total = page_count(data)
    assert drawn == [f"第 {n} 页 / 共 {total} 页" for n in range(1, total + 1)]


def test_invariant_output_is_reproducible():
    assert report(invariant=True) == report(invariant=True)


def test_user_text_is_printed_not_interpreted_as_markup():
    # "<b>" and "&" come from user data: escaped, they must not raise or turn into formatting.
    paragraph = para("A & B <script>")
    assert "&amp;" in paragraph.text and "&lt;script&gt;" in paragraph.text


def test_table_cells_wrap_cjk_text():
    cells = table([["标题"], [LONG * 3]], [40 * mm])
    cell = cells._cellvalues[1][0]
    assert cell.style.wordWrap == "CJK"
    width, height = cell.wrap(40 * mm, 1000)
    assert height > 3 * cell.style.leading  # many lines in a narrow column, none overflowing


@pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdffonts")), reason="poppler-utils not installed")
def test_the_text_extracts_as_chinese(tmp_path):  # pragma: no cover - needs poppler-utils
    path = tmp_path / "report.pdf"
    path.write_bytes(report(rows=40))
    text = subprocess.run(
        [shutil.which("pdftotext"), str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    compact = re.sub(r"\s+", "", text)
    assert "文件审核报告" in compact and "甲定制家居有限公司" in compact
    assert "第1页/共" in compact
    fonts = subprocess.run([shutil.which("pdffonts"), str(path)], capture_output=True, check=True, text=True).stdout
    assert "yes yes" in fonts and "Helvetica" not in fonts
