"""The demo step: legacy certificates through the importer, complaints and appeals; idempotent."""

from io import StringIO

import pytest

from certflow.certificates.models import Certificate
from certflow.lifecycle import demo
from certflow.lifecycle.models import Case, LegacyImport

pytestmark = pytest.mark.django_db


def test_the_demo_imports_lapses_and_records_cases_and_can_run_twice():
    from certflow.accounts import demo as accounts_demo
    from certflow.applications import demo as applications_demo
    from certflow.certificates import demo as certificates_demo
    from certflow.reviews import demo as reviews_demo

    out = StringIO()
    for step in (accounts_demo, applications_demo, reviews_demo, certificates_demo, demo):
        step.seed(out)
    outcomes = sorted(LegacyImport.objects.values_list("outcome", flat=True))
    assert outcomes == ["imported", "refused"]
    refused = LegacyImport.objects.get(outcome="refused")
    assert {r["line"] for r in refused.errors} == {3, 4, 5}
    assert Certificate.objects.get(number="OLS-DZ-2022-0088").status == "valid"  # re-certified in time
    assert Certificate.objects.filter(number__startswith="OLS-DZ-202", status="lapsed").count() >= 4
    assert set(Case.objects.values_list("status", flat=True)) == {"received", "in_progress", "closed"}
    assert Case.objects.filter(special_audit_requested=True).count() == 1
    before = (LegacyImport.objects.count(), Certificate.objects.count(), Case.objects.count())
    demo.seed(out)
    assert (LegacyImport.objects.count(), Certificate.objects.count(), Case.objects.count()) == before


def test_the_demo_adds_change_reports_a_reduced_scope_and_a_major_event_once():
    from certflow.accounts import demo as accounts_demo
    from certflow.applications import demo as applications_demo
    from certflow.certificates import demo as certificates_demo
    from certflow.lifecycle.models import ChangeReport, MajorEvent
    from certflow.reviews import demo as reviews_demo

    out = StringIO()
    for step in (accounts_demo, applications_demo, reviews_demo, certificates_demo):
        step.seed(out)
    logins = demo.seed(out)
    assert ("owner@yaju.example", "企业管理员 · 广州雅居定制家居有限公司 · 证书因重大事件暂停") in logins
    assert sorted(ChangeReport.objects.values_list("status", flat=True)) == ["assessed", "submitted"]
    event = MajorEvent.objects.get()
    assert event.certificate.status == "suspended" and event.suspended_certificate
    reduced = Certificate.objects.get(supersedes__isnull=False, supersedes__is_legacy=False)
    assert reduced.expires_on == reduced.supersedes.expires_on
    assert "delivery_installation" not in reduced.scope_services
    assert reduced.supersedes.status == "superseded"
    before = (ChangeReport.objects.count(), MajorEvent.objects.count(), Certificate.objects.count())
    assert demo.seed(out) == logins
    assert (ChangeReport.objects.count(), MajorEvent.objects.count(), Certificate.objects.count()) == before
