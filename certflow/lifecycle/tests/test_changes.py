"""Major-change reports and major events: rules, services, the suspension chain, pages, API, permissions."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from certflow.certificates.domain import CertificateStatus as S
from certflow.core.events.models import Event
from certflow.core.rules import RuleViolation
from certflow.lifecycle import changes, domain, ticking
from certflow.lifecycle.domain import ChangeAssessment, ChangeStatus, EventStatus
from certflow.lifecycle.models import ChangeReport, MajorEvent
from certflow.lifecycle.selectors import open_change_reports
from certflow.lifecycle.tests.conftest import TODAY
from certflow.notifications.models import Notification

pytestmark = pytest.mark.django_db
API_URLS = "certflow.lifecycle.tests.api_urls"


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def report(certificate, user, **extra):
    values = {"kind": "equipment", "description": "新增数控开料机两台", "effective_on": date(2026, 11, 1)}
    return changes.change_report_submit(by=user, certificate=certificate, today=TODAY, **(values | extra))


def event(certificate, user, **extra):
    values = {"kind": "quality_failure", "description": "市场抽检甲醛释放量超标", "occurred_on": date(2026, 11, 20)}
    return changes.major_event_record(by=user, certificate=certificate, today=TODAY, **(values | extra))


# --- pure rules -------------------------------------------------------------------------------------------


def test_change_report_rules_refuse_missing_facts_and_inactive_certificates():
    ok = {"kind": "process", "description": "x", "effective_on": TODAY, "certificate_status": "valid"}
    domain.check_change_report(**ok)
    domain.check_change_report(**ok | {"certificate_status": "suspended"})
    for bad, code in (
        ({"kind": "weather"}, "kind"),
        ({"description": "  "}, "description_required"),
        ({"effective_on": None}, "effective_on_required"),
        ({"certificate_status": "revoked"}, "certificate_not_active"),
        ({"certificate_status": "superseded"}, "certificate_not_active"),
    ):
        with pytest.raises(RuleViolation) as exc:
            domain.check_change_report(**ok | bad)
        assert exc.value.code == code


def test_assessment_needs_a_note_except_for_no_action_and_is_made_once():
    assert domain.check_change_assessment("submitted", "no_action", "") == "assessed"
    for assessment in ("review_at_next_surveillance", "special_audit_needed", "scope_change"):
        with pytest.raises(RuleViolation) as exc:
            domain.check_change_assessment("submitted", assessment, " ")
        assert exc.value.code == "note_required"
        assert domain.check_change_assessment("submitted", assessment, "why") == "assessed"
    with pytest.raises(RuleViolation, match="已评估"):
        domain.check_change_assessment("assessed", "no_action", "")
    with pytest.raises(RuleViolation) as exc:
        domain.check_change_assessment("submitted", "", "")
    assert exc.value.code == "assessment_required"


def test_major_event_rules():
    ok = {"kind": "safety_accident", "description": "x", "occurred_on": TODAY, "today": TODAY, "status": "valid"}
    domain.check_major_event(**ok)
    for bad, code in (
        ({"kind": "rumour"}, "kind"),
        ({"description": ""}, "description_required"),
        ({"occurred_on": TODAY + timedelta(days=1)}, "date"),
        ({"occurred_on": None}, "date"),
        ({"status": "expired"}, "certificate_not_active"),
    ):
        with pytest.raises(RuleViolation) as exc:
            domain.check_major_event(**ok | bad)
        assert exc.value.code == code
    assert domain.check_event_resolution("open", "verified on site") == "resolved"
    with pytest.raises(RuleViolation):
        domain.check_event_resolution("open", "")
    with pytest.raises(RuleViolation):
        domain.check_event_resolution("resolved", "again")


# --- change reports --------------------------------------------------------------------------------------


def test_enterprise_reports_a_change_and_the_programme_manager_is_told(
    issue, enterprise_a, user_a, programme_manager, django_assert_num_queries
):
    certificate = issue(enterprise_a)
    r = report(certificate, user_a)
    assert (r.status, r.enterprise, r.submitted_on) == (ChangeStatus.SUBMITTED, enterprise_a, TODAY)
    assert r.reference.startswith("BG-2026-")
    assert Event.objects.filter(action="change_report.submitted", target_id=str(r.pk)).exists()
    assert Notification.objects.filter(recipient=programme_manager, kind="change_report.submitted").count() == 1
    with django_assert_num_queries(1):
        assert open_change_reports([certificate.pk, 999]) == {certificate.pk: [r]}


def test_another_enterprise_and_other_staff_cannot_report(issue, enterprise_a, user_b, auditor):
    certificate = issue(enterprise_a)
    for who in (user_b, auditor):
        with pytest.raises(RuleViolation) as exc:
            report(certificate, who)
        assert exc.value.code == "not_allowed"
    assert not ChangeReport.objects.exists()


def test_no_change_report_on_a_revoked_certificate(issue, enterprise_a, user_a, programme_manager):
    from certflow.certificates import services

    certificate = issue(enterprise_a)
    services.certificate_revoke(by=programme_manager, certificate=certificate, reason="r", today=TODAY)
    with pytest.raises(RuleViolation) as exc:
        report(certificate, user_a)
    assert exc.value.code == "certificate_not_active"


@pytest.mark.parametrize("assessment", ["no_action", "review_at_next_surveillance", "scope_change"])
def test_assessment_is_recorded_and_the_enterprise_told(issue, enterprise_a, user_a, programme_manager, assessment):
    r = report(issue(enterprise_a), user_a)
    done = changes.change_report_assess(by=programme_manager, report=r, assessment=assessment, note="理由", today=TODAY)
    assert (done.status, done.assessment, done.assessed_by, done.assessed_on) == (
        ChangeStatus.ASSESSED,
        assessment,
        programme_manager,
        TODAY,
    )
    assert done.special_audit_reference == ""
    assert Notification.objects.filter(recipient=user_a, kind="change_report.assessed").count() == 1
    assert open_change_reports([r.certificate_id]) == {}
    with pytest.raises(RuleViolation, match="已评估"):
        changes.change_report_assess(by=programme_manager, report=r, assessment="no_action")


def test_special_audit_needed_creates_a_special_audit(issue, enterprise_a, user_a, programme_manager):
    from certflow.audits.models import Audit

    r = report(issue(enterprise_a), user_a)
    done = changes.change_report_assess(
        by=programme_manager, report=r, assessment=ChangeAssessment.SPECIAL_AUDIT_NEEDED, note="设备变更影响生产"
    )
    audit = Audit.objects.get(reference=done.special_audit_reference)
    assert (audit.enterprise, audit.audit_type) == (enterprise_a, "special")
    assert r.reference in audit.special_reason


def test_only_the_register_keepers_assess(issue, enterprise_a, user_a, auditor, cb_admin):
    r = report(issue(enterprise_a), user_a)
    for who in (user_a, auditor):
        with pytest.raises(RuleViolation) as exc:
            changes.change_report_assess(by=who, report=r, assessment="no_action")
        assert exc.value.code == "not_allowed"
    assert changes.change_report_assess(by=cb_admin, report=r, assessment="no_action").status == "assessed"


# --- major events: the suspension chain --------------------------------------------------------------------


def public(client, number):
    return client.get(f"/api/v1/public/certificates/{number}").json()


def test_major_event_suspends_at_once_publicly_and_restoring_follows_resolution(
    issue, enterprise_a, user_a, programme_manager, client
):
    certificate = issue(enterprise_a)
    e = event(certificate, user_a)
    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_since) == (S.SUSPENDED, TODAY)
    assert e.reference in certificate.status_reason and "产品质量不合格" in certificate.status_reason
    assert e.reported_by_enterprise and e.suspended_certificate
    # The enterprise cannot suspend as a person: the history shows the system, caused by its report.
    assert certificate.status_changes.last().changed_by is None
    data = public(client, certificate.number)
    assert data["status"] == "suspended"
    page = client.get(f"/verify/c/{certificate.number}/")
    assert page.context["status"]["code"] == S.SUSPENDED
    assert Notification.objects.filter(recipient=programme_manager, kind="major_event.recorded").exists()
    assert Notification.objects.filter(recipient=user_a, kind="certificate.suspend").exists()

    done = changes.major_event_resolve(by=programme_manager, event=e, resolution="整改复检合格", today=TODAY)
    certificate.refresh_from_db()
    assert (done.status, done.restored_certificate, certificate.status) == (EventStatus.RESOLVED, True, S.VALID)
    assert public(client, certificate.number)["status"] == "valid"
    assert certificate.status_changes.last().changed_by == programme_manager


def test_cb_records_the_event_under_its_own_name(issue, enterprise_a, programme_manager):
    certificate = issue(enterprise_a)
    e = event(certificate, programme_manager, kind="regulator_sanction")
    certificate.refresh_from_db()
    assert not e.reported_by_enterprise
    assert certificate.status_changes.last().changed_by == programme_manager


def test_unresolved_event_runs_into_the_suspension_maximum_and_the_tick_revokes(issue, enterprise_a, user_a, client):
    certificate = issue(enterprise_a)
    event(certificate, user_a)
    last = domain.suspension_last_day(TODAY, 6, "months")
    ticking.run_tick(last, steps=[s for s in ticking.discover_steps() if s.name == "certificates.suspension_max"])
    certificate.refresh_from_db()
    assert certificate.status == S.SUSPENDED
    ticking.run_tick(
        last + timedelta(days=1), steps=[s for s in ticking.discover_steps() if s.name == "certificates.suspension_max"]
    )
    certificate.refresh_from_db()
    assert certificate.status == S.REVOKED
    assert public(client, certificate.number)["status"] == "revoked"


def test_second_event_on_a_suspended_certificate_does_not_suspend_again_and_blocks_restoring(
    issue, enterprise_a, user_a, programme_manager
):
    certificate = issue(enterprise_a)
    first = event(certificate, user_a)
    second = event(certificate, programme_manager, kind="complaint_upheld")
    assert not second.suspended_certificate
    assert certificate.status_changes.filter(to_status=S.SUSPENDED).count() == 1
    with pytest.raises(RuleViolation) as exc:
        changes.major_event_resolve(by=programme_manager, event=first, resolution="ok")
    assert exc.value.code == "other_events_open" and second.reference in exc.value.zh
    first.refresh_from_db()
    assert first.status == EventStatus.OPEN
    # Closing one without restoring, then the other with restoring, gives the certificate back.
    changes.major_event_resolve(by=programme_manager, event=first, resolution="ok", restore=False)
    changes.major_event_resolve(by=programme_manager, event=second, resolution="ok")
    certificate.refresh_from_db()
    assert certificate.status == S.VALID


def test_a_revoked_certificate_is_not_restored_by_resolving(issue, enterprise_a, user_a, programme_manager):
    from certflow.certificates import services

    certificate = issue(enterprise_a)
    e = event(certificate, user_a)
    services.certificate_revoke(by=programme_manager, certificate=certificate, reason="r", today=TODAY)
    with pytest.raises(RuleViolation) as exc:
        changes.major_event_resolve(by=programme_manager, event=e, resolution="ok")
    assert exc.value.code == "wrong_state"
    done = changes.major_event_resolve(by=programme_manager, event=e, resolution="closed", restore=False)
    assert done.status == EventStatus.RESOLVED and not done.restored_certificate


def test_events_are_refused_for_others_and_inactive_certificates(issue, enterprise_a, user_a, user_b, auditor):
    from certflow.certificates import services

    certificate = issue(enterprise_a)
    for who in (user_b, auditor):
        with pytest.raises(RuleViolation):
            event(certificate, who)
    services.certificate_expire(certificate=certificate, today=certificate.expires_on + timedelta(days=1))
    with pytest.raises(RuleViolation) as exc:
        event(certificate, user_a)
    assert exc.value.code == "certificate_not_active"
    assert not MajorEvent.objects.exists()
    with pytest.raises(RuleViolation):
        changes.major_event_resolve(by=user_a, event=MajorEvent(pk=1), resolution="x")


# --- pages ---------------------------------------------------------------------------------------------------


def test_enterprise_reports_a_change_from_its_certificate_page(client, issue, enterprise_a, user_a):
    certificate = issue(enterprise_a)
    client.force_login(user_a)
    page = client.get(reverse("certificate_detail", args=[certificate.pk]))
    assert f"/lifecycle/changes/new/?certificate={certificate.pk}" in page.content.decode()
    url = f"{reverse('change_new')}?certificate={certificate.pk}"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"kind": "equipment", "effective_on": "2026-11-01", "description": ""})
    assert bad.status_code == 400
    response = client.post(url, {"kind": "equipment", "effective_on": "2026-11-01", "description": "新增设备"})
    r = ChangeReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("change_detail", args=[r.pk])
    assert "新增设备" in client.get(response["Location"]).content.decode()


def test_change_pages_permissions(
    client, issue, enterprise_a, enterprise_b, user_a, user_b, auditor, programme_manager
):
    certificate = issue(enterprise_a)
    r = report(certificate, user_a)
    detail = reverse("change_detail", args=[r.pk])
    assess = reverse("change_assess", args=[r.pk])
    new = f"{reverse('change_new')}?certificate={certificate.pk}"
    client.force_login(user_b)
    assert client.get(detail).status_code == 404
    assert client.get(new).status_code == 404
    assert client.post(assess, {"assessment": "no_action"}).status_code == 404
    assert r.reference not in client.get(reverse("change_list")).content.decode()
    client.force_login(auditor)
    assert client.get(reverse("change_list")).status_code == 403
    assert client.get(detail).status_code == 404
    client.force_login(user_a)
    assert client.post(assess, {"assessment": "no_action"}).status_code == 403
    assert "assessment" not in client.get(detail).content.decode()
    client.force_login(programme_manager)
    assert client.post(assess, {"assessment": "scope_change", "note": ""}).status_code == 400
    assert client.post(assess, {"assessment": "scope_change", "note": "减少类别"}).status_code == 302
    r.refresh_from_db()
    assert r.assessment == "scope_change"
    assert client.get(reverse("change_new")).status_code == 404


def test_event_pages_suspend_and_resolve(client, issue, enterprise_a, user_a, user_b, programme_manager):
    certificate = issue(enterprise_a)
    client.force_login(user_a)
    url = f"{reverse('major_event_new')}?certificate={certificate.pk}"
    assert "立即暂停" in client.get(url).content.decode()
    response = client.post(
        url, {"kind": "safety_accident", "occurred_on": TODAY.isoformat(), "description": "车间火灾"}
    )
    assert response.status_code == 302
    e = MajorEvent.objects.get()
    certificate.refresh_from_db()
    assert certificate.status == S.SUSPENDED
    resolve = reverse("major_event_resolve", args=[e.pk])
    assert client.post(resolve, {"resolution": "x", "restore": "on"}).status_code == 403
    client.force_login(user_b)
    assert client.get(reverse("major_event_detail", args=[e.pk])).status_code == 404
    client.force_login(programme_manager)
    assert client.post(resolve, {"resolution": ""}).status_code == 400
    assert client.post(resolve, {"resolution": "整改验证通过", "restore": "on"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == S.VALID


def test_register_lists_have_a_constant_number_of_queries(client, issue, enterprise_a, user_a, programme_manager):
    from certflow.core.testing.factories import EnterpriseFactory

    certificate = issue(enterprise_a)
    client.force_login(programme_manager)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    report(certificate, user_a)
    event(certificate, user_a)
    small = count(reverse("change_list")), count(reverse("major_event_list"))
    for n in range(4):
        other = issue(EnterpriseFactory(name=f"丙{n}公司"))
        report(other, programme_manager)
        event(other, programme_manager)
    assert (count(reverse("change_list")), count(reverse("major_event_list"))) == small


# --- API -------------------------------------------------------------------------------------------------------


@pytest.mark.urls(API_URLS)
def test_api_report_assess_and_permissions(issue, enterprise_a, user_a, user_b, auditor, clerk, programme_manager):
    certificate = issue(enterprise_a)
    body = {"certificate": certificate.pk, "kind": "name_address", "description": "迁址", "effective_on": "2026-11-01"}
    assert api(user_b).post("/api/v1/change-reports/", body, format="json").status_code == 404
    assert api(auditor).post("/api/v1/change-reports/", body, format="json").status_code == 403  # never reports
    assert api(clerk).post("/api/v1/change-reports/", body, format="json").status_code == 403  # sees, not reports
    created = api(user_a).post("/api/v1/change-reports/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api(user_b).get(f"/api/v1/change-reports/{pk}/").status_code == 404
    assert api(user_b).get("/api/v1/change-reports/").json()["count"] == 0
    assert api(auditor).get("/api/v1/change-reports/").status_code == 403
    assert api(user_a).get("/api/v1/change-reports/").json()["count"] == 1
    assess = f"/api/v1/change-reports/{pk}/assess/"
    assert api(user_a).post(assess, {"assessment": "no_action"}, format="json").status_code == 403
    refused = api(programme_manager).post(assess, {"assessment": "scope_change"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "note_required"
    done = api(programme_manager).post(assess, {"assessment": "no_action"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "assessed"


@pytest.mark.urls(API_URLS)
def test_api_major_event_suspends_and_resolves(issue, enterprise_a, user_a, user_b, programme_manager):
    certificate = issue(enterprise_a)
    body = {"certificate": certificate.pk, "kind": "quality_failure", "description": "抽检不合格"}
    bad = api(user_a).post("/api/v1/major-events/", body | {"occurred_on": "2099-01-01"}, format="json")
    assert bad.status_code == 400
    created = api(user_a).post("/api/v1/major-events/", body | {"occurred_on": "2026-11-20"}, format="json")
    assert created.status_code == 201 and created.json()["certificate_status"] == "suspended"
    assert api(None).get(f"/api/v1/public/certificates/{certificate.number}").json()["status"] == "suspended"
    pk = created.json()["id"]
    assert api(user_b).get(f"/api/v1/major-events/{pk}/").status_code == 404
    resolve = f"/api/v1/major-events/{pk}/resolve/"
    assert api(user_a).post(resolve, {"resolution": "ok"}, format="json").status_code == 403
    done = api(programme_manager).post(resolve, {"resolution": "复检合格"}, format="json")
    assert done.status_code == 200 and done.json()["certificate_status"] == "valid"
