"""Planning pages: the audit list, the audit hub, the programme manager's planning page, the enterprise's
date answer, the notice download. Parse → permission helper → one service call → redirect or render."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certflow.accounts.models import User
from certflow.applications.domain import may_plan_onsite_audit
from certflow.audits import domain
from certflow.audits.domain import AuditStatus, AuditType
from certflow.audits.forms_planning import CreateForm, DaysForm, ReasonForm, SiteForm, SlotForm, SpecialForm
from certflow.audits.models import DateProposal, ProposalResponse, ProposalSide
from certflow.audits.permissions import (
    get_application_for_planner,
    get_audit_for_enterprise,
    get_audit_for_planner,
    get_audit_for_user,
    get_notice_for_user,
    is_enterprise_user,
    may_plan,
    team_role,
)
from certflow.audits.selectors import audit_list, planning_detail
from certflow.audits.services import planning
from certflow.core.files import download_response
from certflow.core.rules import RuleViolation

AUDITS_PER_PAGE = 25


def today() -> date:
    # Notice periods are Beijing-time matters, whatever the server's clock says.
    return timezone.localdate(timezone=timezone.get_default_timezone())


def message_of(exc: RuleViolation) -> str:
    return exc.zh if (get_language() or "zh").startswith("zh") else exc.en


def url_if_exists(name: str, pk: int) -> str | None:
    """Links to the conduct pages, which are built apart: shown only once their URL exists."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def notice_preview(audit, first_day: date | None, now: date) -> dict:
    """The last allowed notice day for `first_day` and where today stands against it (for the page)."""
    if first_day is None:
        return {"first_day": None}
    _name, working_days = planning.notice_rule(audit)
    try:
        last = planning.last_allowed_notice(audit, first_day)
    except RuleViolation as exc:
        return {"first_day": first_day, "error": message_of(exc), "working_days": working_days}
    return {
        "first_day": first_day,
        "last": last,
        "timing": domain.notice_timing(now, last),
        "working_days": working_days,
        "short_notice": audit.audit_type == AuditType.SPECIAL,
    }


# --- list and hub ------------------------------------------------------------------------------------


@login_required
@require_GET
def audit_list_view(request):
    status = request.GET.get("status", "")
    audit_type = request.GET.get("type", "")
    status = status if status in AuditStatus.values else ""
    audit_type = audit_type if audit_type in AuditType.values else ""
    page = Paginator(audit_list(request.user, status=status, audit_type=audit_type), AUDITS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "audits/audit_list.html",
        {
            "page": page,
            "status": status,
            "audit_type": audit_type,
            "statuses": AuditStatus.choices,
            "types": AuditType.choices,
            "may_plan": may_plan(request.user),
        },
    )


@login_required
@require_GET
def audit_detail_view(request, pk: int):
    audit = planning_detail(get_audit_for_user(request.user, pk).pk)
    pending = next((p for p in audit.negotiation if p.response == ProposalResponse.PENDING), None)
    first_day = audit.first_day or (date.fromisoformat(pending.days[0]) if pending else None)
    return render(
        request,
        "audits/audit_detail.html",
        {
            "audit": audit,
            "pending": pending,
            "may_plan": may_plan(request.user),
            "is_enterprise": is_enterprise_user(request.user, audit),
            "my_role": team_role(request.user, audit),
            "preview": notice_preview(audit, first_day, today()) if request.user.is_cb_staff else None,
            "items": planning.audit_scheme(audit).items_for_stage("onsite_audit"),
            "checklist_url": url_if_exists("audit_checklist", audit.pk),
            "closing_url": url_if_exists("audit_closing", audit.pk),
        },
    )


# --- the planning page ---------------------------------------------------------------------------------


def _plan_context(request, audit, **bound) -> dict:
    from certflow.auditors.selectors import candidates, category_catalogue

    audit = planning_detail(audit.pk)
    pending = next((p for p in audit.negotiation if p.response == ProposalResponse.PENDING), None)
    days = planning.planning_days(audit)
    categories = planning.audit_categories(audit)
    people = candidates(enterprise_id=audit.enterprise_id, categories=categories, audit_days=days)
    current = {m.user_id: m.role for m in audit.current_team}
    team_initial = {
        "members": [str(uid) for uid in current],
        "lead": next((str(uid) for uid, role in current.items() if role == "lead_auditor"), ""),
    }
    scheme = planning.audit_scheme(audit)
    items = scheme.items_for_stage("onsite_audit")
    first_day = days[0] if days else None
    names = category_catalogue()
    editable = audit.status in domain.PLAN_EDITABLE
    notice_problems = domain.notice_problems(planning.notice_facts(audit)) if editable else []
    return {
        "audit": audit,
        "pending": pending,
        "days": days,
        "editable": editable,
        "categories": [names.get(c, (c, c))[0] for c in categories],
        "candidates": people,
        "current_team": current,
        "items": items,
        "preview": notice_preview(audit, first_day, today()),
        "notice_problems": notice_problems,
        "days_form": bound.get("days_form") or DaysForm(),
        "team_selected": bound.get("team_selected") or team_initial,
        "site_form": bound.get("site_form") or SiteForm(),
        "slot_form": bound.get("slot_form")
        or SlotForm(days=days, sites=audit.sites.all(), team=audit.current_team, items=items),
        "cancel_form": bound.get("cancel_form") or ReasonForm(),
        "error": bound.get("error"),
    }


