"""Pages of the certification decision (clause 6 认证决定): the queue, the dossier with the committee,
the refusal notice and the printable dossier, and the enterprise's re-application.

A refusal by the rules (RuleViolation) is shown as a message on the page with the forms as they were
typed (status 400), never as an error page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certflow.accounts.models import User
from certflow.accounts.permissions import NOT_FOUND
from certflow.applications.models import Application
from certflow.core.files import content_disposition, download_response
from certflow.core.rules import RuleViolation
from certflow.decisions import selectors, services
from certflow.decisions.domain import DecisionStatus
from certflow.decisions.forms import MemberRemoveForm, OpinionForm
from certflow.decisions.models import CommitteeMember
from certflow.decisions.pdf import APPEAL_PATH, dossier_pdf
from certflow.decisions.permissions import (
    check_holder,
    check_member,
    check_queue,
    check_runner,
    decisions_for_user,
    get_decision_for_user,
    is_runner,
    may_see_queue,
    sees_inside,
)
from certflow.decisions.reapply import reapply

PER_PAGE = 20


def _message(exc: RuleViolation) -> str:
    return exc.zh if (get_language() or "zh").startswith("zh") else exc.en


# --- the queue ------------------------------------------------------------------------------------


@login_required
@require_GET
def decision_queue_view(request):
    user = request.user
    staff = may_see_queue(user)
    if user.is_cb_staff and not staff:
        check_queue(user)  # 404: an auditor has no business here
    status = request.GET.get("status", "")
    status = status if status in DecisionStatus.values else ""
    decisions = selectors.decision_list(decisions_for_user(user), status=status)
    page = Paginator(decisions, PER_PAGE).get_page(request.GET.get("page"))
    ready = None
    if staff:
        ready = Paginator(selectors.ready_applications(timezone.localdate()), PER_PAGE).get_page(
            request.GET.get("ready_page")
        )
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "decisions/decision_queue.html",
        {
            "page": page,
            "ready": ready,
            "status": status,
            "statuses": DecisionStatus.choices,
            "filter_query": filters.urlencode(),
            "can_open": is_runner(user),
            "staff": staff,
        },
    )


@login_required
@require_POST
def decision_open_view(request):
    check_runner(request.user)
    try:
        application = Application.objects.get(pk=int(request.POST.get("application", "")))
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    try:
        decision = services.decision_open(by=request.user, application=application)
    except RuleViolation as exc:
        messages.error(request, f"{application.reference}：{_message(exc)}")
        return redirect("decision_queue")
    messages.success(request, _("已提交认证决定，请指定技术委员会委员。"))
    return redirect("decision_detail", decision.pk)


# --- the dossier ----------------------------------------------------------------------------------


def _context(request, decision, *, opinion_form=None, remove_forms=None) -> dict:
    user = request.user
    inside = sees_inside(user)
    runner = is_runner(user)
    is_open = decision.status == DecisionStatus.OPEN
    context = {
        "decision": decision,
        "application": decision.application,
        "view": selectors.dossier_view(decision),
        "scope": selectors.scope_view(decision.application),
        "inside": inside,
        "runner": runner,
        "is_open": is_open,
        "appeal_url": APPEAL_PATH,
    }
    if inside:
        seats = selectors.seats(decision)
        current = [s for s in seats if s.member.removed_at is None]
        mine = next((s for s in current if s.member.user_id == user.pk), None)
        remove_forms = remove_forms or {}
        context.update(
            {
                "current": [
                    {
                        "seat": s,
                        "remove_form": remove_forms.get(s.member.pk) or MemberRemoveForm(prefix=f"m{s.member.pk}"),
                    }
                    for s in current
                ],
                "removed": [s for s in seats if s.member.removed_at is not None],
                "tally": selectors.tally_view(decision, current),
                "mine": mine,
                "candidates": selectors.committee_candidates(decision) if runner and is_open else [],
            }
        )
        if mine and is_open:
            declared = mine.member.impartiality_declared_at is not None
            initial = {"vote": mine.opinion.vote, "reasoning": mine.opinion.reasoning} if mine.opinion else None
            context["opinion_form"] = opinion_form or OpinionForm(initial=initial, declared=declared)
    else:
        context["reapply"] = decision.status == DecisionStatus.REFUSED
        context["draft"] = selectors.newer_draft(decision)
    return context


def _page(request, decision, status=200, **forms):
    return render(request, "decisions/decision_detail.html", _context(request, decision, **forms), status=status)


@login_required
@require_GET
def decision_detail_view(request, pk: int):
    return _page(request, get_decision_for_user(request.user, pk))


def _refused(request, decision, exc: RuleViolation, **forms):
    """The service said no: say why on the page, keep what was typed, change nothing."""
    messages.error(request, _message(exc))
    decision.refresh_from_db()
    return _page(request, decision, status=400, **forms)


@login_required
@require_POST
def member_add_view(request, pk: int):
    decision = get_decision_for_user(request.user, pk, run=True)
    try:
        user = User.objects.get(pk=int(request.POST.get("user", "")), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError):
        messages.error(request, _("请选择技术委员会委员。"))
        return _page(request, decision, status=400)
    try:
        services.member_add(by=request.user, decision=decision, user=user)
    except RuleViolation as exc:
        return _refused(request, decision, exc)
    messages.success(request, _("已指定委员：%(name)s") % {"name": user.full_name or user.email})
    return redirect("decision_detail", decision.pk)


@login_required
@require_POST
def member_remove_view(request, pk: int, member_pk: int):
    decision = get_decision_for_user(request.user, pk, run=True)
    try:
        member = CommitteeMember.objects.select_related("user").get(pk=member_pk, decision=decision)
    except CommitteeMember.DoesNotExist:
        raise Http404(NOT_FOUND) from None
    form = MemberRemoveForm(request.POST, prefix=f"m{member.pk}")
    if not form.is_valid():
        return _page(request, decision, status=400, remove_forms={member.pk: form})
    try:
        services.member_remove(by=request.user, member=member, reason=form.cleaned_data["reason"])
    except RuleViolation as exc:
        form.add_error(None, _message(exc))
        return _refused(request, decision, exc, remove_forms={member.pk: form})
    messages.success(request, _("委员已退出本次认证决定。"))
    return redirect("decision_detail", decision.pk)


@login_required
@require_POST
def opinion_view(request, pk: int):
    decision = get_decision_for_user(request.user, pk)
    check_member(request.user, decision)
    seat = services.seat_of(decision, request.user)
    form = OpinionForm(request.POST, declared=seat.impartiality_declared_at is not None)
    if not form.is_valid():
        return _page(request, decision, status=400, opinion_form=form)
    try:
        services.opinion_record(
            by=request.user,
            decision=decision,
            vote=form.cleaned_data["vote"],
            reasoning=form.cleaned_data["reasoning"],
            impartial=form.cleaned_data.get("impartial", False),
        )
    except RuleViolation as exc:
        form.add_error(None, _message(exc))
        return _refused(request, decision, exc, opinion_form=form)
    messages.success(request, _("您的意见已记录。"))
    return redirect("decision_detail", decision.pk)


@login_required
@require_POST
def conclude_view(request, pk: int):
    decision = get_decision_for_user(request.user, pk, run=True)
    try:
        decision = services.decision_conclude(by=request.user, decision=decision)
    except RuleViolation as exc:
        return _refused(request, decision, exc)
    if decision.status == DecisionStatus.GRANTED:
        messages.success(
            request, _("认证决定：批准认证，证书 %(number)s 已颁发。") % {"number": decision.certificate.number}
        )
    else:
        messages.success(request, _("认证决定：不予认证，不予认证通知书已发给企业。"))
    return redirect("decision_detail", decision.pk)


# --- documents ------------------------------------------------------------------------------------


@login_required
@require_GET
def notice_view(request, pk: int):
    """The refusal notice exactly as the enterprise received it (the stored file, not a rebuild)."""
    decision = get_decision_for_user(request.user, pk)
    if decision.status != DecisionStatus.REFUSED or not decision.notice_storage_name:
        raise Http404(NOT_FOUND)
    return download_response(
        decision.notice_storage_name,
        filename=f"不予认证通知书_{decision.application.reference}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_GET
def dossier_pdf_view(request, pk: int):
    decision = get_decision_for_user(request.user, pk)
    if not sees_inside(request.user):
        raise Http404(NOT_FOUND)
    response = HttpResponse(dossier_pdf(decision), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"认证决定材料_{decision.application.reference}.pdf")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- re-application -------------------------------------------------------------------------------


@login_required
@require_POST
def reapply_view(request, pk: int):
    decision = get_decision_for_user(request.user, pk)
    check_holder(request.user)
    try:
        application = reapply(by=request.user, decision=decision)
    except RuleViolation as exc:
        return _refused(request, decision, exc)
    messages.success(
        request,
        _("已创建新的认证申请 %(ref)s，已带入上次申请的类别、服务环节和场所；请上传整改后的材料并提交。")
        % {"ref": application.reference},
    )
    return redirect("application_detail", application.pk)
