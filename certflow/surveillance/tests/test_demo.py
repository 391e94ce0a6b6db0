"""The demo step: every programme state, and a surveillance major that suspended its certificate; idempotent."""

from collections import Counter
from io import StringIO

import pytest

from certflow.audits.models import Audit
from certflow.certificates.demo import seed as certificates_seed
from certflow.surveillance import demo
from certflow.surveillance.models import SurveillanceSuspension
from certflow.surveillance.selectors import in_force, programme_rows, today

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_state_and_can_run_twice(settings):
    from certflow.accounts import demo as accounts_demo
    from certflow.applications import demo as applications_demo
    from certflow.auditors import demo as auditors_demo
    from certflow.certificates import signing
    from certflow.reviews import demo as reviews_demo

    settings.CERTFLOW_CERTIFICATE_SIGNING_KEY = signing.new_seed()
    out = StringIO()
    for step in (accounts_demo, applications_demo, reviews_demo, auditors_demo):
        step.seed(out)
    certificates_seed(out)
    demo.seed(out)
    programme = programme_rows(in_force(), on=today())
    states = Counter(row.state for row in programme.rows)
    assert {"overdue", "planned", "due", "not_yet_open"} <= set(states)
    done = [o for row in programme.rows for o in row.obligations if o.state == "done"]
    assert len(done) >= 2
    suspension = SurveillanceSuspension.objects.select_related("certificate").get()
    assert suspension.certificate.status == "suspended" and suspension.nonconformities
    assert suspension.nonconformities[0] in suspension.certificate.status_reason
    audits = Audit.objects.filter(audit_type="surveillance").count()
    demo.seed(out)
    assert Audit.objects.filter(audit_type="surveillance").count() == audits
