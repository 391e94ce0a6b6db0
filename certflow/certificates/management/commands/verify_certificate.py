"""`certflow verify-certificate PDF|URL|PAYLOAD [--signature S] [--public-key FILE]`.

Checks the Ed25519 signature offline (no database needed) and prints what the certificate claims, in
Chinese and English; exit status 0 when authentic, 1 when not. With a database it also reports the
certificate's current status.
"""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from certflow.certificates import signing
from certflow.certificates.pdf import embedded_signature


def _read_target(target: str, signature: str | None) -> tuple[str, str]:
    """(payload, signature) from a PDF file, a verification URL, or a payload given with --signature."""
    try:
        is_file = Path(target).is_file()
    except OSError:  # a long payload is not a file name
        is_file = False
    path = Path(target)
    if is_file:
        found = embedded_signature(path.read_bytes())
        if found is None:
            raise CommandError(
                f"{target}：文件中没有 certflow 证书签名数据 / no certflow certificate signature found in the file"
            )
        return found
    if "://" in target or target.startswith("/verify/"):
        query = parse_qs(urlsplit(target).query)
        payload, sig = query.get("p", [""])[0], query.get("s", [""])[0]
        if not payload or not sig:
            raise CommandError("链接中缺少 p 或 s 参数 / the URL lacks its p or s parameter")
        return payload, sig
    if not signature:
        raise CommandError(
            "请给出证书 PDF、二维码中的链接，或签名数据加 --signature / "
            "give a certificate PDF, the URL from the QR code, or a payload with --signature"
        )
    return target, signature


def _current_status(number: str) -> tuple[str, str] | None:
    from certflow.certificates.models import Certificate
    from certflow.certificates.selectors import public_status

    try:
        certificate = Certificate.objects.filter(number=number).first()
    except DatabaseError:
        return None
    if certificate is None:
        return ("本系统中无此编号的证书", "no certificate with this number in this system")
    status, since = public_status(certificate, timezone.localdate())
    from certflow.certificates.domain import STATUS_EN, CertificateStatus

    return (
        f"{CertificateStatus(status).label}（自 {since:%Y-%m-%d}）",
        f"{STATUS_EN[status]} (since {since:%Y-%m-%d})",
    )


class Command(BaseCommand):
    help = "Verify a certificate's digital signature (PDF, QR URL or payload). 验证证书数字签名。"

    def add_arguments(self, parser):
        parser.add_argument("target", help="certificate PDF, verification URL from the QR code, or payload")
        parser.add_argument(
            "--signature",
            help="signature (base64url) when TARGET is a payload; write --signature=VALUE "
            "(a signature may begin with '-')",
        )
        parser.add_argument(
            "--public-key",
            action="append",
            default=[],
            help="a published public key (PEM file from /verify/key/, or base64url); may be repeated",
        )
        parser.add_argument("--offline", action="store_true", help="do not look up the current status")

    def handle(self, *args, **options):
        payload, sig = _read_target(options["target"], options.get("signature"))
        extra = []
        for item in options["public_key"]:
            text = Path(item).read_text() if Path(item).is_file() else item
            try:
                extra.append(signing.load_public_key(text))
            except ValueError as exc:
                raise CommandError(f"--public-key: {exc}") from None
        result = signing.verify_encoded(payload, sig, signing.verification_keys(extra=extra))
        out = self.stdout
        if result.authentic:
            out.write(self.style.SUCCESS("AUTHENTIC · 真实有效的签名 / the signature is authentic"))
        else:
            out.write(self.style.ERROR("NOT AUTHENTIC · 签名验证失败 / the signature does not verify"))
            out.write(f"  {result.problem_zh} / {result.problem_en}")
        claims = result.claims
        if claims is not None:
            heading = (
                "证书声称 / the certificate claims:"
                if result.authentic
                else "数据声称（不可信）/ the data claims (untrusted):"
            )
            out.write(heading)
            for zh, en, value in (
                ("证书编号", "number", claims.number),
                ("企业名称", "enterprise", claims.enterprise_name),
                ("统一社会信用代码", "USCC", claims.uscc),
                ("认证范围", "scope", claims.scope),
                ("资质等级", "grade", claims.grade),
                ("认证依据", "scheme", claims.scheme),
                ("颁证日期", "issued", claims.issued_on.isoformat()),
                ("有效期至", "valid until", claims.expires_on.isoformat()),
                ("签名密钥", "key id", claims.key_id),
            ):
                out.write(f"  {zh} / {en}: {value}")
            if result.authentic and not options["offline"]:
                status = _current_status(claims.number)
                if status is not None:
                    out.write(f"  当前状态 / current status: {status[0]} / {status[1]}")
        if not result.authentic:
            raise CommandError("NOT AUTHENTIC · 证书签名无效 / the certificate's signature is not valid")
