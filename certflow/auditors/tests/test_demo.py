"""The demo step: the demo auditors registered with one of each flag, a conflict and unavailable days; idempotent."""

import io

import pytest
from django.core.management import call_command

from certflow.auditors.models import AuditorProfile, ConflictDeclaration, Unavailability
from certflow.auditors.selectors import register_list
from certflow.core.events.models import Event

pytestmark = pytest.mark.django_db


def test_the_demo_registers_auditors_and_loads_twice_without_duplicates():
    out = io.StringIO()
    call_command("demo", stdout=out)
    profiles = {p.user.email: p for p in register_list()}
    assert profiles["lead@olis-cert.example"].level == "lead_auditor"
    assert profiles["auditor@olis-cert.example"].level == "auditor"
    assert profiles["wu@olis-cert.example"].flag == "expired"
    conflict = ConflictDeclaration.objects.get()
    assert conflict.profile.user.email == "zheng@olis-cert.example"
    assert conflict.enterprise.name == "成都锦程定制服饰有限公司"
    assert Unavailability.objects.get().profile.user.email == "sun@olis-cert.example"
    assert "sun@olis-cert.example" in out.getvalue()

    counts = (AuditorProfile.objects.count(), ConflictDeclaration.objects.count(), Unavailability.objects.count())
    events = Event.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert (
        AuditorProfile.objects.count(),
        ConflictDeclaration.objects.count(),
        Unavailability.objects.count(),
    ) == counts
    assert Event.objects.count() == events
