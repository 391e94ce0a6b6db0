"""The complaint and appeal register for CB staff, and the enterprise's appeal form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certflow.accounts.models import User
from certflow.accounts.selectors import enterprises_for_user
from certflow.applications.models import Application
from certflow.certificates.models import Certificate
from certflow.core.rules import RuleViolation
from certflow.lifecycle import cases
from certflow.lifecycle.domain import CaseKind, CaseStatus, is_late
from certflow.lifecycle.forms import AppealForm, AssignForm, DecideForm, SpecialAuditForm
from certflow.lifecycle.permissions import get_case_for_user, may_handle_cases
from certflow.lifecycle.selectors import case_list

PER_PAGE = 25


def _message(exc: RuleViolation) -> str:
    return exc.zh if (get_language() or "zh").startswith("zh") else exc.en


def _handlers():
    return User.objects.filter(kind="cb_staff", is_active=True).order_by("full_name", "email")


@login_required
@require_GET
def case_list_view(request):
    if not (may_handle_cases(request.user) or not request.user.is_cb_staff):
        raise PermissionDenied(_("只有审核方案管理人员或系统管理员可以查看投诉与申诉登记册"))
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(case_list(request.user, kind=kind, status=status, search=search), PER_PAGE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    rows = [
        {
            "case": c,
            "ack_late": c.status == CaseStatus.RECEIVED and is_late(c.acknowledge_by, None, today),
            "decide_late": is_late(c.decide_by, c.decided_on, today),
        }
        for c in page.object_list
    ]
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "lifecycle/case_list.html",
        {
            "page": page,
            "rows": rows,
            "kind": kind,
            "status": status,
            "search": search,
            "kinds": CaseKind.choices,
            "statuses": CaseStatus.choices,
            "filter_query": filters.urlencode(),
            "is_handler": may_handle_cases(request.user),
        },
    )


def _detail(request, case, *, forms=None, status=200):
    forms = forms or {}
    handler = may_handle_cases(request.user)
    context = {
        "case": case,
        "is_handler": handler,
        "today": timezone.localdate(),
        "special_audit_available": cases.special_audit_planner() is not None,
    }
    if handler:
        context.update(
            assign_form=forms.get("assign") or AssignForm(handlers=_handlers()),
            decide_form=forms.get("decide") or DecideForm(),
            special_form=forms.get("special") or SpecialAuditForm(),
        )
    return render(request, "lifecycle/case_detail.html", context, status=status)


@login_required
@require_GET
def case_detail_view(request, pk: int):
    return _detail(request, get_case_for_user(request.user, pk))


@login_required
@require_POST
def case_action_view(request, pk: int, action: str):
    case = get_case_for_user(request.user, pk, write=True)
    form = None
    try:
        if action == "acknowledge":
            cases.case_acknowledge(by=request.user, case=case)
        elif action == "assign":
            form = AssignForm(request.POST, handlers=_handlers())
            if form.is_valid():
                handler = _handlers().get(pk=form.cleaned_data["handler"])
                cases.case_assign(by=request.user, case=case, handler=handler)
        elif action == "decide":
            form = DecideForm(request.POST)
            if form.is_valid():
                cases.case_decide(
                    by=request.user,
                    case=case,
                    outcome=form.cleaned_data["outcome"],
                    decision=form.cleaned_data["decision"],
                )
        elif action == "special-audit":
            form = SpecialAuditForm(request.POST)
            if form.is_valid():
                cases.case_request_special_audit(by=request.user, case=case, reason=form.cleaned_data["reason"])
        else:
            raise PermissionDenied
    except RuleViolation as exc:
        if form is None:
            messages.error(request, _message(exc))
            return redirect("case_detail", case.pk)
        form.add_error(None, _message(exc))
    if form is not None and form.errors:
        case.refresh_from_db()
        key = {"assign": "assign", "decide": "decide", "special-audit": "special"}[action]
        return _detail(request, case, forms={key: form}, status=400)
    messages.success(request, _("已保存。"))
    return redirect("case_detail", case.pk)


def _appeal_subjects(user):
    enterprises = enterprises_for_user(user)
    certificates = Certificate.objects.filter(enterprise__in=enterprises).order_by("-issued_on")[:50]
    applications = Application.objects.filter(enterprise__in=enterprises).exclude(status="draft").order_by("-id")[:50]
    subjects = {f"c{c.pk}": ("certificate", c) for c in certificates}
    subjects |= {f"a{a.pk}": ("application", a) for a in applications}
    return subjects


def _subject_label(kind, thing) -> str:
    if kind == "certificate":
        return _("证书 %(n)s（%(s)s）") % {"n": thing.number, "s": thing.get_status_display()}
    return _("申请 %(n)s（%(s)s）") % {"n": thing.reference, "s": thing.get_status_display()}


@login_required
@require_http_methods(["GET", "POST"])
def appeal_new_view(request):
    """申诉: against the CB's decisions about the user's own enterprise's certificates or applications."""
    if request.user.is_cb_staff:
        raise PermissionDenied(_("申诉由企业用户提出 / appeals are lodged by enterprise users"))
    subjects = _appeal_subjects(request.user)
    choices = [(key, _subject_label(kind, thing)) for key, (kind, thing) in subjects.items()]
    form = AppealForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        kind, thing = subjects[form.cleaned_data["subject"]]
        try:
            case = cases.appeal_lodge(
                by=request.user,
                enterprise=thing.enterprise,
                certificate=thing if kind == "certificate" else None,
                application=thing if kind == "application" else None,
                contact=form.cleaned_data["contact"],
                description=form.cleaned_data["description"],
            )
        except RuleViolation as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("申诉已提交，编号 %(ref)s。") % {"ref": case.reference})
            return redirect("case_detail", case.pk)
    return render(
        request,
        "lifecycle/appeal_form.html",
        {"form": form, "has_subjects": bool(subjects)},
        status=400 if form.errors else 200,
    )
