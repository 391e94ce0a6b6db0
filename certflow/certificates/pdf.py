"""The certificate as an A4 PDF (portrait), Chinese with English, the font embedded (certflow.core.pdf).

The QR code carries the verification URL with the signed payload and signature; the same pair is
written into the document's Keywords entry as plain ASCII, so `certflow verify-certificate file.pdf`
reads it from the bytes without decoding the image.
"""

from __future__ import annotations

import io
import math
import re
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import segno
from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Paragraph

from certflow.certificates.domain import CertificateStatus
from certflow.certificates.models import Certificate
from certflow.core.pdf import DEFAULT_AUTHOR, FONT, register_fonts

KEYWORDS_PREFIX = "certflow-certificate"
EMBEDDED = re.compile(rb"certflow-certificate p=([A-Za-z0-9_-]+) s=([A-Za-z0-9_-]+)")

NAVY = colors.HexColor("#1d3557")
GOLD = colors.HexColor("#b08d3c")
SEAL_RED = colors.HexColor("#c8102e")
INK = colors.HexColor("#222222")
GREY = colors.HexColor("#555555")

WIDTH, HEIGHT = A4


def verification_url(certificate: Certificate) -> str:
    base = settings.CERTFLOW["SITE_URL"].rstrip("/")
    query = urlencode({"p": certificate.signed_payload, "s": certificate.signature})
    return f"{base}/verify/c/{certificate.number}/?{query}"


def qr_for(certificate: Certificate) -> segno.QRCode:
    # Level M survives a crease or a stain (15 %); the payload keeps the version near 20, which a phone
    # reads at the printed size of 40 mm (0.4 mm modules).
    return segno.make(verification_url(certificate), error="m", micro=False)


def cn_date(value) -> str:
    return f"{value.year} 年 {value.month} 月 {value.day} 日"


def _style(size: float, *, align=TA_CENTER, color=INK, leading=None) -> ParagraphStyle:
    return ParagraphStyle(
        f"cert{size}{align}",
        fontName=FONT,
        fontSize=size,
        leading=leading or size * 1.45,
        alignment=align,
        textColor=color,
        wordWrap="CJK",
    )


def _para(c, text: str, x: float, y_top: float, width: float, style: ParagraphStyle, draw: bool = True) -> float:
    """Draw escaped text wrapped to `width` with its top at `y_top` (or only measure it); return the y below it."""
    paragraph = Paragraph(escape(text).replace("\n", "<br/>"), style)
    _w, h = paragraph.wrap(width, HEIGHT)
    if draw:
        paragraph.drawOn(c, x, y_top - h)
    return y_top - h


def _border(c) -> None:
    c.setStrokeColor(NAVY)
    c.setLineWidth(2.2)
    c.rect(9 * mm, 9 * mm, WIDTH - 18 * mm, HEIGHT - 18 * mm)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    c.rect(12 * mm, 12 * mm, WIDTH - 24 * mm, HEIGHT - 24 * mm)
    c.setLineWidth(0.4)
    c.rect(13.5 * mm, 13.5 * mm, WIDTH - 27 * mm, HEIGHT - 27 * mm)
    # Corner ornaments: small gold diamonds where the inner frames meet.
    c.setFillColor(GOLD)
    for x, y in ((12, 12), (WIDTH / mm - 12, 12), (12, HEIGHT / mm - 12), (WIDTH / mm - 12, HEIGHT / mm - 12)):
        path = c.beginPath()
        path.moveTo(x * mm, (y + 3) * mm)
        path.lineTo((x + 3) * mm, y * mm)
        path.lineTo(x * mm, (y - 3) * mm)
        path.lineTo((x - 3) * mm, y * mm)
        path.close()
        c.drawPath(path, stroke=0, fill=1)


def _emblem(c, cx: float, cy: float) -> None:
    c.setStrokeColor(NAVY)
    c.setFillColor(NAVY)
    c.setLineWidth(1.4)
    c.circle(cx, cy, 9 * mm, stroke=1, fill=0)
    c.setLineWidth(0.5)
    c.circle(cx, cy, 7.8 * mm, stroke=1, fill=0)
    c.setFont(FONT, 10)
    c.drawCentredString(cx, cy - 3.5, "OLS")


def _seal(c, cx: float, cy: float, text: str) -> None:
    """The CB's round seal: its name along the upper arc, a star in the middle."""
    radius = 19 * mm
    c.saveState()
    c.setStrokeColor(SEAL_RED)
    c.setFillColor(SEAL_RED)
    c.setLineWidth(1.6)
    c.circle(cx, cy, radius, stroke=1, fill=0)
    size = 10.5
    c.setFont(FONT, size)
    span = math.radians(220)
    step = span / max(len(text) - 1, 1)
    start = math.radians(90) + span / 2
    for index, char in enumerate(text):
        angle = start - index * step
        x = cx + (radius - 5.2 * mm) * math.cos(angle)
        y = cy + (radius - 5.2 * mm) * math.sin(angle)
        c.saveState()
        c.translate(x, y)
        c.rotate(math.degrees(angle) - 90)
        c.drawCentredString(0, -size / 3, char)
        c.restoreState()
    path = c.beginPath()
    for k in range(10):
        r = (5.5 if k % 2 == 0 else 2.2) * mm
        a = math.radians(90 + k * 36)
        point = (cx + r * math.cos(a), cy + 1.5 * mm + r * math.sin(a))
        path.moveTo(*point) if k == 0 else path.lineTo(*point)
    path.close()
    c.drawPath(path, stroke=0, fill=1)
    c.setFont(FONT, 7.5)
    c.drawCentredString(cx, cy - 9 * mm, "认证专用章")
    c.restoreState()


