"""The demo step: one decision open (2 of 3 opinions), one granted, one refused, through the services; twice."""

from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from certflow.accounts.models import User
from certflow.decisions import demo
from certflow.decisions.domain import MEMBER_ROLE
from certflow.decisions.models import Decision, Opinion

pytestmark = pytest.mark.django_db(transaction=False)

STEPS_BEFORE = (
    "certflow.accounts.demo",
    "certflow.applications.demo",
    "certflow.reviews.demo",
    "certflow.surveys.demo",
    "certflow.auditors.demo",
    "certflow.audits.demo",
    "certflow.audits.demo_conduct",
    "certflow.certificates.demo",
)


def test_the_demo_has_an_open_a_granted_and_a_refused_decision_and_runs_twice(settings, tmp_path):
    from importlib import import_module

    settings.MEDIA_ROOT = str(tmp_path)
    out = StringIO()
    for step in STEPS_BEFORE:
        import_module(step).seed(out)
    logins = demo.seed(out)
    decisions = {d.enterprise.name: d for d in Decision.objects.select_related("enterprise", "certificate")}
    assert decisions[demo.GRANTED[0]].status == "granted"
    certificate = decisions[demo.GRANTED[0]].certificate
    assert certificate.grade_code == decisions[demo.GRANTED[0]].grade_code != ""
    refused = decisions[demo.REFUSED[0]]
    assert refused.status == "refused" and refused.notice_sha256
    assert any("满意度" in zh for zh, _en in refused.reasons)
    still_open = decisions[demo.GUSU[0]]
    assert still_open.status == "open"
    assert Opinion.objects.filter(decision=still_open).count() == 2
    assert still_open.members.filter(removed_at__isnull=True).count() == 3
    assert demo.COMMITTEE[0][0] in {email for email, _ in logins}
    demo.seed(out)
    assert Decision.objects.count() == 3 and Opinion.objects.count() == 8


def test_a_people_only_world_has_the_committee_quorum_with_second_factor(settings, tmp_path):
    """`demo --people-only` (the browser scenarios' world) must seat a committee of three, or no decision can be
    made there; every member gets the demo authenticator, as other staff do."""
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("demo", "--people-only", stdout=StringIO())
    members = [u for u in User.objects.filter(email__in=[e for e, _ in demo.COMMITTEE]) if MEMBER_ROLE in u.roles]
    assert len(members) == 3
    assert not Decision.objects.exists()  # the people only: no applications, no decisions
    assert TOTPDevice.objects.filter(user__in=members, confirmed=True).count() == 3
