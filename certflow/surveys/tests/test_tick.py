"""surveys.reminders in `certflow tick`: one reminder per unanswered, invited customer N days before closing;
the owner hears once of a survey left open past its closing day; a second run the same day changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certflow.lifecycle import ticking
from certflow.notifications.models import Notification
from certflow.surveys import services
from certflow.surveys.models import Dispatch, Invitation
from certflow.surveys.senders import MemorySmsSender
from certflow.surveys.tests.helpers import open_survey, send_links
from certflow.surveys.tick import reminder_due, reminders_step

pytestmark = pytest.mark.django_db


def run(day):
    step = [s for s in ticking.discover_steps() if s.name == "surveys.reminders"]
    return ticking.run_tick(day, steps=step)[0]


def test_reminder_window():
    today = timezone.localdate()
    closes = today + timedelta(days=3)
    assert not reminder_due(closes, today - timedelta(days=1), 3)
    assert reminder_due(closes, today, 3)
    assert reminder_due(closes, closes, 3)
    assert not reminder_due(closes, closes + timedelta(days=1), 3)


@pytest.fixture
def survey(enterprise_a, user_a, clerk):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=30)
    send_links(survey, clerk)
    return survey


def test_unanswered_customers_are_reminded_once_with_a_fresh_link(survey, settings):
    settings.CERTFLOW_SURVEY_REMINDER_DAYS = 3
    invitations = list(survey.invitations.order_by("pk"))
    answered = invitations[0]
    Invitation.objects.filter(pk=answered.pk).update(used_at=timezone.now())
    old_hash = invitations[1].token_hash
    MemorySmsSender.outbox.clear()

    early = survey.closes_on - timedelta(days=4)
    assert run(early).counts == {"reminded": 0, "overdue_reported": 0}
    day = survey.closes_on - timedelta(days=3)
    assert run(day).counts == {"reminded": len(invitations) - 1, "overdue_reported": 0}
    assert len(MemorySmsSender.outbox) == len(invitations) - 1
    assert all("提醒" in m.text and "/s/" in m.text for m in MemorySmsSender.outbox)
    assert Dispatch.objects.filter(invitation=answered, detail__startswith="reminder").count() == 0
    fresh = Invitation.objects.get(pk=invitations[1].pk)
    assert fresh.token_hash != old_hash  # the reminder's link replaces the earlier one
    # The link in the reminder works.
    token = MemorySmsSender.outbox[0].text.split("/s/")[1].split("/")[0]
    assert services.invitation_for_token(token).survey_id == survey.pk

    dispatches = Dispatch.objects.count()
    # The same day again (a retried step) and the next days: nothing more.
    assert reminders_step(day) == {"reminded": 0, "overdue_reported": 0}
    assert run(day).outcome == "skipped"
    assert run(day + timedelta(days=1)).counts == {"reminded": 0, "overdue_reported": 0}
    assert Dispatch.objects.count() == dispatches


def test_customers_never_sent_a_link_get_no_reminder(enterprise_a, user_a, clerk):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=30)
    MemorySmsSender.outbox.clear()
    assert run(survey.closes_on).counts["reminded"] == 0
    assert MemorySmsSender.outbox == []


def test_owner_is_told_once_when_the_closing_day_passed(survey, clerk, programme_manager):
    assert run(survey.closes_on).counts["overdue_reported"] == 0
    assert run(survey.closes_on + timedelta(days=1)).counts["overdue_reported"] == 1
    told = Notification.objects.filter(kind="survey.close_overdue")
    assert set(told.values_list("recipient", flat=True)) == {clerk.pk, programme_manager.pk}
    assert run(survey.closes_on + timedelta(days=2)).counts["overdue_reported"] == 0
    assert told.count() == 2


def test_a_closed_survey_is_not_reported(survey, clerk):
    survey.status = "passed"
    survey.save(update_fields=["status"])
    assert run(survey.closes_on + timedelta(days=1)).counts == {"reminded": 0, "overdue_reported": 0}
