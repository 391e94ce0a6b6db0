"""The plan's smaller edits and the lead's pass, driven through the pages and the API to a change: each writes
its events in the same request (issue 10 item 4: these were the routes no request-level test reached)."""

from datetime import date, time

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from certflow.applications.domain import ApplicationStatus
from certflow.audits.domain import AuditStatus
from certflow.audits.models import AuditSite, ScheduleSlot
from certflow.audits.services import planning
from certflow.audits.tests.test_conduct_fixtures import (  # noqa: F401
    DAY2,
    closed,
    member,
    record_everything,
    started,
    with_ncs,
)
from certflow.core.events.models import Event
from certflow.reviews.domain import NonconformityState
from certflow.reviews.models import Nonconformity

BASE = "/api/v1/audits/"


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def new_events(before: int) -> list[str]:
    return list(Event.objects.order_by("seq")[before:].values_list("action", flat=True))


def a_lab(audit, by):
    return planning.site_add(by=by, audit=audit, kind="inspection_lab", name="检测室", address="宝安区定制产业园8栋")


def test_the_api_adds_and_removes_a_site(audit, programme_manager):
    pm = api_as(programme_manager)
    before = Event.objects.count()
    response = pm.post(
        f"{BASE}{audit.pk}/add-site/",
        {"kind": "inspection_lab", "name": "检测室", "address": "宝安区定制产业园8栋"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    site = AuditSite.objects.get(audit=audit, name="检测室")
    assert new_events(before) == ["audit.site_added"]
    before = Event.objects.count()
    response = pm.post(f"{BASE}{audit.pk}/remove-site/", {"id": site.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert not AuditSite.objects.filter(pk=site.pk).exists()
    assert new_events(before) == ["audit.site_removed"]


def test_the_api_removes_a_slot(staffed, programme_manager):
    slot = staffed.schedule.get()
    pm = api_as(programme_manager)
    before = Event.objects.count()
    response = pm.post(f"{BASE}{staffed.pk}/remove-slot/", {"id": slot.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert not ScheduleSlot.objects.filter(pk=slot.pk).exists()
    assert new_events(before) == ["audit.slot_removed"]
    # A slot id that is not on this audit's schedule reads as one that does not exist.
    assert pm.post(f"{BASE}{staffed.pk}/remove-slot/", {"id": slot.pk}, format="json").status_code == 404


def test_the_pages_remove_a_site_and_a_slot(staffed, programme_manager, client):
    client.force_login(programme_manager)
    lab = a_lab(staffed, programme_manager)
    slot = planning.schedule_slot_add(
        by=programme_manager,
        audit=staffed,
        day=date(2026, 3, 17),
        start=time(14),
        end=time(15),
        activity="检测室审核",
        site=lab,
    )
    before = Event.objects.count()
    response = client.post(reverse("audit_site_remove", args=[staffed.pk, lab.pk]))
    assert response.status_code == 400 and "请先调整日程" in response.content.decode()  # in use by the slot
    assert AuditSite.objects.filter(pk=lab.pk).exists() and new_events(before) == []
    response = client.post(reverse("audit_slot_remove", args=[staffed.pk, slot.pk]))
    assert response.status_code == 302
    assert new_events(before) == ["audit.slot_removed"]
    response = client.post(reverse("audit_site_remove", args=[staffed.pk, lab.pk]))
    assert response.status_code == 302
    assert not AuditSite.objects.filter(pk=lab.pk).exists()
    assert new_events(before) == ["audit.slot_removed", "audit.site_removed"]


def test_the_page_accepts_the_enterprises_counter_proposal(proposed, programme_manager, user_a, client):
    counter = planning.dates_counter(
        by=user_a,
        audit=proposed,
        proposal=planning.pending_proposal(proposed),
        days=[date(2026, 3, 23)],
        today=date(2026, 3, 2),
    )
    client.force_login(programme_manager)
    before = Event.objects.count()
    response = client.post(reverse("audit_accept_counter", args=[proposed.pk, counter.pk]))
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == AuditStatus.SCHEDULED and proposed.days == ["2026-03-23"]
    assert new_events(before) == ["audit.accept_counter"]


@pytest.fixture
def closed_outside_the_loop(closed):  # noqa: F811
    """Both nonconformities verified without the loop's automatic pass (as after an import or a repair):
    the lead passes the audit by hand."""
    audit, minor, major = closed
    Nonconformity.objects.filter(pk__in=[minor.pk, major.pk]).update(state=NonconformityState.VERIFIED)
    return audit


@pytest.fixture
def on_day_two(monkeypatch):
    monkeypatch.setattr("certflow.audits.views.conduct.today", lambda: DAY2)


@pytest.mark.parametrize("door", ["page", "api"])
def test_the_lead_passes_the_audit(door, closed_outside_the_loop, lead_auditor, member, client, on_day_two):  # noqa: F811
    audit = closed_outside_the_loop
    assert audit.status == AuditStatus.CORRECTIONS
    before = Event.objects.count()
    if door == "page":
        client.force_login(member)
        assert client.post(reverse("audit_pass", args=[audit.pk])).status_code == 403  # a member, not the lead
        client.force_login(lead_auditor)
        assert client.post(reverse("audit_pass", args=[audit.pk])).status_code == 302
    else:
        assert api_as(member).post(f"/api/v1/audit-conduct/{audit.pk}/pass/").status_code == 403
        response = api_as(lead_auditor).post(f"/api/v1/audit-conduct/{audit.pk}/pass/")
        assert response.status_code == 200, response.json()
    audit.refresh_from_db()
    audit.application.refresh_from_db()
    assert audit.status == AuditStatus.PASSED
    assert audit.application.status == ApplicationStatus.ONSITE_AUDIT_PASSED
    assert new_events(before) == ["audit.pass", "application.pass_onsite"]
