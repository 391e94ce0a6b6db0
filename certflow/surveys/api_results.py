"""GET /api/v1/survey-results/{id}/: the results page's numbers, with the same permissions and rules.

Fractions travel as numerator/denominator pairs so a client can decide exactly as we do; the percent
strings are the cut values the page prints. The Wilson interval is given as floats: it is information.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from certflow.surveys.aggregates import Results, survey_results
from certflow.surveys.integrity import survey_flags
from certflow.surveys.permissions import get_survey_for_user, may_see_personal_data
from certflow.surveys.statistics import MIN_RESPONDENTS_FOR_DETAIL
from certflow.surveys.views_results import audience, enterprise_may_see, shows_detail


class FractionSerializer(serializers.Serializer):
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()


class ThresholdSerializer(FractionSerializer):
    inclusive = serializers.BooleanField()


class IntervalSerializer(serializers.Serializer):
    method = serializers.CharField(help_text="wilson")
    confidence = FractionSerializer()
    low = serializers.FloatField()
    high = serializers.FloatField()
    text = serializers.CharField()


class ResultSerializer(serializers.Serializer):
    answered = serializers.IntegerField(help_text="answered ratings, pooled over respondents and dimensions")
    satisfied = serializers.IntegerField(help_text="answered ratings at or above the scheme's satisfied rating")
    share = FractionSerializer(allow_null=True)
    share_text = serializers.CharField(help_text="percent cut (never rounded up) to one decimal, e.g. 79.9 %")
    verdict = serializers.CharField(help_text="passed | failed | no_result (nothing answered)")
    passed = serializers.BooleanField(allow_null=True)
    final = serializers.BooleanField(help_text="frozen at closing; false while the survey runs (provisional)")
    threshold = ThresholdSerializer()
    interval = IntervalSerializer(allow_null=True, help_text="information only; never the pass rule")
    definition_zh = serializers.CharField()
    definition_en = serializers.CharField()


class ResponseCountsSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    sent = serializers.IntegerField()
    respondents = serializers.IntegerField()
    by_channel = serializers.DictField(child=serializers.IntegerField())
    response_rate = FractionSerializer(allow_null=True)
    sample_size = serializers.IntegerField(allow_null=True)


class DimensionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="rating → number of answers")
    answered = serializers.IntegerField()
    satisfied = serializers.IntegerField()


class OverallSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    skipped = serializers.IntegerField()


class FlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    zh = serializers.CharField()
    en = serializers.CharField()
    count = serializers.IntegerField()
    detail = serializers.ListField(child=serializers.CharField(), help_text="survey staff only; else empty")


class SurveyResultsSerializer(serializers.Serializer):
    survey = serializers.IntegerField()
    application = serializers.CharField()
    enterprise = serializers.CharField()
    round = serializers.IntegerField()
    status = serializers.CharField()
    available = serializers.BooleanField(help_text="false for the enterprise until the survey is closed")
    responses = ResponseCountsSerializer(allow_null=True)
    result = ResultSerializer(allow_null=True)
    dimensions = DimensionSerializer(many=True, allow_null=True, help_text=f"null below {MIN_RESPONDENTS_FOR_DETAIL}")
    overall = OverallSerializer(allow_null=True)
    flags = FlagSerializer(many=True, allow_null=True, help_text="CB staff only; null for the enterprise")


def _fraction(value):
    return None if value is None else {"numerator": value.numerator, "denominator": value.denominator}


def results_payload(results: Results, *, who: str, flag_details: bool) -> dict:
    survey, tally, outcome = results.survey, results.tally, results.outcome
    rules = results.scheme.survey
    detail = shows_detail(results, who)
    interval = outcome.interval
    flags = None
    if who == "cb":
        flags = [
            {
                "code": f.code,
                "zh": f.zh,
                "en": f.en,
                "count": f.count,
                "detail": list(f.detail) if flag_details else [],
            }
            for f in survey_flags(survey, results.scheme)
        ]
    return {
        "responses": {
            "invited": tally.invited,
            "sent": tally.sent,
            "respondents": tally.respondents,
            "by_channel": tally.by_channel,
            "response_rate": _fraction(results.response_rate),
            "sample_size": survey.sample_size,
        },
        "result": {
            "answered": outcome.answered,
            "satisfied": outcome.satisfied,
            "share": _fraction(outcome.share),
            "share_text": outcome.share_text,
            "verdict": outcome.verdict,
            "passed": outcome.passed,
            "final": results.final,
            "threshold": {**_fraction(outcome.threshold), "inclusive": outcome.inclusive},
            "interval": None
            if interval is None
            else {
                "method": "wilson",
                "confidence": _fraction(interval.confidence),
                "low": interval.low,
                "high": interval.high,
                "text": outcome.interval_text,
            },
            "definition_zh": rules.result_definition.zh,
            "definition_en": rules.result_definition.en,
        },
        "dimensions": [
            {
                "code": d.code,
                "name_zh": d.name.zh,
                "name_en": d.name.en,
                "counts": {str(k): v for k, v in d.counts.items()},
                "answered": d.answered,
                "satisfied": d.satisfied,
            }
            for d in results.dimensions
        ]
        if detail
        else None,
        "overall": {"counts": {str(k): v for k, v in tally.overall.items()}, "skipped": tally.overall_skipped}
        if detail
        else None,
        "flags": flags,
    }


class SurveyResultsView(APIView):
    """The satisfaction result of one survey (5 认证模式 3: ≥ 80 %, 80 % included)."""

    @extend_schema(responses=SurveyResultsSerializer, operation_id="survey_results")
    def get(self, request, pk: int):
        survey = get_survey_for_user(request.user, pk)
        who = audience(request.user, survey)
        data = {
            "survey": survey.pk,
            "application": survey.application.reference,
            "enterprise": survey.enterprise.name,
            "round": survey.round,
            "status": survey.status,
            "available": who == "cb" or enterprise_may_see(survey),
            "responses": None,
            "result": None,
            "dimensions": None,
            "overall": None,
            "flags": None,
        }
        if data["available"]:
            data.update(
                results_payload(survey_results(survey), who=who, flag_details=may_see_personal_data(request.user))
            )
        return Response(SurveyResultsSerializer(data).data)
