"""Phone call-backs and per-respondent answers: for the survey staff only (decisions V7, V9)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from certflow.core.rules import RuleViolation
from certflow.surveys import selectors, services
from certflow.surveys.access_log import View, record_access
from certflow.surveys.domain import may_call_again
from certflow.surveys.forms import CallForm
from certflow.surveys.permissions import get_invitation_for_caller, get_survey_for_user
from certflow.surveys.services.common import rules_for
from certflow.surveys.views.common import category_names, message_of

PER_PAGE = 25


@login_required
@require_GET
def call_list_view(request, pk: int):
    survey = get_survey_for_user(request.user, pk, staff=True)
    state = request.GET.get("state", "todo")
    if state not in ("todo", "answered", "all"):
        state = "todo"
    page = Paginator(selectors.call_list(survey, state=state), PER_PAGE).get_page(request.GET.get("page"))
    calls = selectors.calls_for([inv.pk for inv in page.object_list])
    names = category_names(survey)
    limit = settings.CERTFLOW_SURVEY_CALL_LIMIT
    record_access(request, survey, View.CALL_LIST, shown=len(page.object_list))
    rows = []
    for inv in page.object_list:
        outcomes = [c.outcome for c in calls.get(inv.pk, [])]
        may_call = inv.used_at is None and may_call_again(outcomes, limit)
        rows.append((inv, calls.get(inv.pk, []), names.get(inv.stratum, inv.stratum), may_call))
    return render(
        request,
        "surveys/call_list.html",
        {"survey": survey, "page": page, "rows": rows, "state": state, "limit": limit},
    )


@login_required
def call_record_view(request, pk: int):
    invitation = get_invitation_for_caller(request.user, pk)
    survey = invitation.survey
    rules = rules_for(survey)
    form = CallForm(request.POST if request.method == "POST" else None, rules=rules)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.call_record(
                by=request.user,
                invitation=invitation,
                outcome=data["outcome"],
                note=data["note"],
                ratings=form.ratings(),
                overall=data.get("overall") or None,
                comment=data["comment"],
            )
        except RuleViolation as exc:
            form.add_error(None, message_of(exc))
        else:
            messages.success(request, _("通话记录已保存。"))
            return redirect("survey_calls", survey.pk)
    calls = list(invitation.calls.select_related("called_by").order_by("called_at", "pk"))
    record_access(request, survey, View.CALL_RECORD, shown=1, customer=invitation.customer)
    return render(
        request,
        "surveys/call_record.html",
        {
            "survey": survey,
            "invitation": invitation,
            "customer": invitation.customer,
            "calls": calls,
            "form": form,
            "limit": settings.CERTFLOW_SURVEY_CALL_LIMIT,
            "labels": {d.code: d.name.zh for d in rules.dimensions},
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def response_list_view(request, pk: int):
    survey = get_survey_for_user(request.user, pk, staff=True)
    rules = rules_for(survey)
    page = Paginator(selectors.responses_qs(survey), PER_PAGE).get_page(request.GET.get("page"))
    dimensions = [(d.code, d.name.zh) for d in rules.dimensions]
    record_access(request, survey, View.RESPONSES, shown=len(page.object_list))
    rows = []
    for response in page.object_list:
        values = {r.dimension: r.value for r in response.ratings.all()}
        rows.append((response, [values.get(code) for code, _label in dimensions]))
    return render(
        request, "surveys/response_list.html", {"survey": survey, "page": page, "rows": rows, "dimensions": dimensions}
    )