def _qr(c, certificate: Certificate, x: float, y: float, size: float) -> None:
    qr = qr_for(certificate)
    matrix = qr.matrix
    count = len(matrix)
    quiet = 2
    module = size / (count + 2 * quiet)
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(colors.black)
    for row_index, row in enumerate(matrix):
        run_start = None
        for col_index, dark in enumerate(list(row) + [0]):
            if dark and run_start is None:
                run_start = col_index
            elif not dark and run_start is not None:
                # One rectangle per horizontal run keeps the file small and the edges clean.
                c.rect(
                    x + (quiet + run_start) * module,
                    y + size - (quiet + row_index + 1) * module,
                    (col_index - run_start) * module,
                    module,
                    stroke=0,
                    fill=1,
                )
                run_start = None


def _watermark(c, certificate: Certificate) -> None:
    if certificate.status == CertificateStatus.VALID:
        return
    label = f"{certificate.get_status_display()}  {certificate.status.upper()}"
    c.saveState()
    c.setFillColor(colors.Color(0.78, 0.06, 0.18, alpha=0.16))
    c.setFont(FONT, 64)
    c.translate(WIDTH / 2, HEIGHT / 2)
    c.rotate(35)
    c.drawCentredString(0, 0, label)
    c.restoreState()


LEFT = 26 * mm
LABEL_WIDTH = 40 * mm
# The body must end above the QR code and the signature block.
BODY_FLOOR = 74 * mm


def _field(
    c, y, label_zh, label_en, value, value_en="", *, k=1.0, draw=True, left=LEFT, width=None, label_width=LABEL_WIDTH
) -> float:
    """A labelled line: Chinese label with its English below, the value (and its English) to the right."""
    width = width or WIDTH - 2 * LEFT
    value_width = width - label_width
    _para(c, label_zh, left, y, label_width, _style(10.5 * k, align=TA_LEFT, color=NAVY, leading=14 * k), draw)
    _para(c, label_en, left, y - 14 * k, label_width, _style(7.5 * k, align=TA_LEFT, color=GREY, leading=10 * k), draw)
    value_style = _style(11.5 * k, align=TA_LEFT, leading=16 * k)
    bottom = _para(c, value, left + label_width, y, value_width, value_style, draw)
    if value_en:
        en_style = _style(8.5 * k, align=TA_LEFT, color=GREY, leading=11 * k)
        bottom = _para(c, value_en, left + label_width, bottom - 1, value_width, en_style, draw)
    return min(bottom, y - 26 * k) - 6 * k


STATEMENT = (
    "上述企业的定制商品服务符合认证依据的要求。证书有效期内，获证企业须接受认证机构每年至少一次的监督审核；"
    "证书的有效性以认证机构网站查询结果为准。"
)
STATEMENT_EN = (
    "The custom-goods service of the enterprise above conforms to the certification scheme. The certificate "
    "is subject to at least one surveillance audit a year; its current status is the one shown online."
)


def _body(c, certificate: Certificate, y: float, *, k: float, draw: bool) -> float:
    """Everything between the title block and the QR code, at scale `k`; returns where it ends."""
    y = _para(c, "兹证明 / This is to certify that", 20 * mm, y, WIDTH - 40 * mm, _style(10.5 * k, color=GREY), draw)
    name_style = _style(19 * k, color=NAVY, leading=25 * k)
    y = _para(c, certificate.enterprise_name, 22 * mm, y - 2 * mm * k, WIDTH - 44 * mm, name_style, draw) - 4 * mm * k
    y = _field(c, y, "统一社会信用代码", "Unified social credit code", certificate.enterprise_uscc, k=k, draw=draw)
    if certificate.enterprise_address:
        y = _field(c, y, "地址", "Address", certificate.enterprise_address, k=k, draw=draw)
    y = _field(
        c, y, "认证范围", "Scope of certification", certificate.scope_text, certificate.scope_text_en, k=k, draw=draw
    )
    scheme = f"{certificate.scheme_code}《定制商品服务认证规范》{certificate.scheme_version_label}"
    english = "Custom Goods Service Certification Specification"
    y = _field(c, y, "认证依据", "Certification scheme", scheme, english, k=k, draw=draw)
    grade_en = certificate.grade_name_en or certificate.grade_code
    y = _field(c, y, "资质等级", "Grade", certificate.grade_name, grade_en, k=k, draw=draw)
    half = (WIDTH - 2 * LEFT) / 2
    issued = _field(
        c,
        y,
        "颁证日期",
        "Date of issue",
        cn_date(certificate.issued_on),
        certificate.issued_on.isoformat(),
        k=k,
        draw=draw,
        width=half,
    )
    expires = _field(
        c,
        y,
        "有效期至",
        "Valid until",
        cn_date(certificate.expires_on),
        f"{certificate.expires_on.isoformat()} (last valid day)",
        k=k,
        draw=draw,
        left=LEFT + half + 8 * mm,
        width=half - 8 * mm,
        label_width=24 * mm,
    )
    y = min(issued, expires)
    y = _para(c, STATEMENT, LEFT, y, WIDTH - 2 * LEFT, _style(9 * k, align=TA_LEFT, leading=13 * k), draw)
    en_style = _style(7.5 * k, align=TA_LEFT, color=GREY, leading=10 * k)
    return _para(c, STATEMENT_EN, LEFT, y - 1, WIDTH - 2 * LEFT, en_style, draw)


