"""The monthly report page (counts, check, download) for CB staff spanning every enterprise."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from certflow.core.rules import RuleViolation
from certflow.reporting import services
from certflow.reporting.domain import default_month
from certflow.reporting.permissions import check_report
from certflow.reporting.workbook import XLSX_TYPE

FINDINGS_PER_PAGE = 50
RECORD_URLS = {"audit": "audit_detail", "certificate": "certificate_detail"}


def today():
    return timezone.localdate()


def _message(exc: RuleViolation) -> str:
    return exc.zh if (get_language() or "zh").startswith("zh") else exc.en


def record_url(kind: str, pk: int) -> str:
    name = RECORD_URLS.get(kind)
    if not name:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def monthly_view(request):
    check_report(request.user)
    now = today()
    text = request.GET.get("month", "").strip()[:20] or default_month(now).label
    try:
        month = services.month_or_refuse(text, now)
    except RuleViolation as exc:
        return render(
            request,
            "reporting/monthly.html",
            {"month_text": text, "error": _message(exc), "default_month": default_month(now).label},
            status=400,
        )
    report = services.report_check(month=month, today=now)
    page = Paginator(report.findings, FINDINGS_PER_PAGE).get_page(request.GET.get("page"))
    findings = [{"finding": f, "url": record_url(f.record_kind, f.record_id)} for f in page.object_list]
    return render(
        request,
        "reporting/monthly.html",
        {
            "month_text": month.label,
            "month": month,
            "report": report,
            "page": page,
            "findings": findings,
            "previous": month.previous_month.label,
            "next": month.next_month.label if month.next_month.first_day <= now else "",
            "overdue": now > month.deadline,
            "lang_zh": (get_language() or "zh").startswith("zh"),
        },
    )


@login_required
@require_GET
def monthly_xlsx_view(request, month: str):
    check_report(request.user)
    try:
        parsed = services.month_or_refuse(month, today())
    except RuleViolation as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    generated = services.report_generate(by=request.user, month=parsed, today=today(), channel="page")
    response = HttpResponse(generated.data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{generated.filename}"'
    response["X-Content-SHA256"] = generated.sha256
    response["Cache-Control"] = "private, no-store"
    return response
