"""Change reports and major events: the registers (programme managers; an enterprise its own), the forms the
enterprise reports through from its certificate page, the assessment and the resolution."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certflow.accounts.permissions import NOT_FOUND
from certflow.certificates.permissions import get_certificate_for_user
from certflow.core.rules import RuleViolation
from certflow.lifecycle import changes
from certflow.lifecycle.domain import ChangeStatus, EventStatus
from certflow.lifecycle.forms import ChangeAssessForm, ChangeReportForm, EventResolveForm, MajorEventForm
from certflow.lifecycle.permissions import (
    check_register_reader,
    get_change_for_user,
    get_event_for_user,
    may_handle_cases,
    may_report_on,
)
from certflow.lifecycle.selectors import change_list, event_list

PER_PAGE = 25


def _message(exc: RuleViolation) -> str:
    return exc.zh if (get_language() or "zh").startswith("zh") else exc.en


def _register(request, rows, template: str, statuses, status: str, search: str):
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        template,
        {
            "page": page,
            "rows": page.object_list,
            "status": status,
            "statuses": statuses,
            "search": search,
            "filter_query": filters.urlencode(),
            "is_handler": may_handle_cases(request.user),
        },
    )


@login_required
@require_GET
def change_list_view(request):
    check_register_reader(request.user)
    status = request.GET.get("status", "")
    search = request.GET.get("q", "").strip()[:100]
    rows = change_list(request.user, status=status, search=search)
    return _register(request, rows, "lifecycle/change_list.html", ChangeStatus.choices, status, search)


@login_required
@require_GET
def event_list_view(request):
    check_register_reader(request.user)
    status = request.GET.get("status", "")
    search = request.GET.get("q", "").strip()[:100]
    rows = event_list(request.user, status=status, search=search)
    return _register(request, rows, "lifecycle/event_list.html", EventStatus.choices, status, search)


def _certificate_for_report(request):
    """The certificate named in ?certificate= (or the form), if the user may report on it; else 404/403."""
    pk = request.GET.get("certificate") or request.POST.get("certificate")
    if not pk:
        raise Http404(NOT_FOUND)
    certificate = get_certificate_for_user(request.user, pk)
    if not may_report_on(request.user, certificate):
        raise PermissionDenied(_("只有证书持有企业的用户或审核方案管理人员可以报告"))
    return certificate


def _report_view(request, form_class, service, template: str, detail: str, done: str, date_field: str):
    certificate = _certificate_for_report(request)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = service(
                by=request.user,
                certificate=certificate,
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
                **{date_field: form.cleaned_data[date_field]},
            )
        except RuleViolation as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, done % {"ref": row.reference})
            return redirect(detail, row.pk)
    return render(request, template, {"form": form, "certificate": certificate}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def change_new_view(request):
    return _report_view(
        request,
        ChangeReportForm,
        changes.change_report_submit,
        "lifecycle/change_form.html",
        "change_detail",
        _("变更报告已提交，编号 %(ref)s。"),
        "effective_on",
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_new_view(request):
    return _report_view(
        request,
        MajorEventForm,
        changes.major_event_record,
        "lifecycle/event_form.html",
        "major_event_detail",
        _("重大事件已登记，编号 %(ref)s；证书已暂停。"),
        "occurred_on",
    )


@login_required
@require_GET
def change_detail_view(request, pk: int):
    report = get_change_for_user(request.user, pk)
    return _change_detail(request, report)


def _change_detail(request, report, form=None, status=200):
    handler = may_handle_cases(request.user)
    context = {"report": report, "is_handler": handler}
    if handler and report.status == ChangeStatus.SUBMITTED:
        context["assess_form"] = form or ChangeAssessForm()
    return render(request, "lifecycle/change_detail.html", context, status=status)


@login_required
@require_POST
def change_assess_view(request, pk: int):
    report = get_change_for_user(request.user, pk, write=True)
    form = ChangeAssessForm(request.POST)
    if form.is_valid():
        try:
            changes.change_report_assess(
                by=request.user,
                report=report,
                assessment=form.cleaned_data["assessment"],
                note=form.cleaned_data["note"],
            )
        except RuleViolation as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("评估结论已保存。"))
            return redirect("change_detail", report.pk)
    report.refresh_from_db()
    return _change_detail(request, report, form, status=400)


def _event_detail(request, event, form=None, status=200):
    handler = may_handle_cases(request.user)
    context = {"event": event, "is_handler": handler}
    if handler and event.status == EventStatus.OPEN:
        context["resolve_form"] = form or EventResolveForm()
    return render(request, "lifecycle/event_detail.html", context, status=status)


@login_required
@require_GET
def event_detail_view(request, pk: int):
    return _event_detail(request, get_event_for_user(request.user, pk))


@login_required
@require_POST
def event_resolve_view(request, pk: int):
    event = get_event_for_user(request.user, pk, write=True)
    form = EventResolveForm(request.POST)
    if form.is_valid():
        try:
            changes.major_event_resolve(
                by=request.user,
                event=event,
                resolution=form.cleaned_data["resolution"],
                restore=form.cleaned_data["restore"],
            )
        except RuleViolation as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("重大事件已处理。"))
            return redirect("major_event_detail", event.pk)
    event.refresh_from_db()
    return _event_detail(request, event, form, status=400)