def _fit_scale(c, certificate: Certificate, y: float) -> float:
    # A long address or scope shrinks the body a little rather than running into the QR code.
    for k in (1.0, 0.94, 0.88, 0.82, 0.76, 0.7):
        if _body(c, certificate, y, k=k, draw=False) >= BODY_FLOOR:
            return k
    return 0.7


def certificate_pdf(certificate: Certificate) -> bytes:
    register_fonts()
    out = io.BytesIO()
    c = pdf_canvas.Canvas(out, pagesize=A4, initialFontName=FONT, invariant=0, lang="zh-CN")
    c.setTitle(f"定制商品服务认证证书 {certificate.number}")
    c.setAuthor(DEFAULT_AUTHOR)
    c.setSubject(f"{certificate.enterprise_name} · {certificate.scheme_code} {certificate.scheme_version_label}")
    c.setCreator("certflow")
    c.setKeywords(f"{KEYWORDS_PREFIX} p={certificate.signed_payload} s={certificate.signature}")

    _border(c)
    _watermark(c, certificate)
    top = HEIGHT - 24 * mm
    _emblem(c, WIDTH / 2, top - 6 * mm)
    c.setFillColor(NAVY)
    c.setFont(FONT, 12.5)
    c.drawCentredString(WIDTH / 2, top - 22 * mm, "欧利斯认证有限公司")
    c.setFont(FONT, 8.5)
    c.setFillColor(GREY)
    c.drawCentredString(WIDTH / 2, top - 27 * mm, "Olis Certification Co., Ltd.")

    c.setFillColor(NAVY)
    c.setFont(FONT, 27)
    c.drawCentredString(WIDTH / 2, top - 43 * mm, "定制商品服务认证证书")
    c.setFont(FONT, 12.5)
    c.setFillColor(GOLD)
    c.drawCentredString(WIDTH / 2, top - 51 * mm, "Certificate of Custom-Goods Service Certification")
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    c.line(55 * mm, top - 55 * mm, WIDTH - 55 * mm, top - 55 * mm)

    c.setFillColor(INK)
    c.setFont(FONT, 11)
    c.drawCentredString(WIDTH / 2, top - 63 * mm, f"证书编号 Certificate No.：{certificate.number}")

    y = top - 72 * mm
    _body(c, certificate, y, k=_fit_scale(c, certificate, y), draw=True)

    qr_size = 40 * mm
    qr_x, qr_y = 26 * mm, 30 * mm
    _qr(c, certificate, qr_x, qr_y, qr_size)
    c.setFillColor(GREY)
    c.setFont(FONT, 8)
    c.drawCentredString(qr_x + qr_size / 2, qr_y - 4 * mm, "扫码验证真伪 / Scan to verify")

    seal_x, seal_y = WIDTH - 62 * mm, 44 * mm
    c.setFillColor(INK)
    c.setFont(FONT, 10.5)
    c.drawCentredString(seal_x, seal_y + 22 * mm, "欧利斯认证有限公司")
    c.setFont(FONT, 8)
    c.setFillColor(GREY)
    c.drawCentredString(seal_x, seal_y + 18 * mm, "Olis Certification Co., Ltd.")
    _seal(c, seal_x, seal_y - 4 * mm, "欧利斯认证有限公司")

    site = settings.CERTFLOW["SITE_URL"].rstrip("/")
    c.setFont(FONT, 7)
    c.setFillColor(GREY)
    c.drawCentredString(
        WIDTH / 2,
        17 * mm,
        f"证书查询 Verification：{site}/verify/  ·  签名密钥 Signing key：{certificate.signing_key_id}  ·  Ed25519",
    )
    c.showPage()
    c.save()
    return out.getvalue()


def embedded_signature(pdf_bytes: bytes) -> tuple[str, str] | None:
    """The (payload, signature) written into a certificate PDF, or None."""
    match = EMBEDDED.search(pdf_bytes)
    if match is None:
        return None
    return match.group(1).decode("ascii"), match.group(2).decode("ascii")
