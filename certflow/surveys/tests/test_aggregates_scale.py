"""Tallying many surveys must not load each survey's scheme document (bench/RESULTS.md, issue 9)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certflow.surveys.aggregates import tallies_for
from certflow.surveys.tests.results_data import DIMENSIONS, answer, make_survey

pytestmark = pytest.mark.django_db


def test_tallies_for_many_surveys_leave_the_scheme_document_in_the_database(enterprise_a, user_a, clerk):
    survey = make_survey(enterprise=enterprise_a, user=user_a, staff=clerk)
    answer(survey, [({code: 5 for code in DIMENSIONS}, 5)])
    tallies_for([survey.pk])  # the scheme is parsed once per process: not what is checked here
    with CaptureQueriesContext(connection) as queries:
        tally = tallies_for([survey.pk])[survey.pk]
    assert tally.satisfied == len(DIMENSIONS)
    survey_query = next(q["sql"] for q in queries.captured_queries if 'FROM "surveys_survey"' in q["sql"])
    # The version's key is read for the cached parse; its JSON content (tens of kilobytes) is not.
    assert '"schemes_schemeversion"."sha256"' in survey_query
    assert '"schemes_schemeversion"."content"' not in survey_query
    assert len(queries.captured_queries) == 4
