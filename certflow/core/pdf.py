"""Chinese PDFs with the font embedded: styles, tables, and A4 pages with header, footer and "第 N 页 / 共 M 页".

The font is WenQuanYi Micro Hei (TrueType outlines), shipped by the package `paperang_p2_fonts_cjk`
and embedded as a subset, so every document opens the same on a computer without Chinese fonts and
prints as it looks. Later stages build the document-review report, audit notice, audit report,
certificate and refusal notice with these pieces:

    story = [para("文件审核报告", "title"), para("受审核企业：…"), table(rows, [40 * mm, CONTENT_WIDTH - 40 * mm])]
    pdf_bytes = build_pdf(story, title="文件审核报告", subject="…", header_text="…", footer_text="…")
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from importlib import resources
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

FONT = "CJK"
# reportlab cannot embolden a TrueType face; "bold" (<b> in a paragraph) maps to the same face, and
# headings stand out by size instead.
FONT_BOLD = "CJK-Bold"
DEFAULT_AUTHOR = "欧利斯认证有限公司"

PAGE_SIZE = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 25 * mm
MARGIN_BOTTOM = 22 * mm
CONTENT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN_X

_registered = False


def font_path() -> str:
    """Path of the WenQuanYi Micro Hei collection inside the installed package."""
    return str(resources.files("paperang_p2_fonts_cjk").joinpath("fonts", "wqy-microhei.ttc"))


def register_fonts() -> None:
    """Register the CJK font with reportlab, once per process."""
    global _registered
    if _registered:
        return
    path = font_path()
    pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, path, subfontIndex=0))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    _registered = True


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    # wordWrap="CJK" lets a line break between any two Chinese characters (there are no spaces).
    body = ParagraphStyle(
        "body", fontName=FONT, bulletFontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK", spaceAfter=4
    )
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontName=FONT_BOLD, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=12
        ),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=FONT_BOLD, fontSize=14, leading=20, spaceBefore=10, spaceAfter=6
        ),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=12, textColor=colors.HexColor("#444444")),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=13.5, spaceAfter=0),
        "cell_header": ParagraphStyle("cell_header", parent=body, fontName=FONT_BOLD, fontSize=9.5, leading=13.5),
    }


_STYLE_CACHE: dict[str, ParagraphStyle] = {}


def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles in the CJK font: title, heading, body, small, cell, cell_header."""
    if not _STYLE_CACHE:
        _STYLE_CACHE.update(_styles())
    return _STYLE_CACHE


def para(text: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text (escaped: "<" and "&" from user data print as themselves; newlines kept)."""
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), styles()[style])


def table(
    rows: Sequence[Sequence[str | Flowable]],
    col_widths: Sequence[float],
    header: bool = True,
) -> Table:
    """A bordered table whose cells wrap long Chinese text; the header row repeats on every page.

    Cells given as strings become escaped paragraphs; flowables are used as they are. `col_widths`
    are in points (use `mm`); together they should not exceed CONTENT_WIDTH.
    """
    style = styles()

    def cell(value, row_index):
        if isinstance(value, Flowable):
            return value
        name = "cell_header" if header and row_index == 0 else "cell"
        return Paragraph(escape("" if value is None else str(value)).replace("\n", "<br/>"), style[name])

    data = [[cell(value, i) for value in row] for i, row in enumerate(rows)]
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # the cell's own font, else reportlab refers to Helvetica
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header and data:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")))
    return Table(data, colWidths=list(col_widths), repeatRows=1 if header else 0, style=TableStyle(commands))


def page_label(number: int, total: int) -> str:
    return f"第 {number} 页 / 共 {total} 页"


def _numbered_canvas(header_text: str, footer_text: str):
    """A canvas class that holds every page until the end, so each can say how many pages there are."""

    class NumberedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            # Start in the CJK font, so no page refers to a standard font that is not embedded.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or FONT
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                self.draw_page_frame(self._pageNumber, total)
                super().showPage()
            super().save()

        def draw_page_frame(self, number: int, total: int) -> None:
            width, height = PAGE_SIZE
            self.saveState()
            self.setStrokeColor(colors.HexColor("#999999"))
            self.setLineWidth(0.5)
            self.setFillColor(colors.HexColor("#444444"))
            self.setFont(FONT, 8.5)
            if header_text:
                self.drawString(MARGIN_X, height - 15 * mm, header_text)
                self.line(MARGIN_X, height - 17 * mm, width - MARGIN_X, height - 17 * mm)
            self.line(MARGIN_X, 15 * mm, width - MARGIN_X, 15 * mm)
            if footer_text:
                self.drawString(MARGIN_X, 10 * mm, footer_text)
            self.drawRightString(width - MARGIN_X, 10 * mm, page_label(number, total))
            self.restoreState()

    return NumberedCanvas


def build_pdf(
    story: list[Flowable],
    *,
    title: str,
    subject: str,
    author: str = DEFAULT_AUTHOR,
    header_text: str = "",
    footer_text: str = "",
    invariant: bool = False,
) -> bytes:
    """Lay `story` out on A4 pages with header, footer and page numbers; return the PDF's bytes.

    `invariant=True` leaves out the creation time and random document id, so the same story gives the
    same bytes (useful for tests and for documents whose SHA-256 is recorded).
    """
    register_fonts()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        subject=subject,
        author=author,
        creator="certflow",
        producer="certflow (ReportLab)",
        lang="zh-CN",
        invariant=1 if invariant else 0,
        initialFontName=FONT,
    )
    document.build(list(story), canvasmaker=_numbered_canvas(header_text, footer_text))
    return out.getvalue()
