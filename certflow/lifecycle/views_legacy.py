"""Legacy certificates (前言): the import with its row report, and the lapsed-certificates report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from certflow.core.rules import RuleViolation
from certflow.core.schemes.registry import get_scheme
from certflow.core.uploads import UploadRejected
from certflow.lifecycle.export import lapsed_export
from certflow.lifecycle.forms import LegacyImportForm
from certflow.lifecycle.importing import legacy_import
from certflow.lifecycle.models import LegacyImport
from certflow.lifecycle.permissions import check_legacy_importer, check_reports, may_import_legacy
from certflow.lifecycle.selectors import lapsed_certificates, legacy_imports, legacy_summary

PER_PAGE = 25


def _zh() -> bool:
    return (get_language() or "zh").startswith("zh")


@login_required
@require_http_methods(["GET", "POST"])
def legacy_overview(request):
    check_reports(request.user)
    form = LegacyImportForm()
    if request.method == "POST":
        check_legacy_importer(request.user)
        form = LegacyImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = legacy_import(by=request.user, upload=form.cleaned_data["file"])
            except UploadRejected as exc:
                form.add_error("file", exc.zh if _zh() else exc.en)
            except RuleViolation as exc:
                form.add_error(None, exc.zh if _zh() else exc.en)
            else:
                if job.outcome == LegacyImport.Outcome.IMPORTED:
                    messages.success(request, _("已导入 %(n)d 张旧版证书。") % {"n": job.rows_total})
                else:
                    messages.error(request, _("文件有错误，未导入任何证书，请按报告修改后重新上传。"))
                return redirect("legacy_import_detail", job.pk)
    page = Paginator(legacy_imports(), 10).get_page(request.GET.get("page"))
    transition = get_scheme().transition
    return render(
        request,
        "lifecycle/legacy_overview.html",
        {
            "form": form,
            "page": page,
            "summary": legacy_summary(),
            "transition": transition,
            "can_import": may_import_legacy(request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def legacy_import_detail(request, pk: int):
    check_reports(request.user)
    job = get_object_or_404(LegacyImport.objects.select_related("created_by"), pk=pk)
    rows = [
        {"line": r["line"], "number": r["number"], "errors": [e[0] if _zh() else e[1] for e in r["errors"]]}
        for r in job.errors
    ]
    certificates = job.records.select_related("certificate").order_by("line")[:200]
    return render(request, "lifecycle/legacy_import_detail.html", {"job": job, "rows": rows, "records": certificates})


@login_required
@require_GET
def lapsed_report(request):
    check_reports(request.user)
    search = request.GET.get("q", "").strip()[:100]
    rows = lapsed_certificates(search)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return lapsed_export(rows, fmt)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "lifecycle/lapsed_report.html",
        {
            "page": page,
            "search": search,
            "transition": get_scheme().transition,
            "filter_query": filters.urlencode(),
        },
    )
