"""The questionnaire behind a one-time link: no account, Chinese first, made for a phone (decisions V6)."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from certflow.core.rules import RuleViolation
from certflow.surveys import services
from certflow.surveys.forms import AnswerForm
from certflow.surveys.services.common import rules_for
from certflow.surveys.views.common import message_of


def _client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@never_cache
@csrf_protect
def questionnaire_view(request, token: str):
    try:
        invitation = services.invitation_for_token(token)
    except RuleViolation as exc:
        status = 409 if exc.code == "already_answered" else 404 if exc.code == "link_invalid" else 410
        return render(
            request, "surveys/questionnaire_closed.html", {"message": message_of(exc), "code": exc.code}, status=status
        )
    survey = invitation.survey
    rules = rules_for(survey)
    form = AnswerForm(request.POST if request.method == "POST" else None, rules=rules)
    if request.method == "POST" and form.is_valid():
        try:
            services.response_submit(
                token=token,
                ratings=form.ratings(),
                overall=form.cleaned_data.get("overall") or None,
                comment=form.cleaned_data["comment"],
                address=_client_address(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except RuleViolation as exc:
            if exc.code in ("already_answered", "link_invalid", "survey_not_open"):
                return render(
                    request,
                    "surveys/questionnaire_closed.html",
                    {"message": message_of(exc), "code": exc.code},
                    status=409,
                )
            form.add_error(None, message_of(exc))
        else:
            return render(request, "surveys/questionnaire_thanks.html", {"enterprise": survey.enterprise})
    return render(
        request,
        "surveys/questionnaire.html",
        {"form": form, "enterprise": survey.enterprise, "rules": rules, "product": invitation.customer.category},
        status=400 if request.method == "POST" else 200,
    )
