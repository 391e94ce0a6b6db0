"""The demo step: every review state once, made through the services, and idempotent."""

import io

import pytest
from django.core.management import call_command

from certflow.applications.domain import ApplicationStatus
from certflow.core.events.models import Event
from certflow.core.events.services import verify_chain
from certflow.reviews.domain import ActionDecision, NonconformityState, ReviewStatus
from certflow.reviews.models import CorrectiveAction, DocumentReview, Nonconformity

pytestmark = pytest.mark.django_db


def test_the_demo_shows_each_review_state_and_loads_twice_without_duplicates():
    call_command("demo", stdout=io.StringIO())
    reviews = {
        r.application.enterprise.name: r for r in DocumentReview.objects.select_related("application__enterprise")
    }
    assert reviews["宁波巧手定制家居有限公司"].status == ReviewStatus.IN_PROGRESS
    assert 0 < reviews["宁波巧手定制家居有限公司"].entries.count() < 27
    corrections = reviews["厦门匠作定制橱柜有限公司"]
    assert corrections.status == ReviewStatus.CORRECTIONS
    assert corrections.application.status == ApplicationStatus.DOCUMENT_CORRECTIONS
    states = dict(corrections.nonconformities.values_list("grade", "state"))
    assert states == {"major": NonconformityState.ACTION_SUBMITTED, "minor": NonconformityState.RETURNED}
    assert corrections.completed_at.date() <= corrections.completed_on  # record times match the report date
    assert reviews["成都锦程定制服饰有限公司"].status == ReviewStatus.PASSED
    assert sorted(CorrectiveAction.objects.values_list("decision", flat=True)) == [
        ActionDecision.PENDING,
        ActionDecision.RETURNED,
    ]

    counts = (DocumentReview.objects.count(), Nonconformity.objects.count(), CorrectiveAction.objects.count())
    events = Event.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert (DocumentReview.objects.count(), Nonconformity.objects.count(), CorrectiveAction.objects.count()) == counts
    assert Event.objects.count() == events
    assert verify_chain().problem is None
