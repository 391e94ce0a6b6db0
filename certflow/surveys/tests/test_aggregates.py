"""The database tally equals a recomputation in Python, and costs the same few queries at any size."""

import random
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certflow.surveys.aggregates import scheme_of, survey_outcome, survey_tally, tallies_for
from certflow.surveys.domain import Channel
from certflow.surveys.statistics import Verdict
from certflow.surveys.tests.results_data import DIMENSIONS, answer, invite, make_survey, uniform

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(enterprise_a, user_a, clerk):
    return make_survey(enterprise=enterprise_a, user=user_a, staff=clerk)


def random_vectors(rng: random.Random, count: int):
    vectors = []
    for _ in range(count):
        # Some dimensions skipped, and sometimes the overall rating too.
        ratings = {code: rng.randint(1, 5) for code in DIMENSIONS if rng.random() > 0.15}
        vectors.append((ratings, rng.choice([None, 1, 2, 3, 4, 5])))
    return vectors


def test_tally_equals_a_python_recount_on_random_data(survey, clerk):
    rng = random.Random(20261124)
    questionnaire = random_vectors(rng, 140)
    phone = random_vectors(rng, 35)
    answer(survey, questionnaire)
    answer(survey, phone, channel=Channel.PHONE_CALLBACK, recorded_by=clerk)
    invite(survey, 25, sent=False)  # drawn, link not yet sent, never answered

    tally = survey_tally(survey)

    every = questionnaire + phone
    ratings = [value for vector, _ in every for value in vector.values()]
    assert tally.answered == len(ratings)
    assert tally.satisfied == sum(value >= 4 for value in ratings)
    assert tally.respondents == 175
    assert tally.invited == 200 and tally.sent == 175
    assert tally.by_channel == {"questionnaire": 140, "phone_callback": 35}
    for code in DIMENSIONS:
        expected = {v: sum(1 for vector, _ in every if vector.get(code) == v) for v in range(1, 6)}
        assert tally.per_dimension[code] == expected
    assert tally.overall == {v: sum(1 for _, o in every if o == v) for v in range(1, 6)}
    assert tally.overall_skipped == sum(1 for _, o in every if o is None)
    # The scheme's own pure definition, fed every rating, agrees with the database count.
    assert scheme_of(survey).survey.satisfaction(ratings) == Fraction(tally.satisfied, tally.answered)


def test_ratings_outside_the_schemes_dimensions_do_not_count(survey):
    answer(survey, [({"product_quality": 5, "colour_of_box": 1}, 5)])
    tally = survey_tally(survey)
    assert (tally.answered, tally.satisfied) == (1, 1)
    assert tally.unknown_dimensions == {"colour_of_box": 1}


def test_an_empty_survey_has_zero_counts_and_no_result(survey):
    tally = survey_tally(survey)
    assert (tally.invited, tally.respondents, tally.answered) == (0, 0, 0)
    assert tally.per_dimension["service_attitude"] == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    outcome, final = survey_outcome(survey, tally)
    assert outcome.verdict == Verdict.NO_RESULT and not final


def test_a_closed_survey_is_judged_on_the_counts_frozen_at_closing(survey):
    answer(survey, [uniform(5)] * 3)
    survey.result_answered, survey.result_satisfied, survey.result_passed = 10, 7, False
    outcome, final = survey_outcome(survey, survey_tally(survey))
    assert final and outcome.verdict == Verdict.FAILED and outcome.fraction_text == "7 / 10"


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_query_count_is_the_same_for_10_and_1000_responses(enterprise_a, user_a, clerk):
    small = make_survey(enterprise=enterprise_a, user=user_a, staff=clerk)
    large = make_survey(enterprise=enterprise_a, user=user_a, staff=clerk)
    rng = random.Random(7)
    answer(small, random_vectors(rng, 10))
    answer(large, random_vectors(rng, 1000))
    survey_tally(small)  # parse the scheme once; the cache is per process
    assert _queries(lambda: survey_tally(small)) == _queries(lambda: survey_tally(large)) <= 4
    assert survey_tally(large).respondents == 1000


def test_several_surveys_are_tallied_in_a_constant_number_of_queries(enterprise_a, enterprise_b, user_a, user_b, clerk):
    surveys = [make_survey(enterprise=enterprise_a, user=user_a, staff=clerk) for _ in range(2)]
    surveys += [make_survey(enterprise=enterprise_b, user=user_b, staff=clerk) for _ in range(3)]
    for n, survey in enumerate(surveys):
        answer(survey, [uniform(5 - n % 3)] * (n + 1))
    tallies_for([surveys[0].pk])
    two = _queries(lambda: tallies_for([s.pk for s in surveys[:2]]))
    five = _queries(lambda: tallies_for([s.pk for s in surveys]))
    assert two == five <= 4
    tallies = tallies_for([s.pk for s in surveys])
    assert [tallies[s.pk].respondents for s in surveys] == [1, 2, 3, 4, 5]
    assert tallies[surveys[2].pk].satisfied == 0 and tallies[surveys[2].pk].answered == 15
    assert tallies_for([]) == {}
