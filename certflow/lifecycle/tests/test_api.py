"""The API doors: same rules and permissions as the pages."""

from datetime import date

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from certflow.lifecycle import cases
from certflow.lifecycle.importing import legacy_import
from certflow.lifecycle.models import Case, LegacyImport
from certflow.lifecycle.tests.conftest import TODAY
from certflow.lifecycle.tests.files import csv_file, row

pytestmark = pytest.mark.django_db


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_import_through_the_api_reports_rows(programme_manager, clerk):
    response = api(programme_manager).post(
        "/api/v1/legacy-imports/", {"file": csv_file([row(1), row(2, uscc="1")])}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["outcome"] == "refused"
    assert response.json()["errors"][0]["line"] == 3
    response = api(programme_manager).post("/api/v1/legacy-imports/", {"file": csv_file([row(1)])}, format="multipart")
    assert response.status_code == 201 and response.json()["certificates"] == ["OLD-2024-001"]
    assert (
        api(clerk).post("/api/v1/legacy-imports/", {"file": csv_file([row(3)])}, format="multipart").status_code == 403
    )
    assert api(clerk).get("/api/v1/legacy-imports/").json()["count"] == 2
    assert LegacyImport.objects.count() == 2


@pytest.mark.parametrize(("who", "code"), [("auditor", 403), ("user_a", 403), (None, 403)])
def test_outsiders_may_not_read_imports_or_the_lapsed_report(request, who, code):
    user = request.getfixturevalue(who) if who else None
    for url in ("/api/v1/legacy-imports/", "/api/v1/lapsed-certificates/", "/api/v1/lapsed-certificates/export/"):
        assert api(user).get(url).status_code in ((401, 403) if who is None else (code,))


def test_lapsed_report_and_export(programme_manager):
    legacy_import(by=programme_manager, upload=csv_file([row(1, applied="2025-09-01"), row(2)]), today=TODAY)
    data = api(programme_manager).get("/api/v1/lapsed-certificates/").json()
    assert data["count"] == 2
    first = data["results"][0]
    assert first["status"] == "lapsed" and first["status_since"] == "2026-10-16"
    assert first["applied_on"] == "2025-09-01"
    export = api(programme_manager).get("/api/v1/lapsed-certificates/export/?format=csv")
    assert export.status_code == 200 and "OLD-2024-002" in export.content.decode("utf-8-sig")


def test_case_actions_through_the_api(programme_manager, cb_admin, enterprise_a, clerk):
    case = cases.complaint_receive(name="王", contact="x", description="y", enterprise=enterprise_a)
    client = api(programme_manager)
    assert client.post(f"/api/v1/cases/{case.pk}/decide/", {"outcome": "upheld", "decision": "x"}).status_code == 400
    assert client.post(f"/api/v1/cases/{case.pk}/acknowledge/").json()["status"] == "acknowledged"
    assert client.post(f"/api/v1/cases/{case.pk}/assign/", {"handler": cb_admin.pk}).json()["status"] == "in_progress"
    assert client.post(f"/api/v1/cases/{case.pk}/special-audit/", {}).json()["special_audit_requested"]
    done = client.post(f"/api/v1/cases/{case.pk}/decide/", {"outcome": "upheld", "decision": "成立"})
    assert done.json()["status"] == "closed"
    assert api(clerk).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert api(clerk).post(f"/api/v1/cases/{case.pk}/acknowledge/").status_code == 404
    assert api(clerk).get("/api/v1/cases/").json()["count"] == 0


def test_enterprise_appeals_through_the_api(issue, enterprise_a, enterprise_b, user_a, user_b):
    mine, theirs = issue(enterprise_a), issue(enterprise_b)
    assert (
        api(user_a).post("/api/v1/cases/", {"certificate": theirs.pk, "contact": "x", "description": "y"}).status_code
        == 404
    )
    assert api(user_a).post("/api/v1/cases/", {"contact": "x", "description": "y"}).status_code == 400
    response = api(user_a).post("/api/v1/cases/", {"certificate": mine.pk, "contact": "x", "description": "不服"})
    assert response.status_code == 201 and response.json()["kind"] == "appeal"
    assert api(user_a).get("/api/v1/cases/").json()["count"] == 1
    assert api(user_b).get("/api/v1/cases/").json()["count"] == 0
    assert Case.objects.count() == 1


def test_public_complaint_endpoint_is_open_and_throttled(settings, enterprise_a):
    cache.clear()
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    rates = dict(api_settings.DEFAULT_THROTTLE_RATES, public_complaints="2/hour")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        data = {"name": "王", "contact": "x", "subject": enterprise_a.uscc, "description": "柜门开裂"}
        codes = [api().post("/api/v1/public/complaints", data, format="json").status_code for _ in range(3)]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert codes == [201, 201, 429]
    case = Case.objects.first()
    assert case.enterprise == enterprise_a and case.acknowledge_by > date(2026, 1, 1)
    assert api().post("/api/v1/public/complaints", {"name": ""}, format="json").status_code in (400, 429)
