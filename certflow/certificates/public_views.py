"""Public certificate verification (证书查询): no login, rate-limited, only what the certificate prints.

A miss says "not found" and nothing else: no hint whether a similar number, another enterprise's
certificate or a withdrawn record exists. Status is read from the database on every request (never
cached), so a suspension shows the moment it is committed.
"""

from functools import wraps

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from certflow.certificates import signing
from certflow.certificates.domain import STATUS_EN, CertificateStatus
from certflow.certificates.ratelimit import allow
from certflow.certificates.selectors import MIN_NAME_CHARS, public_certificate, public_search, public_status


def rate_limited(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        allowed, retry_after = allow(request)
        if not allowed:
            response = render(
                request, "certificates/public/rate_limited.html", {"retry_after": retry_after}, status=429
            )
            response["Retry-After"] = str(retry_after)
            return response
        return view(request, *args, **kwargs)

    return wrapper


def status_view(certificate, today) -> dict:
    status, since = public_status(certificate, today)
    return {"code": status, "label": CertificateStatus(status).label, "en": STATUS_EN[status], "since": since}


def _row(certificate, today) -> dict:
    return {"certificate": certificate, "status": status_view(certificate, today)}


@require_GET
@never_cache
@rate_limited
def verify_search(request):
    query = request.GET.get("q", "")
    search = public_search(query) if query.strip() else None
    today = timezone.localdate()
    rows = [_row(c, today) for c in search.results] if search else []
    return render(
        request,
        "certificates/public/search.html",
        {"query": query, "search": search, "rows": rows, "min_chars": MIN_NAME_CHARS},
    )


def signature_check(certificate, payload: str, signature: str) -> dict:
    """Check the QR code's payload and signature, and that they describe this very record."""
    result = signing.verify_encoded(payload, signature, signing.verification_keys(create=True))
    if not result.authentic:
        return {"ok": False, "zh": result.problem_zh, "en": result.problem_en}
    claims = result.claims
    stored = (
        certificate.number,
        certificate.enterprise_name,
        certificate.enterprise_uscc,
        certificate.issued_on,
        certificate.expires_on,
    )
    if (claims.number, claims.enterprise_name, claims.uscc, claims.issued_on, claims.expires_on) != stored:
        return {
            "ok": False,
            "zh": "签名有效，但与本证书记录不符",
            "en": "the signature is valid but does not match this certificate's record",
        }
    return {"ok": True}


@require_GET
@never_cache
@rate_limited
def verify_certificate(request, number: str):
    certificate = public_certificate(number)
    if certificate is None:
        return render(
            request, "certificates/public/not_found.html", {"number": number, "min_chars": MIN_NAME_CHARS}, status=404
        )
    payload, signature = request.GET.get("p", ""), request.GET.get("s", "")
    check = signature_check(certificate, payload, signature) if (payload or signature) else None
    superseded_by = getattr(certificate, "superseded_by", None)
    return render(
        request,
        "certificates/public/result.html",
        {
            "certificate": certificate,
            "status": status_view(certificate, timezone.localdate()),
            "check": check,
            "superseded_by": superseded_by,
            "min_chars": MIN_NAME_CHARS,
        },
    )


@require_GET
@rate_limited
def verify_key(request):
    """The public keys that verify certificate signatures, PEM, the current one first."""
    keys = signing.verification_keys(create=True)
    current = signing.key_id(signing.current_public_key())
    parts = []
    for kid, key in sorted(keys.items(), key=lambda item: item[0] != current):
        state = "current" if kid == current else "retired"
        parts.append(
            f"# key id {kid} ({state}) · 欧利斯认证 certificate signing key · Ed25519\n{signing.public_key_pem(key)}"
        )
    return HttpResponse("\n".join(parts), content_type="text/plain; charset=utf-8")
