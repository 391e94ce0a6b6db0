"""The demo step: one certificate in every status, made through the services, idempotent."""

from io import StringIO

import pytest

from certflow.certificates import demo
from certflow.certificates.models import Certificate, CertificateStatusChange
from certflow.core.events.models import Event

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_status_and_can_run_twice():
    from certflow.accounts import demo as accounts_demo
    from certflow.applications import demo as applications_demo
    from certflow.reviews import demo as reviews_demo

    out = StringIO()
    for step in (accounts_demo, applications_demo, reviews_demo, demo):
        step.seed(out)
    statuses = dict(Certificate.objects.values_list("number", "status"))
    assert set(statuses.values()) == {"valid", "suspended", "revoked", "expired", "lapsed", "superseded"}
    assert (
        Event.objects.filter(action__startswith="certificate.").count()
        == CertificateStatusChange.objects.filter(from_status__gt="").exclude(to_status="superseded").count()
        + Certificate.objects.count()
    )
    for certificate in Certificate.objects.all():
        assert 2023 <= certificate.issued_on.year <= 2026
    count = Certificate.objects.count()
    demo.seed(out)
    assert Certificate.objects.count() == count
