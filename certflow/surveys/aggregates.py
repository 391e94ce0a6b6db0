"""Counting a survey's answers in the database: a few grouped queries, whatever the number of answers.

The database returns at most (dimensions × scale points) rating groups and one row of response counts
per survey; only those small grouped rows are added up here, so 100,000 answers cost what 10 do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Count, Q

from certflow.core.schemes.entities import Scheme
from certflow.core.schemes.models import SchemeVersion
from certflow.surveys.domain import Channel
from certflow.surveys.models import Invitation, Rating, Response, Survey
from certflow.surveys.statistics import Outcome, evaluate, ratio, response_rate, target_reached


@lru_cache(maxsize=32)
def _parsed(pk: int, sha256: str) -> Scheme:
    # A recorded scheme version never changes (decisions S1): parse it once per process.
    return SchemeVersion.objects.get(pk=pk).as_scheme()


def scheme_of(survey: Survey) -> Scheme:
    version = survey.scheme_version
    return _parsed(version.pk, version.sha256)


@dataclass(frozen=True)
class Tally:
    survey_id: int
    invited: int
    sent: int
    respondents: int
    by_channel: dict[str, int]
    # {dimension code: {rating: count}} with every scale point present (zeros included)
    per_dimension: dict[str, dict[int, int]]
    overall: dict[int, int]
    overall_skipped: int
    answered: int
    satisfied: int
    unknown_dimensions: dict[str, int] = field(default_factory=dict)

    def dimension_total(self, code: str) -> int:
        return sum(self.per_dimension.get(code, {}).values())

    def dimension_satisfied(self, code: str, min_rating: int) -> int:
        return sum(n for value, n in self.per_dimension.get(code, {}).items() if value >= min_rating)


def _channel_counts():
    return {
        f"channel_{channel}": Count("id", filter=Q(channel=channel))
        for channel in Channel.values  # a fixed list: the query's shape does not depend on the data
    }


def _overall_counts(scale: range):
    counts = {f"overall_{value}": Count("id", filter=Q(overall=value)) for value in scale}
    counts["overall_skipped"] = Count("id", filter=Q(overall__isnull=True))
    return counts


def tallies_for(survey_ids: Iterable[int]) -> dict[int, Tally]:
    """Tallies of several surveys in four queries (surveys, invitations, responses, ratings)."""
    ids = sorted(set(survey_ids))
    if not ids:
        return {}
    # Only the version's key is needed (scheme_of caches the parse): its stored document is tens of kilobytes
    # of JSON that would otherwise be decoded once per survey (minutes over every survey, bench/RESULTS.md).
    surveys = {
        s.pk: s
        for s in Survey.objects.filter(pk__in=ids).select_related("scheme_version").defer("scheme_version__content")
    }
    schemes = {pk: scheme_of(s) for pk, s in surveys.items()}
    widest = range(
        min((sc.survey.scale_min for sc in schemes.values()), default=1),
        max((sc.survey.scale_max for sc in schemes.values()), default=5) + 1,
    )

    invitations = {
        row["survey_id"]: row
        for row in Invitation.objects.filter(survey_id__in=surveys)
        .values("survey_id")
        .annotate(invited=Count("id"), sent=Count("id", filter=Q(sent_at__isnull=False)))
        .order_by()
    }
    responses = {
        row["survey_id"]: row
        for row in Response.objects.filter(survey_id__in=surveys)
        .values("survey_id")
        .annotate(respondents=Count("id"), **_channel_counts(), **_overall_counts(widest))
        .order_by()
    }
    ratings: dict[int, list[dict]] = {pk: [] for pk in surveys}
    for row in (
        Rating.objects.filter(response__survey_id__in=surveys)
        .values("response__survey_id", "dimension", "value")
        .annotate(n=Count("id"))
        .order_by()
    ):
        ratings[row["response__survey_id"]].append(row)

    return {pk: _tally(pk, schemes[pk], invitations.get(pk, {}), responses.get(pk, {}), ratings[pk]) for pk in surveys}


def _tally(pk: int, scheme: Scheme, invitations: dict, responses: dict, ratings: list[dict]) -> Tally:
    rules = scheme.survey
    scale = range(rules.scale_min, rules.scale_max + 1)
    per_dimension = {code: dict.fromkeys(scale, 0) for code in rules.dimension_codes}
    unknown: dict[str, int] = {}
    for row in ratings:
        if row["dimension"] in per_dimension and row["value"] in scale:
            per_dimension[row["dimension"]][row["value"]] += row["n"]
        else:
            # Kept out of the result and shown to CB staff: the scheme defines which ratings count.
            unknown[row["dimension"]] = unknown.get(row["dimension"], 0) + row["n"]
    answered = sum(sum(counts.values()) for counts in per_dimension.values())
    satisfied = sum(
        n for counts in per_dimension.values() for value, n in counts.items() if value >= rules.satisfied_min_rating
    )
    return Tally(
        survey_id=pk,
        invited=invitations.get("invited", 0),
        sent=invitations.get("sent", 0),
        respondents=responses.get("respondents", 0),
        by_channel={channel: responses.get(f"channel_{channel}", 0) for channel in Channel.values},
        per_dimension=per_dimension,
        overall={value: responses.get(f"overall_{value}", 0) for value in scale},
        overall_skipped=responses.get("overall_skipped", 0),
        answered=answered,
        satisfied=satisfied,
        unknown_dimensions=unknown,
    )


def survey_tally(survey: Survey) -> Tally:
    return tallies_for([survey.pk])[survey.pk]


def survey_outcome(survey: Survey, tally: Tally) -> tuple[Outcome, bool]:
    """The result to show, and whether it is final: once closed, the counts frozen at closing decide
    (a later scheme edit or a stray row cannot move a decided result); before that, the live tally."""
    rules = scheme_of(survey).survey
    if survey.result_answered is not None and survey.result_satisfied is not None:
        return evaluate(survey.result_answered, survey.result_satisfied, rules), True
    return evaluate(tally.answered, tally.satisfied, rules), False


@dataclass(frozen=True)
class DimensionResult:
    code: str
    name: object  # the scheme's Text (zh/en)
    counts: dict[int, int]
    answered: int
    satisfied: int

    @property
    def share(self):
        return ratio(self.satisfied, self.answered)


@dataclass(frozen=True)
class Results:
    """Everything the results page, the API and the PDF show, computed once per request."""

    survey: Survey
    scheme: Scheme
    tally: Tally
    outcome: Outcome
    final: bool
    dimensions: tuple[DimensionResult, ...]

    @property
    def response_rate(self):
        return response_rate(self.tally.respondents, self.tally.invited)

    @property
    def target_reached(self):
        return target_reached(self.tally.respondents, self.survey.sample_size)


def survey_results(survey: Survey) -> Results:
    scheme = scheme_of(survey)
    rules = scheme.survey
    tally = survey_tally(survey)
    outcome, final = survey_outcome(survey, tally)
    dimensions = tuple(
        DimensionResult(
            code=d.code,
            name=d.name,
            counts=tally.per_dimension[d.code],
            answered=tally.dimension_total(d.code),
            satisfied=tally.dimension_satisfied(d.code, rules.satisfied_min_rating),
        )
        for d in rules.dimensions
    )
    return Results(survey, scheme, tally, outcome, final, dimensions)
