"""Nonconformity pages: the lists, the corrective-action page (enterprise and reviewer), evidence downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certflow.applications.permissions import get_application_for_user
from certflow.core.files import download_response
from certflow.core.rules import RuleViolation
from certflow.reviews import domain, services
from certflow.reviews.domain import AWAITING_ENTERPRISE, NonconformityState
from certflow.reviews.forms import CorrectiveActionForm, DecisionForm
from certflow.reviews.models import DocumentReview
from certflow.reviews.permissions import (
    get_corrective_action_for_user,
    get_evidence_for_user,
    get_nonconformity_for_user,
    is_verifier,
)
from certflow.reviews.selectors import nonconformity_detail, nonconformity_list
from certflow.reviews.views.common import message_of, today

NONCONFORMITIES_PER_PAGE = 50


def _with_badges(nonconformities, on):
    for nc in nonconformities:
        nc.badge = domain.deadline_badge(nc.due_date, on, nc.state)
        nc.overdue = domain.is_overdue(nc.due_date, on, nc.state)
    return nonconformities


@login_required
@require_GET
def nonconformity_list_view(request, application_pk: int | None = None):
    application = get_application_for_user(request.user, application_pk) if application_pk is not None else None
    state = request.GET.get("state", "")
    if state not in NonconformityState.values:
        state = ""
    qs = nonconformity_list(request.user, application=application.pk if application else None, state=state)
    page = Paginator(qs, NONCONFORMITIES_PER_PAGE).get_page(request.GET.get("page"))
    on = today()
    _with_badges(page.object_list, on)
    review = DocumentReview.objects.filter(application=application).first() if application else None
    return render(
        request,
        "reviews/nonconformity_list.html",
        {
            "application": application,
            "review": review,
            "page": page,
            "state": state,
            "states": NonconformityState.choices,
            "today": on,
        },
    )


def _is_member(user, nonconformity) -> bool:
    return (
        not user.is_cb_staff
        and user.memberships.filter(enterprise_id=nonconformity.enterprise_id, ended_at__isnull=True).exists()
    )


def _detail_context(request, nonconformity, *, action_form=None, decision_form=None) -> dict:
    on = today()
    actions = list(nonconformity.actions.all())
    pending = next((a for a in actions if a.decision == domain.ActionDecision.PENDING), None)
    may_answer = _is_member(request.user, nonconformity) and nonconformity.state in AWAITING_ENTERPRISE
    may_decide = is_verifier(request.user, nonconformity) and pending is not None
    may_accept_plan = (
        may_decide
        and nonconformity.grade == domain.NonconformityGrade.MINOR
        and nonconformity.stage in domain.PLAN_STAGES
    )
    return {
        "nc": nonconformity,
        "application": nonconformity.application,
        "actions": actions,
        "pending": pending,
        "badge": domain.deadline_badge(nonconformity.due_date, on, nonconformity.state),
        "overdue": domain.is_overdue(nonconformity.due_date, on, nonconformity.state),
        "days_left": (nonconformity.due_date - on).days,
        "days_overdue": (on - nonconformity.due_date).days,
        "may_answer": may_answer,
        "may_decide": may_decide,
        "may_accept_plan": may_accept_plan,
        "action_form": action_form or (CorrectiveActionForm() if may_answer else None),
        "decision_form": decision_form or (DecisionForm() if may_decide else None),
        "today": on,
    }


@login_required
@require_GET
def nonconformity_detail_view(request, pk: int):
    get_nonconformity_for_user(request.user, pk)
    return render(request, "reviews/nonconformity_detail.html", _detail_context(request, nonconformity_detail(pk)))


@login_required
@require_POST
def corrective_action_submit_view(request, pk: int):
    nonconformity = get_nonconformity_for_user(request.user, pk, answer=True)
    form = CorrectiveActionForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.corrective_action_submit(
                by=request.user,
                nonconformity=nonconformity,
                cause_analysis=data["cause_analysis"],
                correction=data["correction"],
                corrective_action=data["corrective_action"],
                files=data["files"],
            )
        except RuleViolation as exc:
            form.add_error(None, message_of(exc))
        else:
            messages.success(request, _("整改报告已提交，等待审核员验证。"))
            return redirect("nonconformity_detail", pk)
    context = _detail_context(request, nonconformity_detail(pk), action_form=form)
    # Browsers cannot keep chosen files across a page load: say so next to the form.
    context["files_lost"] = bool(request.FILES)
    return render(request, "reviews/nonconformity_detail.html", context, status=400)


def _decide(request, pk: int, accept: bool | str):
    action = get_corrective_action_for_user(request.user, pk, decide=True)
    form = DecisionForm(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if accept == "plan":
                services.corrective_action_accept_plan(by=request.user, action=action, comment=comment)
                messages.success(request, _("已接受整改计划；企业完成整改后再提交证据供验证。"))
            elif accept:
                services.corrective_action_accept(by=request.user, action=action, comment=comment)
                messages.success(request, _("整改已验证通过，不符合项关闭。"))
            else:
                services.corrective_action_return(by=request.user, action=action, comment=comment)
                messages.success(request, _("整改报告已退回企业。"))
        except RuleViolation as exc:
            form.add_error(None, message_of(exc))
        else:
            return redirect("nonconformity_detail", action.nonconformity_id)
    context = _detail_context(request, nonconformity_detail(action.nonconformity_id), decision_form=form)
    return render(request, "reviews/nonconformity_detail.html", context, status=400)


@login_required
@require_POST
def corrective_action_accept_view(request, pk: int):
    return _decide(request, pk, accept=True)


@login_required
@require_POST
def corrective_action_accept_plan_view(request, pk: int):
    return _decide(request, pk, accept="plan")


@login_required
@require_POST
def corrective_action_return_view(request, pk: int):
    return _decide(request, pk, accept=False)


@login_required
@require_GET
def corrective_evidence_download(request, pk: int):
    evidence = get_evidence_for_user(request.user, pk)
    return download_response(evidence.storage_name, filename=evidence.original_name, content_type=evidence.content_type)
