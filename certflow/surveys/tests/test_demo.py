"""The survey demo: one survey per state, deterministic customers, idempotent."""

import io
from importlib import import_module

import pytest
from django.core.management import call_command

from certflow.surveys.demo import customers
from certflow.surveys.models import Customer, Response, Survey

pytestmark = pytest.mark.django_db
STEPS = ("certflow.accounts.demo", "certflow.applications.demo", "certflow.reviews.demo", "certflow.surveys.demo")


def _seed():
    for step in STEPS:
        import_module(step).seed(io.StringIO())


def test_demo_surveys_in_each_state_and_idempotent():
    call_command("scheme", "sync", stdout=io.StringIO())
    _seed()
    states = set(Survey.objects.values_list("status", flat=True))
    assert states == {"collecting", "open", "passed", "improvement_submitted"}
    open_survey = Survey.objects.get(status="open")
    assert set(open_survey.responses.values_list("channel", flat=True)) == {"questionnaire", "phone_callback"}
    assert Survey.objects.get(status="improvement_submitted").result_passed is False
    counts = (Survey.objects.count(), Customer.objects.count(), Response.objects.count())
    _seed()
    assert (Survey.objects.count(), Customer.objects.count(), Response.objects.count()) == counts


def test_demo_customers_are_deterministic():
    assert customers(7, 20, ("定制家具",)) == customers(7, 20, ("定制家具",))
    rows = customers(7, 20, ("定制家具",))
    assert all(len(r[1]) == 11 and r[1][0] == "1" for r in rows)
