"""Certificate pages: the list (staff: all; enterprise: 我的证书), detail with history, status actions,
the PDF and the export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certflow.certificates import services
from certflow.certificates.domain import CertificateAction, CertificateStatus, allowed_actions
from certflow.certificates.export import export_response
from certflow.certificates.forms import ScopeReductionForm, StatusChangeForm
from certflow.certificates.pdf import certificate_pdf
from certflow.certificates.permissions import check_export, get_certificate_for_user, may_change_status, may_export
from certflow.certificates.public_views import status_view
from certflow.certificates.selectors import certificate_export, certificate_history, certificate_list
from certflow.core.rules import RuleViolation
from certflow.core.schemes.registry import get_scheme

PER_PAGE = 25
STAFF_ACTIONS = {
    CertificateAction.SUSPEND: services.certificate_suspend,
    CertificateAction.RESTORE: services.certificate_restore,
    CertificateAction.REVOKE: services.certificate_revoke,
}


def _message(exc: RuleViolation) -> str:
    return exc.zh if (get_language() or "zh").startswith("zh") else exc.en


@login_required
@require_GET
def certificate_list_view(request):
    status = request.GET.get("status", "")
    status = status if status in CertificateStatus.values else ""
    grades = [(g.code, g.name.zh) for g in get_scheme().grading.grades]
    grade = request.GET.get("grade", "")
    grade = grade if grade in {code for code, _name in grades} else ""
    search = request.GET.get("q", "").strip()[:100]
    certificates = certificate_list(request.user, status=status, grade=grade, search=search)
    page = Paginator(certificates, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [{"certificate": c, "status": status_view(c, today)} for c in page.object_list]
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "certificates/certificate_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "grade": grade,
            "search": search,
            "statuses": CertificateStatus.choices,
            "grades": grades,
            "filter_query": filters.urlencode(),
            "can_export": may_export(request.user),
        },
    )


def _reduction_form(certificate, data=None):
    if (
        certificate.status != CertificateStatus.VALID
        or not certificate.scope_categories
        or not certificate.scheme_version
    ):
        return None
    return ScopeReductionForm(data, certificate=certificate, scheme=certificate.scheme_version.as_scheme())


def _lifecycle_context(request, certificate) -> dict:
    """The change reports and major events of this certificate, and who may report one (lifecycle app)."""
    from certflow.lifecycle.domain import REPORTABLE_STATUSES
    from certflow.lifecycle.permissions import may_report_on
    from certflow.lifecycle.selectors import certificate_reports

    reports, events = certificate_reports(certificate)
    return {
        "change_reports": reports,
        "major_events": events,
        "may_report": certificate.status in REPORTABLE_STATUSES and may_report_on(request.user, certificate),
    }


def _detail_context(request, certificate, forms=None) -> dict:
    can_change = may_change_status(request.user)
    actions = [a for a in allowed_actions(certificate.status) if a in STAFF_ACTIONS] if can_change else []
    forms = forms or {}
    return {
        **_lifecycle_context(request, certificate),
        "reduction_form": (forms.get("reduce") or _reduction_form(certificate)) if can_change else None,
        "certificate": certificate,
        "status": status_view(certificate, timezone.localdate()),
        "history": certificate_history(certificate),
        "actions": [
            {
                "code": a,
                "label": CertificateAction(a).label,
                "form": forms.get(a) or StatusChangeForm(action=a, prefix=a),
            }
            for a in actions
        ],
        "superseded_by": getattr(certificate, "superseded_by", None),
    }


@login_required
@require_GET
def certificate_detail_view(request, pk: int):
    certificate = get_certificate_for_user(request.user, pk)
    return render(request, "certificates/certificate_detail.html", _detail_context(request, certificate))


@login_required
@require_POST
def certificate_action_view(request, pk: int, action: str):
    if action not in STAFF_ACTIONS:
        raise Http404
    certificate = get_certificate_for_user(request.user, pk, write=True)
    form = StatusChangeForm(request.POST, action=action, prefix=action)
    if form.is_valid():
        try:
            STAFF_ACTIONS[action](by=request.user, certificate=certificate, reason=form.cleaned_data["reason"])
            messages.success(request, _("证书状态已更新。"))
            return redirect("certificate_detail", certificate.pk)
        except RuleViolation as exc:
            form.add_error(None, _message(exc))
            # The form of an action the status no longer offers is not on the page: say it above.
            if action not in allowed_actions(certificate.status):
                messages.error(request, _message(exc))
    certificate.refresh_from_db()
    context = _detail_context(request, certificate, forms={action: form})
    return render(request, "certificates/certificate_detail.html", context, status=400)


@login_required
@require_POST
def certificate_reduce_scope_view(request, pk: int):
    """缩小认证范围: a replacement certificate with the kept scope and the same expiry (decisions LC3)."""
    certificate = get_certificate_for_user(request.user, pk, write=True)
    form = _reduction_form(certificate, request.POST)
    if form is None:
        messages.error(request, _("只有有效且有认证范围代码的证书可以缩小认证范围。"))
        return redirect("certificate_detail", certificate.pk)
    if form.is_valid():
        try:
            new = services.certificate_reduce_scope(
                by=request.user,
                certificate=certificate,
                categories=form.cleaned_data["categories"],
                services=form.cleaned_data["services"],
                reason=form.cleaned_data["reason"],
            )
        except RuleViolation as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("认证范围已缩小，换发新证书 %(number)s。") % {"number": new.number})
            return redirect("certificate_detail", new.pk)
    certificate.refresh_from_db()
    context = _detail_context(request, certificate, forms={"reduce": form})
    return render(request, "certificates/certificate_detail.html", context, status=400)


@login_required
@require_GET
def certificate_pdf_view(request, pk: int):
    certificate = get_certificate_for_user(request.user, pk)
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def certificate_export_view(request):
    check_export(request.user)
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        fmt = "csv"
    return export_response(certificate_export(request.user), fmt)
