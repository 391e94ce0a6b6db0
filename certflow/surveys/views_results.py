"""The results of a survey: the page and the Chinese PDF report.

Who sees what (decisions SS6): CB staff who may see the survey see the result, the distributions,
the integrity flags and the unattributed comments at any time (marked provisional until closed). The
surveyed enterprise sees aggregates only, and only once the survey is closed — live counts while it
runs would let it match answers to the customers it just spoke to. It never sees flags or comments,
and never a distribution of fewer than MIN_RESPONDENTS_FOR_DETAIL answers. Everyone else gets 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET

from certflow.core.files import content_disposition
from certflow.surveys.aggregates import Results, survey_results
from certflow.surveys.charts import Row, distribution_svg, result_svg
from certflow.surveys.domain import CLOSED_STATUSES, Channel
from certflow.surveys.integrity import survey_flags
from certflow.surveys.models import Response, Survey
from certflow.surveys.permissions import get_survey_for_user, may_see_personal_data
from certflow.surveys.report import survey_report_pdf
from certflow.surveys.statistics import MIN_RESPONDENTS_FOR_DETAIL, percent_text, ratio

COMMENTS_SHOWN = 100


def _local(text) -> str:
    return text.en if (get_language() or "zh").startswith("en") else text.zh


def audience(user, survey: Survey) -> str:
    """Which view of the results the reader gets: CB staff "cb", the surveyed enterprise's users
    "enterprise" (`get_survey_for_user` has already refused everyone else with a 404)."""
    return "cb" if user.is_cb_staff else "enterprise"


def enterprise_may_see(survey: Survey) -> bool:
    return survey.status in CLOSED_STATUSES


def shows_detail(results: Results, who: str) -> bool:
    return who == "cb" or results.tally.respondents >= MIN_RESPONDENTS_FOR_DETAIL


def comments(survey: Survey) -> tuple[int, list[str]]:
    """Comments without who, when or how they came: newest first, at most COMMENTS_SHOWN."""
    qs = Response.objects.filter(survey=survey).exclude(comment="")
    texts = list(qs.order_by("-id").values_list("comment", flat=True)[:COMMENTS_SHOWN])
    return qs.count(), texts


def _survey_url(survey: Survey) -> str | None:
    try:
        return reverse("survey_detail", args=[survey.pk])
    except NoReverseMatch:
        return None


def _table_rows(results: Results) -> list[dict]:
    rules = results.scheme.survey
    scale = range(rules.scale_min, rules.scale_max + 1)
    rows = [
        {
            "label": _local(d.name),
            "counts": [d.counts.get(v, 0) for v in scale],
            "total": d.answered,
            "share": percent_text(d.share),
        }
        for d in results.dimensions
    ]
    tally = results.tally
    rows.append(
        {
            "label": gettext("合计"),
            "total_row": True,
            "counts": [sum(d.counts.get(v, 0) for d in results.dimensions) for v in scale],
            "total": tally.answered,
            "share": percent_text(ratio(tally.satisfied, tally.answered)),
        }
    )
    return rows


def _charts(results: Results):
    rules = results.scheme.survey
    rows = [Row(_local(d.name), d.counts, rules.satisfied_min_rating) for d in results.dimensions]
    scale = [(value, _local(text)) for value, text in rules.scale_labels]
    overall = [Row(gettext("总体评价（不计入满意度）"), results.tally.overall, rules.satisfied_min_rating)]
    return (
        result_svg(results.outcome),
        distribution_svg(rows, scale),
        distribution_svg(overall, scale, chart_id="overall"),
    )


@login_required
@require_GET
def survey_results_view(request, pk: int):
    survey = get_survey_for_user(request.user, pk)
    who = audience(request.user, survey)
    context = {"survey": survey, "application": survey.application, "who": who, "survey_url": _survey_url(survey)}
    if who == "enterprise" and not enterprise_may_see(survey):
        return render(request, "surveys/results_pending.html", context)
    results = survey_results(survey)
    detail = shows_detail(results, who)
    context.update(
        results=results,
        outcome=results.outcome,
        tally=results.tally,
        rules=results.scheme.survey,
        detail=detail,
        min_detail=MIN_RESPONDENTS_FOR_DETAIL,
        channels=[(label, results.tally.by_channel.get(value, 0)) for value, label in Channel.choices],
        scale=[(value, _local(text)) for value, text in results.scheme.survey.scale_labels],
        table_rows=_table_rows(results),
        response_rate_text=percent_text(results.response_rate),
        target_text=percent_text(results.target_reached),
        confidence_text=percent_text(results.scheme.survey.sample_size.confidence, places=0),
    )
    result_chart, distribution_chart, overall_chart = _charts(results)
    context.update(result_chart=result_chart)
    if detail:
        context.update(distribution_chart=distribution_chart, overall_chart=overall_chart)
    if who == "cb":
        context["flags"] = survey_flags(survey, results.scheme)
        context["flag_details"] = may_see_personal_data(request.user)
        context["comment_count"], context["comments"] = comments(survey)
    return render(request, "surveys/results.html", context)


@login_required
@require_GET
def survey_report_view(request, pk: int):
    survey = get_survey_for_user(request.user, pk)
    who = audience(request.user, survey)
    if who == "enterprise" and not enterprise_may_see(survey):
        context = {"survey": survey, "application": survey.application, "who": who, "survey_url": _survey_url(survey)}
        return render(request, "surveys/results_pending.html", context, status=404)
    results = survey_results(survey)
    flags = survey_flags(survey, results.scheme) if who == "cb" else None
    pdf = survey_report_pdf(results, flags=flags, detail=shows_detail(results, who))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"满意度调查报告_{survey.application.reference}_第{survey.round}轮.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
