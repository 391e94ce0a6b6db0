"""Re-certification: the window rule, the gate on applications, and the tick's reminders (idempotent)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from certflow.applications import services as application_services
from certflow.applications.domain import ApplicationType
from certflow.applications.models import Application
from certflow.certificates import services as certificate_services
from certflow.core.rules import RuleViolation
from certflow.lifecycle import domain, ticking
from certflow.lifecycle.models import TickNotice
from certflow.lifecycle.recertification import recertification_reminders_step
from certflow.notifications.models import Notification
from certflow.reviews.tests.helpers import pdf_file

ISSUED = date(2026, 3, 2)
EXPIRES = date(2029, 3, 2)  # certificate_issue: 3 years, the corresponding day
OPENS = date(2028, 9, 2)


# --- pure rules ------------------------------------------------------------------------------------------


def test_window_opens_six_months_before_expiry_on_the_corresponding_day():
    assert domain.recertification_window(EXPIRES, 6).opens_on == OPENS
    assert domain.recertification_window(date(2029, 8, 31), 6).opens_on == date(2029, 2, 28)
    assert domain.recertification_window(date(2029, 3, 31), 6).opens_on == date(2028, 9, 30)


@pytest.mark.parametrize(
    ("today", "status", "code"),
    [
        (OPENS - timedelta(days=1), "valid", "recertification_not_open"),
        (EXPIRES + timedelta(days=1), "valid", "expired"),
        (OPENS, "revoked", "no_certificate"),
        (OPENS, None, "no_certificate"),
    ],
)
def test_recertification_refusals(today, status, code):
    with pytest.raises(RuleViolation) as exc:
        domain.check_recertification_application(
            expires_on=EXPIRES if status else None, status=status, today=today, months_before=6
        )
    assert exc.value.code == code
    if code == "recertification_not_open":
        assert "2028-09-02" in exc.value.zh and "2028-09-02" in exc.value.en


@pytest.mark.parametrize("today", [OPENS, EXPIRES])
@pytest.mark.parametrize("status", ["valid", "suspended"])
def test_recertification_allowed_inside_the_window(today, status):
    window = domain.check_recertification_application(expires_on=EXPIRES, status=status, today=today, months_before=6)
    assert window.opens_on == OPENS


def test_reminder_stages():
    due = domain.recertification_reminder_due
    assert due(EXPIRES, today=OPENS - timedelta(days=1), months_before=6) == []
    assert due(EXPIRES, today=OPENS, months_before=6) == ["opened"]
    assert due(EXPIRES, today=EXPIRES - timedelta(days=91), months_before=6) == ["opened"]
    assert due(EXPIRES, today=EXPIRES - timedelta(days=90), months_before=6) == ["opened", "d90"]
    assert due(EXPIRES, today=EXPIRES - timedelta(days=30), months_before=6) == ["opened", "d90", "d30"]
    assert due(EXPIRES, today=EXPIRES + timedelta(days=1), months_before=6) == []


# --- the gate on applications ---------------------------------------------------------------------------


@pytest.fixture
def certificate(issue, enterprise_a, user_a):
    return issue(enterprise_a, issued_on=ISSUED, today=ISSUED)


@pytest.mark.django_db
def test_recertification_application_refused_before_the_window_with_the_opening_date(certificate, user_a):
    with pytest.raises(RuleViolation) as exc:
        application_services.application_create(
            by=user_a,
            enterprise=certificate.enterprise,
            application_type=ApplicationType.RECERTIFICATION,
            today=OPENS - timedelta(days=1),
        )
    assert exc.value.code == "recertification_not_open" and "2028-09-02" in exc.value.zh
    assert not Application.objects.exists()
    created = application_services.application_create(
        by=user_a, enterprise=certificate.enterprise, application_type=ApplicationType.RECERTIFICATION, today=OPENS
    )
    assert created.application_type == ApplicationType.RECERTIFICATION


@pytest.mark.django_db
def test_recertification_needs_a_current_scheme_certificate(enterprise_b, user_b, legacy):
    with pytest.raises(RuleViolation) as exc:
        application_services.application_create(
            by=user_b, enterprise=enterprise_b, application_type=ApplicationType.RECERTIFICATION, today=OPENS
        )
    assert exc.value.code == "no_certificate"
    legacy(enterprise_b, expires_on=date(2027, 1, 1), today=date(2026, 1, 5))  # an earlier-scheme certificate
    with pytest.raises(RuleViolation) as exc:
        application_services.application_create(
            by=user_b, enterprise=enterprise_b, application_type=ApplicationType.RECERTIFICATION, today=date(2026, 9, 1)
        )
    assert exc.value.code == "no_certificate"
    # Initial certification is not gated.
    assert application_services.application_create(by=user_b, enterprise=enterprise_b, today=OPENS).pk


@pytest.mark.django_db
def test_a_suspended_certificate_may_apply_a_revoked_one_not(certificate, user_a, programme_manager):
    certificate_services.certificate_suspend(by=programme_manager, certificate=certificate, reason="r", today=OPENS)
    assert application_services.application_create(
        by=user_a, enterprise=certificate.enterprise, application_type=ApplicationType.RECERTIFICATION, today=OPENS
    )
    certificate_services.certificate_revoke(by=programme_manager, certificate=certificate, reason="r", today=OPENS)
    with pytest.raises(RuleViolation) as exc:
        application_services.application_create(
            by=user_a, enterprise=certificate.enterprise, application_type=ApplicationType.RECERTIFICATION, today=OPENS
        )
    assert exc.value.code == "no_certificate"


def complete_draft(enterprise, user, today):
    application = application_services.application_create(by=user, enterprise=enterprise, today=today)
    application_services.application_update_details(
        by=user,
        application=application,
        categories=["custom_furniture"],
        service_stages=["solution_design", "manufacturing"],
        service_description="全屋定制",
    )
    application_services.site_add(by=user, application=application, kind="workshop", name="车间", address="深圳宝安")
    for code in application.scheme_version.as_scheme().material_codes:
        name, data = pdf_file(f"{code}.pdf", f"{enterprise.pk}-{code}")
        application_services.material_upload(by=user, application=application, material=code, name=name, data=data)
    application_services.declaration_set(by=user, application=application, made=True)
    return application


@pytest.mark.django_db
def test_a_draft_turned_into_recertification_is_checked_at_submission(certificate, user_a):
    early = OPENS - timedelta(days=10)
    application = complete_draft(certificate.enterprise, user_a, early)
    application_services.application_update_details(
        by=user_a, application=application, application_type=ApplicationType.RECERTIFICATION
    )
    with pytest.raises(RuleViolation) as exc:
        application_services.application_submit(by=user_a, application=application, today=early)
    assert exc.value.code == "recertification_not_open"
    application.refresh_from_db()
    assert application.status == "draft"


@pytest.mark.django_db
def test_the_new_application_page_shows_the_refusal(client, certificate, user_a, monkeypatch):
    from certflow.applications import services

    monkeypatch.setattr(services, "_today", lambda today=None: today or OPENS - timedelta(days=1))
    client.force_login(user_a)
    response = client.post(
        reverse("application_new"), {"enterprise": certificate.enterprise_id, "application_type": "recertification"}
    )
    assert response.status_code == 200
    assert "2028-09-02" in response.content.decode()
    assert not Application.objects.exists()


# --- reminders -------------------------------------------------------------------------------------------


def reminders(user):
    return list(
        Notification.objects.filter(recipient=user, kind="certificate.recertification_due").values_list(
            "title", flat=True
        )
    )


def run(day):
    step = [s for s in ticking.discover_steps() if s.name == "certificates.recertification_reminders"]
    return ticking.run_tick(day, steps=step)[0]


@pytest.mark.django_db
def test_reminders_when_the_window_opens_then_90_and_30_days_before(certificate, user_a):
    assert run(OPENS - timedelta(days=1)).counts == {"reminded": 0}
    assert run(OPENS).counts == {"reminded": 1}
    assert len(reminders(user_a)) == 1 and certificate.number in reminders(user_a)[0]
    assert run(OPENS + timedelta(days=1)).counts == {"reminded": 0}
    assert run(EXPIRES - timedelta(days=90)).counts == {"reminded": 1}
    assert run(EXPIRES - timedelta(days=31)).counts == {"reminded": 0}
    assert run(EXPIRES - timedelta(days=30)).counts == {"reminded": 1}
    assert run(EXPIRES).counts == {"reminded": 0}
    assert len(reminders(user_a)) == 3


@pytest.mark.django_db
def test_reminders_are_idempotent_on_the_same_day(certificate, user_a):
    assert recertification_reminders_step(OPENS) == {"reminded": 1}
    notices = TickNotice.objects.count()
    # A retried step (a failed run the same day) sends nothing again.
    assert recertification_reminders_step(OPENS) == {"reminded": 0}
    assert TickNotice.objects.count() == notices and len(reminders(user_a)) == 1
    # The runner itself skips a step already done that day.
    run(OPENS)
    assert run(OPENS).outcome == "skipped"
    assert len(reminders(user_a)) == 1


@pytest.mark.django_db
def test_a_late_first_run_sends_one_reminder_not_three(certificate, user_a):
    assert run(EXPIRES - timedelta(days=20)).counts == {"reminded": 1}
    assert "约 20 天" in Notification.objects.get(recipient=user_a, kind="certificate.recertification_due").body
    assert run(EXPIRES - timedelta(days=19)).counts == {"reminded": 0}


@pytest.mark.django_db
def test_no_reminder_once_a_recertification_application_exists(certificate, user_a):
    run(OPENS)
    application = application_services.application_create(
        by=user_a, enterprise=certificate.enterprise, application_type=ApplicationType.RECERTIFICATION, today=OPENS
    )
    assert run(EXPIRES - timedelta(days=90)).counts == {"reminded": 0}
    application_services.application_withdraw(by=user_a, application=application, reason="改期")
    assert run(EXPIRES - timedelta(days=30)).counts == {"reminded": 1}


@pytest.mark.django_db
def test_no_reminder_for_legacy_or_revoked_certificates(legacy, enterprise_b, user_b, certificate, programme_manager):
    legacy(enterprise_b, expires_on=OPENS + timedelta(days=30), today=date(2026, 1, 5))
    certificate_services.certificate_revoke(by=programme_manager, certificate=certificate, reason="r", today=OPENS)
    assert run(OPENS + timedelta(days=5)).counts == {"reminded": 0}
