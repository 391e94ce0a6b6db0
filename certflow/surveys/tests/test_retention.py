"""The retention job (decisions PD3): a closed survey's customers' personal data go after the period; the
counts, ratings, result and statistics read the same; nothing happens before the period or twice."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from certflow.core.events.models import Event
from certflow.lifecycle import ticking
from certflow.surveys import services
from certflow.surveys.aggregates import survey_results
from certflow.surveys.models import CallAttempt, Customer, ImportJob, ImportRow, Response, Survey
from certflow.surveys.retention import ANONYMOUS_NAME, anonymise, cutoff, retention_step
from certflow.surveys.tests.helpers import ALL_FIVE, open_survey, send_links

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_survey(enterprise_a, user_a, clerk):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=30)
    tokens = send_links(survey, clerk)
    services.response_submit(
        token=tokens[0], ratings=ALL_FIVE, comment="王先生很满意，电话13912345678", address="10.1.2.3", user_agent="UA"
    )
    services.response_submit(token=tokens[1], ratings=ALL_FIVE)
    unanswered = survey.invitations.filter(used_at__isnull=True).first()
    services.call_record(by=clerk, invitation=unanswered, outcome="no_answer", note="对方说下午再打给李女士")
    return services.survey_close(by=clerk, survey=survey)


def _age(survey, months_and_a_day):
    """Pretend the survey closed long ago: the period counts from closed_at."""
    Survey.objects.filter(pk=survey.pk).update(closed_at=timezone.now() - months_and_a_day)


def test_the_cutoff_counts_calendar_months():
    from datetime import date

    assert cutoff(date(2029, 3, 31), 36) == date(2026, 3, 31)
    assert cutoff(date(2029, 2, 28), 12) == date(2028, 2, 28)


def test_nothing_is_anonymised_before_the_period_ends(closed_survey, settings):
    settings.CERTFLOW_SURVEY_RETENTION_MONTHS = 36
    _age(closed_survey, timedelta(days=365 * 3 - 5))
    assert retention_step(timezone.localdate()) == {"surveys_anonymised": 0}
    assert not Customer.objects.filter(survey=closed_survey, name=ANONYMOUS_NAME).exists()


def test_after_the_period_personal_data_go_and_the_statistics_stay(
    closed_survey, settings, django_capture_on_commit_callbacks
):
    settings.CERTFLOW_SURVEY_RETENTION_MONTHS = 36
    before = survey_results(Survey.objects.get(pk=closed_survey.pk))
    job = ImportJob.objects.get(survey=closed_survey)
    assert job.storage_name and default_storage.exists(job.storage_name)
    stored = job.storage_name
    _age(closed_survey, timedelta(days=365 * 3 + 2))

    with django_capture_on_commit_callbacks(execute=True):
        assert retention_step(timezone.localdate()) == {"surveys_anonymised": 1}

    survey = Survey.objects.get(pk=closed_survey.pk)
    assert survey.anonymised_at is not None
    customers = Customer.objects.filter(survey=survey)
    assert customers.count() == 30
    assert set(customers.values_list("name", flat=True)) == {ANONYMOUS_NAME}
    # Each phone becomes "anon-<the row's own id>": still unique in the survey, and nothing of the number.
    assert all(phone == f"anon-{pk}" for pk, phone in customers.values_list("pk", "phone"))
    assert not customers.exclude(email="").exists() and not customers.exclude(order_id="").exists()
    assert not ImportRow.objects.filter(job__survey=survey).exclude(data={}).exists()
    assert ImportJob.objects.get(pk=job.pk).storage_name == "" and not default_storage.exists(stored)
    answered = Response.objects.filter(survey=survey)
    assert answered.count() == 2
    assert not answered.exclude(comment="").exists() and not answered.filter(client_address__isnull=False).exists()
    assert not CallAttempt.objects.filter(invitation__survey=survey).exclude(note="").exists()
    # The record of the certification reads the same.
    after = survey_results(survey)
    assert (survey.result_answered, survey.result_satisfied, survey.result_passed) == (
        closed_survey.result_answered,
        closed_survey.result_satisfied,
        closed_survey.result_passed,
    )
    assert after == before
    event = Event.objects.filter(action="survey.anonymised").get()
    assert event.after["customers"] == 30 and event.after["retention_months"] == 36
    assert "王先生" not in str(event.after) and "139" not in str(event.after)


def test_a_second_run_changes_nothing(closed_survey, settings):
    settings.CERTFLOW_SURVEY_RETENTION_MONTHS = 12
    _age(closed_survey, timedelta(days=400))
    assert anonymise(closed_survey)
    first = Survey.objects.get(pk=closed_survey.pk).anonymised_at
    assert anonymise(closed_survey) == {}
    assert retention_step(timezone.localdate()) == {"surveys_anonymised": 0}
    assert Survey.objects.get(pk=closed_survey.pk).anonymised_at == first
    assert Event.objects.filter(action="survey.anonymised").count() == 1


def test_an_open_survey_is_never_anonymised(enterprise_a, user_a, clerk, settings):
    settings.CERTFLOW_SURVEY_RETENTION_MONTHS = 1
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=30)
    assert anonymise(survey) == {}
    assert not Customer.objects.filter(survey=survey, name=ANONYMOUS_NAME).exists()


def test_the_step_is_part_of_the_daily_sweep(closed_survey, settings):
    settings.CERTFLOW_SURVEY_RETENTION_MONTHS = 12
    _age(closed_survey, timedelta(days=400))
    step = [s for s in ticking.discover_steps() if s.name == "surveys.retention"]
    assert len(step) == 1
    result = ticking.run_tick(timezone.localdate(), steps=step)[0]
    assert result.outcome == "done" and result.counts == {"surveys_anonymised": 1}


def test_closing_through_the_page_freezes_the_result_and_records_it(client, enterprise_a, user_a, clerk):
    """The page's close button (issue 10 item 4: the request writes its event with the change)."""
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=30)
    tokens = send_links(survey, clerk)
    services.response_submit(token=tokens[0], ratings=ALL_FIVE)
    client.force_login(clerk)
    response = client.post(f"/surveys/{survey.pk}/close/")
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.closed_at is not None and survey.result_answered is not None
    assert Event.objects.filter(target_id=str(survey.pk), action__startswith="survey.clos").count() == 1
