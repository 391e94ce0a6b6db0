"""The demo step: one decision open (2 of 3 opinions), one granted, one refused, through the services; twice."""

from io import StringIO

import pytest

from certflow.decisions import demo
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
