"""The certificate PDF (font embedded, renders, QR scannable) and `certflow verify-certificate`."""

import shutil
import subprocess
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from certflow.certificates import signing
from certflow.certificates.pdf import certificate_pdf, embedded_signature, qr_for, verification_url

pytestmark = pytest.mark.django_db


def poppler(program: str, *args: str) -> str:
    """Run a poppler-utils tool (pdffonts, pdftoppm, pdftotext); the suite needs them installed."""
    path = shutil.which(program)
    assert path, f"{program} is missing: apt-get install poppler-utils"
    return subprocess.run([path, *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def pdf_path(certificate_a, tmp_path):
    path = tmp_path / "certificate.pdf"
    path.write_bytes(certificate_pdf(certificate_a))
    return path


def run(*args) -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("verify_certificate", *args, stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def test_the_pdf_embeds_its_only_font(pdf_path):
    fonts = poppler("pdffonts", str(pdf_path))
    rows = fonts.strip().splitlines()[2:]
    assert len(rows) == 1
    assert "WenQuanYiMicroHei" in rows[0] and " yes yes " in rows[0]


def test_the_pdf_renders_to_an_image(pdf_path, tmp_path):
    poppler("pdftoppm", "-png", "-r", "40", str(pdf_path), str(tmp_path / "page"))
    page = tmp_path / "page-1.png"
    assert page.exists() and page.stat().st_size > 10_000


def test_the_pdf_text_says_what_the_certificate_says(pdf_path, certificate_a):
    text = poppler("pdftotext", str(pdf_path), "-")
    for expected in (
        "定制商品服务认证证书",
        "欧利斯认证有限公司",
        certificate_a.number,
        certificate_a.enterprise_uscc,
        "四星",
        "2029 年 3 月 2 日",
    ):
        assert expected in text


def test_the_qr_code_carries_the_signed_url_and_stays_scannable(certificate_a):
    url = verification_url(certificate_a)
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == f"/verify/c/{certificate_a.number}/"
    assert query["p"] == [certificate_a.signed_payload] and query["s"] == [certificate_a.signature]
    qr = qr_for(certificate_a)
    # Version 25 is 117 modules: 0.3 mm each at the printed 40 mm, about what a phone camera still resolves.
    assert qr.version <= 25 and qr.error == "M"


def test_the_pdf_carries_the_payload_readably(pdf_path, certificate_a):
    assert embedded_signature(pdf_path.read_bytes()) == (certificate_a.signed_payload, certificate_a.signature)


def test_a_generated_pdf_is_authentic(pdf_path, certificate_a):
    ok, out = run(str(pdf_path))
    assert ok
    assert "AUTHENTIC" in out and "NOT AUTHENTIC" not in out
    assert certificate_a.enterprise_name in out and "有效期至 / valid until: 2029-03-02" in out
    assert "当前状态 / current status: 有效" in out


def test_a_pdf_with_one_changed_byte_in_its_signed_data_is_not_authentic(pdf_path, tmp_path):
    data = bytearray(pdf_path.read_bytes())
    start = data.index(b"certflow-certificate p=") + len(b"certflow-certificate p=")
    data[start + 30] = ord("A") if data[start + 30] != ord("A") else ord("B")
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    ok, out = run(str(tampered))
    assert not ok
    assert "NOT AUTHENTIC" in out


def test_a_pdf_with_a_changed_signature_byte_is_not_authentic(pdf_path, tmp_path):
    data = bytearray(pdf_path.read_bytes())
    start = data.index(b" s=", data.index(b"certflow-certificate p=")) + 3
    data[start + 5] = ord("A") if data[start + 5] != ord("A") else ord("B")
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    assert not run(str(tampered))[0]


def test_the_qr_url_and_a_bare_payload_verify(certificate_a):
    assert run(verification_url(certificate_a))[0]
    assert run(certificate_a.signed_payload, f"--signature={certificate_a.signature}")[0]


def test_the_check_needs_no_database_and_accepts_the_published_key(certificate_a, settings, tmp_path):
    key_file = tmp_path / "key.pem"
    key_file.write_text(signing.public_key_pem(signing.current_public_key()))
    # A verifier elsewhere has only the published public key, no signing key and no status lookup.
    settings.CERTFLOW_CERTIFICATE_SIGNING_KEY = signing.new_seed()
    assert not run(verification_url(certificate_a), "--offline")[0]
    ok, out = run(verification_url(certificate_a), "--offline", "--public-key", str(key_file))
    assert ok and "当前状态" not in out


def test_a_signature_from_another_key_is_not_authentic(certificate_a):
    forged = signing.sign(services_claims(certificate_a), Ed25519PrivateKey.generate())
    ok, out = run(forged.payload, f"--signature={forged.signature}")
    assert not ok and "未知的签名密钥" in out


def test_a_signature_beginning_with_a_dash_is_read_as_a_signature(certificate_a):
    # base64url signatures begin with "-" one time in 64; "--signature=VALUE" keeps argparse from
    # taking them for an option (this once made the bare-payload test flaky).
    dashed = "-" + certificate_a.signature[1:]
    ok, out = run(certificate_a.signed_payload, f"--signature={dashed}")
    assert not ok and "NOT AUTHENTIC" in out


def services_claims(certificate):
    from certflow.certificates.services import claims_of

    return claims_of(certificate)


def test_a_file_without_signature_data_and_missing_arguments_are_clear_errors(tmp_path):
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.4 nothing here")
    with pytest.raises(CommandError, match="no certflow certificate signature"):
        call_command("verify_certificate", str(other))
    with pytest.raises(CommandError, match="--signature"):
        call_command("verify_certificate", "eyJ2IjoxfQ")
    with pytest.raises(CommandError, match="p or s"):
        call_command("verify_certificate", "http://x/verify/c/N/?p=abc")


def test_a_revoked_certificate_pdf_is_still_authentic_but_says_revoked(certificate_a, programme_manager, tmp_path):
    from certflow.certificates import services

    services.certificate_revoke(by=programme_manager, certificate=certificate_a, reason="撤销")
    certificate_a.refresh_from_db()
    path = tmp_path / "revoked.pdf"
    path.write_bytes(certificate_pdf(certificate_a))
    text = poppler("pdftotext", "-raw", str(path), "-")
    assert "REVOKED" in text  # the diagonal watermark: a revoked copy cannot pass for a valid one
    ok, out = run(str(path))
    assert ok and "当前状态 / current status: 撤销" in out


def test_a_long_scope_and_address_shrink_the_body_instead_of_running_into_the_qr_code(certificate_a):
    from reportlab.pdfgen import canvas

    from certflow.certificates import pdf

    certificate_a.scope_text = "定制家具、定制服饰、定制电子配件；服务环节：" + "需求调研、方案设计、生产制造、" * 8
    certificate_a.enterprise_address = "广东省深圳市南山区" * 8
    sheet = canvas.Canvas(None)
    top = pdf.HEIGHT - 24 * pdf.mm - 72 * pdf.mm
    k = pdf._fit_scale(sheet, certificate_a, top)
    assert k < 1
    assert pdf._body(sheet, certificate_a, top, k=k, draw=False) >= pdf.BODY_FLOOR
    assert pdf._fit_scale(sheet, Certificate_with_short_text(certificate_a), top) == 1.0


def Certificate_with_short_text(certificate):  # noqa: N802 - reads as a description in the assert
    certificate.scope_text, certificate.enterprise_address = "定制家具", "深圳"
    return certificate
