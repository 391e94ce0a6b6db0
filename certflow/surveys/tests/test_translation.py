"""The English catalogue covers the survey pages."""

import pytest
from django.urls import reverse
from django.utils import translation

from certflow.surveys.domain import SurveyStatus
from certflow.surveys.tests.helpers import open_survey, send_links

pytestmark = pytest.mark.django_db


def test_status_labels_translate():
    with translation.override("en"):
        assert str(SurveyStatus.IMPROVEMENT_REQUIRED.label) == "Not passed; cause analysis and improvement due"


def test_questionnaire_in_english(client, enterprise_a, user_a, clerk):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=30)
    token = send_links(survey, clerk)[0]
    client.cookies["django_language"] = "en"
    body = client.get(reverse("survey_questionnaire", args=[token]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Custom-service satisfaction survey" in body and "Submit" in body
