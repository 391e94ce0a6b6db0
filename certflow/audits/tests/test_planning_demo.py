"""The planning demo step: an audit in each planning state, made through the services, idempotent."""

import io

import pytest
from django.core.management import call_command

from certflow.applications.models import Application
from certflow.audits.demo import NOTIFIED, PLANNING, PROPOSED
from certflow.audits.domain import AuditStatus
from certflow.audits.models import Audit, AuditNotice, DateProposal
from certflow.core.events.models import Event
from certflow.core.events.services import verify_chain
from certflow.reviews.demo import PASSED

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_audit_in_each_planning_state_and_loads_twice():
    call_command("demo", stdout=io.StringIO())
    status = {a.enterprise.name: a for a in Audit.objects.select_related("enterprise")}
    assert status[PLANNING[0]].status == AuditStatus.PLANNING
    proposed = status[PROPOSED[0]]
    assert proposed.status == AuditStatus.DATES_PROPOSED
    assert list(proposed.proposals.values_list("side", "response")) == [
        ("cb", "declined"),
        ("enterprise", "superseded"),
        ("cb", "pending"),
    ]
    scheduled = status[PASSED[0]]
    assert scheduled.status == AuditStatus.SCHEDULED and scheduled.team.count() == 2 and scheduled.schedule.exists()
    notified = status[NOTIFIED[0]]
    assert notified.notices.count() == 1
    assert all(day.startswith("2026-") for a in status.values() for day in a.days)

    counts = (
        Audit.objects.count(),
        DateProposal.objects.count(),
        AuditNotice.objects.count(),
        Application.objects.count(),
    )
    events = Event.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert (
        Audit.objects.count(),
        DateProposal.objects.count(),
        AuditNotice.objects.count(),
        Application.objects.count(),
    ) == counts
    new = Event.objects.order_by("id")[events:]
    assert not [e.action for e in new if e.action.startswith("audit.")]
    assert verify_chain().problem is None
