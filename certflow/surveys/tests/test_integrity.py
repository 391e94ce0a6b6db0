"""Suspicious patterns are flagged for the CB; ordinary answers raise no flag."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from certflow.surveys import integrity
from certflow.surveys.aggregates import scheme_of
from certflow.surveys.domain import Channel
from certflow.surveys.integrity import survey_flags
from certflow.surveys.tests.results_data import DIMENSIONS, answer, make_survey, uniform

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(enterprise_a, user_a, clerk):
    return make_survey(enterprise=enterprise_a, user=user_a, staff=clerk)


def varied(count: int, seed: int = 1):
    rng = random.Random(seed)
    return [({code: rng.randint(2, 5) for code in DIMENSIONS}, rng.randint(1, 5)) for _ in range(count)]


def codes(survey):
    return [flag.code for flag in survey_flags(survey, scheme_of(survey))]


def test_ordinary_answers_raise_no_flag(survey, auditor):
    # Distinct addresses, an hour apart in small groups, varied answers, calls 15 minutes apart.
    answer(survey, varied(60), step=timedelta(minutes=7))
    answer(survey, varied(12, seed=2), channel=Channel.PHONE_CALLBACK, recorded_by=auditor, step=timedelta(minutes=15))
    assert codes(survey) == []


def test_many_questionnaires_from_one_address_are_flagged(survey):
    answer(survey, varied(integrity.SAME_ADDRESS_MIN), address="198.51.100.7")
    answer(survey, varied(20, seed=3))
    [flag] = survey_flags(survey, scheme_of(survey))
    assert flag.code == "same_address" and flag.count == integrity.SAME_ADDRESS_MIN
    assert flag.detail == (f"198.51.100.7: {integrity.SAME_ADDRESS_MIN}",)


def test_one_fewer_from_one_address_is_not_flagged(survey):
    answer(survey, varied(integrity.SAME_ADDRESS_MIN - 1), address="198.51.100.7")
    assert "same_address" not in codes(survey)


def test_identical_answer_vectors_in_bulk_are_flagged(survey):
    answer(survey, [uniform(5)] * 12)
    answer(survey, varied(18))
    flags = {flag.code: flag for flag in survey_flags(survey, scheme_of(survey))}
    assert flags["identical_answers"].count == 12
    assert "5 5 5 5 5 / 5" in flags["identical_answers"].zh


def test_identical_vectors_that_are_a_small_share_are_not_flagged(survey):
    # Twelve all-5 answers among sixty: a satisfied minority, not a bulk pattern.
    answer(survey, [uniform(5)] * 12)
    answer(survey, varied(48))
    assert "identical_answers" not in codes(survey)


def test_a_skipped_dimension_makes_a_different_vector(survey):
    skipped = ({code: 5 for code in DIMENSIONS[:-1]}, 5)
    answer(survey, [uniform(5)] * 6 + [skipped] * 6)
    assert "identical_answers" not in codes(survey)


def test_a_burst_of_questionnaires_is_flagged(survey):
    answer(survey, varied(integrity.BURST_COUNT), step=timedelta(seconds=30))
    answer(survey, varied(10, seed=4), start=timezone.now() - timedelta(days=3), step=timedelta(hours=1))
    flags = {flag.code: flag for flag in survey_flags(survey, scheme_of(survey))}
    assert flags["burst"].count == 1


def test_the_same_number_spread_over_more_than_the_window_is_no_burst(survey):
    step = integrity.BURST_WINDOW / (integrity.BURST_COUNT - 1) + timedelta(seconds=1)
    answer(survey, varied(integrity.BURST_COUNT), step=step)
    assert "burst" not in codes(survey)


def test_call_backs_recorded_implausibly_fast_by_one_person_are_flagged(survey, auditor, lead_auditor):
    answer(survey, varied(5), channel=Channel.PHONE_CALLBACK, recorded_by=auditor, step=timedelta(seconds=40))
    # Another caller at the same time is a different person: their gaps are their own.
    answer(
        survey, varied(5, seed=5), channel=Channel.PHONE_CALLBACK, recorded_by=lead_auditor, step=timedelta(minutes=9)
    )
    flags = {flag.code: flag for flag in survey_flags(survey, scheme_of(survey))}
    assert flags["fast_callbacks"].count == 4
    assert flags["fast_callbacks"].detail == ("auditor@cb.example: 4",)


def test_flags_of_one_survey_ignore_another_survey(survey, enterprise_a, user_a, clerk):
    other = make_survey(enterprise=enterprise_a, user=user_a, staff=clerk)
    answer(other, [uniform(5)] * 20, address="198.51.100.9", step=timedelta(seconds=5))
    answer(survey, varied(20))
    assert codes(survey) == []
    assert set(codes(other)) == {"same_address", "identical_answers", "burst"}


def test_a_skipped_dimension_shows_as_a_dash_in_the_pattern(survey):
    skipped = ({code: 5 for code in DIMENSIONS[:-1]}, None)
    answer(survey, [skipped] * 12 + varied(6))
    flags = {flag.code: flag for flag in survey_flags(survey, scheme_of(survey))}
    assert flags["identical_answers"].detail == ("5 5 5 5 — / —: 12",)
