"""The read-only admin, and the demo step (idempotent, one application at each acceptance stage)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from certflow.applications.domain import ApplicationStatus as S
from certflow.applications.models import Application
from certflow.applications.tests.factories import submitted
from certflow.core.events.models import Event

pytestmark = pytest.mark.django_db


def test_admin_lists_and_shows_applications_read_only(client, cb_admin, enterprise_a, user_a):
    application = submitted(enterprise_a, user_a)
    cb_admin.is_superuser = True  # the admin's own model permissions; certflow's roles do not grant them
    cb_admin.save(update_fields=["is_superuser"])
    client.force_login(cb_admin)
    changelist = client.get(reverse("admin:applications_application_changelist") + "?q=" + application.reference)
    assert changelist.status_code == 200
    assert application.reference in changelist.content.decode()
    page = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "一号车间" in body and "business_licence" in body
    assert 'name="_save"' not in body
    assert client.get(reverse("admin:applications_application_delete", args=[application.pk])).status_code == 403
    assert client.get(reverse("admin:applications_application_add")).status_code == 403


def test_demo_creates_each_stage_once(settings):
    call_command("scheme", "sync", stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())
    statuses = sorted(Application.objects.filter(reference__startswith="SQ").values_list("status", flat=True))
    for status in (S.DRAFT, S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.ACCEPTED, S.NOT_ACCEPTED):
        assert status in statuses
    assert Application.objects.filter(status=S.NOT_ACCEPTED, out_of_scope=True).exists()
    counts = (Application.objects.count(), Event.objects.count())
    call_command("demo", stdout=io.StringIO())
    assert (Application.objects.count(), Event.objects.count()) == counts


def test_demo_deadlines_are_relative_to_today():
    from certflow.applications.views_common import deadline_info, today

    call_command("scheme", "sync", stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())
    left = sorted(
        deadline_info(a.acceptance_due, today()).working_days_left
        for a in Application.objects.filter(
            status=S.SUBMITTED, enterprise__name__in=["东莞智配电子配件有限公司", "苏州木语定制家具有限公司"]
        )
    )
    assert left == [-2, 3]