@login_required
@require_GET
def audit_plan_view(request, pk: int):
    audit = get_audit_for_planner(request.user, pk)
    return render(request, "audits/audit_plan.html", _plan_context(request, audit))


def _refused(request, audit, exc: RuleViolation, **bound):
    context = _plan_context(request, audit, error=message_of(exc), **bound)
    return render(request, "audits/audit_plan.html", context, status=400)


def _done(request, audit, text: str):
    messages.success(request, text)
    return redirect("audit_plan", audit.pk)


@login_required
@require_POST
def audit_propose_view(request, pk: int):
    audit = get_audit_for_planner(request.user, pk)
    form = DaysForm(request.POST)
    if not form.is_valid():
        return _refused(request, audit, RuleViolation("请检查日期", "check the days", "invalid"), days_form=form)
    try:
        planning.dates_propose(
            by=request.user, audit=audit, days=form.days, message=form.cleaned_data["message"], today=today()
        )
    except RuleViolation as exc:
        return _refused(request, audit, exc, days_form=form)
    return _done(request, audit, _("已向企业提出审核日期，等待企业确认。"))


def _proposal(audit, proposal_pk) -> DateProposal:
    try:
        return DateProposal.objects.get(pk=proposal_pk, audit=audit)
    except (DateProposal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@login_required
@require_POST
def audit_accept_counter_view(request, pk: int, proposal_pk: int):
    audit = get_audit_for_planner(request.user, pk)
    try:
        planning.dates_accept_counter(
            by=request.user, audit=audit, proposal=_proposal(audit, proposal_pk), today=today()
        )
    except RuleViolation as exc:
        return _refused(request, audit, exc)
    return _done(request, audit, _("已接受企业提出的审核日期。"))


@login_required
@require_POST
def audit_team_view(request, pk: int):
    audit = get_audit_for_planner(request.user, pk)
    ids = [v for v in request.POST.getlist("members") if v.isdigit()]
    lead_id = request.POST.get("lead", "")
    users = {u.pk: u for u in User.objects.filter(pk__in=ids + ([lead_id] if lead_id.isdigit() else []))}
    members = [users[int(i)] for i in dict.fromkeys(ids) if int(i) in users]
    lead = users.get(int(lead_id)) if lead_id.isdigit() else None
    try:
        planning.team_set(by=request.user, audit=audit, members=members, lead=lead)
    except RuleViolation as exc:
        return _refused(request, audit, exc, team_selected={"members": ids, "lead": lead_id})
    return _done(request, audit, _("审核组已保存。"))


@login_required
@require_POST
def audit_site_add_view(request, pk: int):
    audit = get_audit_for_planner(request.user, pk)
    form = SiteForm(request.POST)
    if not form.is_valid():
        return _refused(request, audit, RuleViolation("请检查场所信息", "check the site", "invalid"), site_form=form)
    try:
        planning.site_add(by=request.user, audit=audit, **form.cleaned_data)
    except RuleViolation as exc:
        return _refused(request, audit, exc, site_form=form)
    return _done(request, audit, _("已添加审核场所。"))


@login_required
@require_POST
def audit_site_remove_view(request, pk: int, site_pk: int):
    audit = get_audit_for_planner(request.user, pk)
    site = audit.sites.filter(pk=site_pk).first()
    if site is None:
        raise Http404
    try:
        planning.site_remove(by=request.user, site=site)
    except RuleViolation as exc:
        return _refused(request, audit, exc)
    return _done(request, audit, _("已移除审核场所。"))


@login_required
@require_POST
def audit_slot_add_view(request, pk: int):
    audit = get_audit_for_planner(request.user, pk)
    detail = planning_detail(audit.pk)
    form = SlotForm(
        request.POST,
        days=planning.planning_days(detail),
        sites=detail.sites.all(),
        team=detail.current_team,
        items=planning.audit_scheme(detail).items_for_stage("onsite_audit"),
    )
    if not form.is_valid():
        return _refused(
            request, audit, RuleViolation("请检查日程", "check the schedule line", "invalid"), slot_form=form
        )
    data = form.cleaned_data
    sites = {str(s.pk): s for s in detail.sites.all()}
    team = {str(m.user_id): m.user for m in detail.current_team}
    try:
        planning.schedule_slot_add(
            by=request.user,
            audit=audit,
            day=date.fromisoformat(data["day"]),
            start=data["start"],
            end=data["end"],
            activity=data["activity"],
            site=sites.get(data["site"]),
            auditor=team.get(data["auditor"]),
            item_ids=data["item_ids"],
        )
    except RuleViolation as exc:
        return _refused(request, audit, exc, slot_form=form)
    return _done(request, audit, _("已添加日程。"))


@login_required
@require_POST
def audit_slot_remove_view(request, pk: int, slot_pk: int):
    audit = get_audit_for_planner(request.user, pk)
    slot = audit.schedule.filter(pk=slot_pk).first()
    if slot is None:
        raise Http404
    try:
        planning.schedule_slot_remove(by=request.user, slot=slot)
    except RuleViolation as exc:
        return _refused(request, audit, exc)
    return _done(request, audit, _("已删除日程。"))


@login_required
@require_POST
def audit_notice_send_view(request, pk: int):
    audit = get_audit_for_planner(request.user, pk)
    try:
        planning.notice_send(by=request.user, audit=audit, today=today())
    except RuleViolation as exc:
        return _refused(request, audit, exc)
    messages.success(request, _("审核通知已发出，企业和审核组已收到通知。"))
    return redirect("audit_detail", audit.pk)


@login_required
@require_POST
def audit_cancel_view(request, pk: int):
    audit = get_audit_for_planner(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, audit, RuleViolation("请填写理由", "a reason is required", "invalid"), cancel_form=form
        )
    try:
        planning.audit_cancel(by=request.user, audit=audit, reason=form.cleaned_data["reason"])
    except RuleViolation as exc:
        return _refused(request, audit, exc, cancel_form=form)
    messages.success(request, _("审核已取消。"))
    return redirect("audit_detail", audit.pk)


@login_required
@require_GET
def audit_notice_date_view(request, pk: int):
    """htmx partial: the last allowed notice day for the earliest day typed into the date form."""
    audit = get_audit_for_user(request.user, pk)
    if not request.user.is_cb_staff:
        raise PermissionDenied
    days = []
    for key, value in request.GET.items():
        if key.startswith("day_") and value:
            try:
                days.append(date.fromisoformat(value))
            except ValueError:
                continue
    preview = notice_preview(audit, min(days) if days else None, today())
    return render(request, "audits/_notice_date.html", {"preview": preview})


@login_required
@require_GET
def audit_notice_download_view(request, pk: int, notice_pk: int):
    notice = get_notice_for_user(request.user, pk, notice_pk)
    return download_response(
        notice.storage_name, filename=f"审核通知-{notice.audit.reference}.pdf", content_type="application/pdf"
    )


# --- the enterprise's answer -----------------------------------------------------------------------


@login_required
def audit_dates_view(request, pk: int):
    """The enterprise confirms the proposed days or declines them and proposes others."""
    audit = get_audit_for_enterprise(request.user, pk)
    detail = planning_detail(audit.pk)
    pending = next(
        (p for p in detail.negotiation if p.response == ProposalResponse.PENDING and p.side == ProposalSide.CB), None
    )
    form = DaysForm(message_required=False)
    error = None
    if request.method == "POST":
        if pending is None:
            error = _("目前没有待答复的日期提议。")
        elif request.POST.get("answer") == "confirm":
            try:
                planning.dates_confirm(by=request.user, audit=audit, proposal=pending, today=today())
                messages.success(request, _("已确认审核日期。"))
                return redirect("audit_detail", audit.pk)
            except RuleViolation as exc:
                error = message_of(exc)
        else:
            form = DaysForm(request.POST)
            if form.is_valid():
                try:
                    planning.dates_counter(
                        by=request.user,
                        audit=audit,
                        proposal=pending,
                        days=form.days,
                        message=form.cleaned_data["message"],
                        today=today(),
                    )
                    messages.success(request, _("已提出其他审核日期，等待认证机构答复。"))
                    return redirect("audit_detail", audit.pk)
                except RuleViolation as exc:
                    error = message_of(exc)
    return render(
        request,
        "audits/audit_dates.html",
        {"audit": detail, "pending": pending, "form": form, "error": error},
        status=400 if error else 200,
    )


# --- opening audits ------------------------------------------------------------------------------------


@login_required
def audit_create_view(request, application_pk: int):
    application = get_application_for_planner(request.user, application_pk)
    form = CreateForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            audit = planning.audit_create(
                by=request.user, application=application, audit_type=form.cleaned_data["audit_type"], today=today()
            )
            messages.success(request, _("已创建现场审核，请提出审核日期并组建审核组。"))
            return redirect("audit_plan", audit.pk)
        except RuleViolation as exc:
            error = message_of(exc)
    return render(
        request,
        "audits/audit_create.html",
        {
            "application": application,
            "form": form,
            "error": error,
            "ready": may_plan_onsite_audit(application.status),
        },
        status=400 if error else 200,
    )


@login_required
def audit_special_create_view(request):
    if not may_plan(request.user):
        raise PermissionDenied(_("只有审核方案管理人员可以策划审核"))
    form = SpecialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            audit = planning.special_audit_create(
                by=request.user,
                enterprise=form.cleaned_data["enterprise"],
                reason=form.cleaned_data["reason"],
                application=form.cleaned_data["application"],
                today=today(),
            )
            messages.success(request, _("已创建特殊审核。"))
            return redirect("audit_plan", audit.pk)
        except RuleViolation as exc:
            form.add_error(None, message_of(exc))
    return render(request, "audits/audit_special.html", {"form": form}, status=400 if form.errors else 200)
