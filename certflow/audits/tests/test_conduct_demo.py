"""The conduct demo step: an audit in progress, one in corrections, one passed; idempotent."""

import io

import pytest
from django.core.management import call_command

from certflow.applications.domain import ApplicationStatus
from certflow.audits.demo_conduct import CORRECTIONS, IN_PROGRESS, PASSED
from certflow.audits.domain import AuditStatus
from certflow.audits.models import Audit, ClosingMeeting, Finding, NonconformityConfirmation
from certflow.core.events.models import Event
from certflow.core.events.services import verify_chain
from certflow.reviews.models import Nonconformity

pytestmark = pytest.mark.django_db


def test_the_demo_shows_each_conduct_state_and_loads_twice_without_duplicates():
    call_command("demo", stdout=io.StringIO())
    audits = {a.enterprise.name: a for a in Audit.objects.select_related("enterprise", "application")}
    in_progress = audits[IN_PROGRESS[0]]
    assert in_progress.status == AuditStatus.IN_PROGRESS
    assert 0 < in_progress.findings.count() < 32
    confirmed = NonconformityConfirmation.objects.filter(nonconformity__audit=in_progress).count()
    assert in_progress.nonconformities.count() == 2 and confirmed == 1
    corrections = audits[CORRECTIONS[0]]
    assert corrections.status == AuditStatus.CORRECTIONS
    assert corrections.application.status == ApplicationStatus.ONSITE_CORRECTIONS
    assert sorted(corrections.nonconformities.values_list("grade", flat=True)) == ["major", "minor"]
    meeting = ClosingMeeting.objects.get(audit=corrections)
    assert meeting.held_at.date() == meeting.recorded_at.date()  # record times match the audit days
    passed = audits[PASSED[0]]
    assert passed.status == AuditStatus.PASSED
    # The decisions demo (after this one) takes the passed application on to its certification decision.
    assert passed.application.status in (ApplicationStatus.ONSITE_AUDIT_PASSED, ApplicationStatus.DECISION)

    counts = (Finding.objects.count(), Nonconformity.objects.count(), ClosingMeeting.objects.count())
    events = Event.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert (Finding.objects.count(), Nonconformity.objects.count(), ClosingMeeting.objects.count()) == counts
    assert not [e.action for e in Event.objects.order_by("id")[events:] if e.action.startswith(("audit.", "nonconf"))]
    assert verify_chain().problem is None
