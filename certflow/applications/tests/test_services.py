"""Every write of the application stage, through the services: state, deadline, events, notifications,
and refusals that change nothing."""

from datetime import date

import pytest

from certflow.applications import services
from certflow.applications.domain import ApplicationStatus as S
from certflow.applications.models import Application, MaterialFile, Site, SupplementRequest
from certflow.applications.tests.factories import TODAY, draft, pdf_file, submitted, supplement_requested, upload
from certflow.core.events.models import Event
from certflow.core.rules import RuleViolation
from certflow.notifications.models import Notification

pytestmark = pytest.mark.django_db


def events_of(application) -> list[str]:
    return list(
        Event.objects.filter(target_type="applications.application", target_id=str(application.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


class Unchanged:
    """Snapshot status, event count, files, notifications: a refused step must leave all of them alone."""

    def __init__(self, application):
        self.application = application
        self.before = self.now()

    def now(self):
        fresh = Application.objects.get(pk=self.application.pk)
        return (
            fresh.status,
            fresh.acceptance_due,
            Event.objects.count(),
            MaterialFile.objects.count(),
            Notification.objects.count(),
            SupplementRequest.objects.count(),
        )

    def check(self):
        assert self.now() == self.before


# --- the whole path ------------------------------------------------------------------------------------


def test_the_whole_path_from_draft_to_accepted(enterprise_a, user_a, clerk):
    application = draft(enterprise_a, user_a, complete=True)
    assert application.status == S.DRAFT

    application = services.application_submit(by=user_a, application=application, today=TODAY)
    assert (application.status, application.received_on, application.acceptance_due) == (
        S.SUBMITTED,
        TODAY,
        date(2026, 3, 9),
    )

    request = services.application_request_supplement(
        by=clerk, application=application, items={"equipment_list": "缺少检测设备"}, message="请补充"
    )
    application.refresh_from_db()
    assert application.status == S.SUPPLEMENT_REQUESTED
    assert application.acceptance_due is None  # the clock stops while the enterprise completes its materials
    assert [(i.material, i.message) for i in request.items.all()] == [("equipment_list", "缺少检测设备")]

    old = MaterialFile.objects.get(application=application, material="equipment_list")
    new = services.material_upload(
        by=user_a,
        application=application,
        material="equipment_list",
        name="设备清单-补充.pdf",
        data=pdf_file("设备清单-补充.pdf"),
        replaces=old,
    )
    assert (new.version, new.replaces) == (2, old)

    application = services.application_resubmit(by=user_a, application=application, today=date(2026, 3, 4))
    assert application.status == S.SUBMITTED
    request.refresh_from_db()
    assert request.resolved_at is not None

    application = services.application_accept(by=clerk, application=application)
    assert application.status == S.ACCEPTED
    assert application.decided_by == clerk

    assert events_of(application) == [
        "application.created",
        "application.details_changed",
        "application.site_added",
        *["application.material_uploaded"] * 9,
        "application.declaration",
        "application.submit",
        "application.request_supplement",
        "application.material_uploaded",
        "application.resubmit",
        "application.accept",
    ]


def test_acceptance_deadline_spans_national_day_with_the_make_up_saturday(enterprise_a, user_a):
    # 2026-10-01..07 are holidays; Saturday 10-10 is a make-up working day: 10-08, 10-09, 10-10, 10-12, 10-13.
    application = submitted(enterprise_a, user_a, today=date(2026, 9, 30))
    assert application.acceptance_due == date(2026, 10, 13)


def test_deadline_restarts_from_the_resubmission_day(enterprise_a, user_a, clerk):
    application = supplement_requested(enterprise_a, user_a, clerk)
    upload(application, user_a, "business_licence", "清晰的营业执照")
    application = services.application_resubmit(by=user_a, application=application, today=date(2026, 3, 5))
    assert (application.received_on, application.acceptance_due) == (date(2026, 3, 5), date(2026, 3, 12))


def test_submission_is_recorded_with_receipt_day_and_deadline(enterprise_a, user_a):
    application = submitted(enterprise_a, user_a)
    event = Event.objects.get(action="application.submit", target_id=str(application.pk))
    assert event.before == {"status": "draft"}
    assert event.after == {"status": "submitted", "received_on": "2026-03-02", "acceptance_due": "2026-03-09"}
    assert event.actor == user_a


# --- notifications -------------------------------------------------------------------------------------


def test_submission_notifies_every_clerk_and_nobody_else(enterprise_a, user_a, clerk, programme_manager, user_b):
    application = submitted(enterprise_a, user_a)
    notes = Notification.objects.filter(kind="application.submitted")
    assert [n.recipient for n in notes] == [clerk]
    assert application.reference in notes[0].title
    assert notes[0].url == f"/applications/{application.pk}/"


def test_supplement_request_notifies_the_enterprise_only(enterprise_a, user_a, clerk, user_b):
    supplement_requested(enterprise_a, user_a, clerk)
    notes = Notification.objects.filter(kind="application.supplement_requested")
    assert [n.recipient for n in notes] == [user_a]
    assert "企业营业执照" in notes[0].body


def test_resubmission_notifies_clerks(enterprise_a, user_a, clerk):
    application = supplement_requested(enterprise_a, user_a, clerk)
    upload(application, user_a, "business_licence", "新版")
    services.application_resubmit(by=user_a, application=application, today=TODAY)
    assert [n.recipient for n in Notification.objects.filter(kind="application.resubmitted")] == [clerk]


def test_decisions_notify_the_enterprise(enterprise_a, user_a, enterprise_b, user_b, clerk):
    services.application_accept(by=clerk, application=submitted(enterprise_a, user_a))
    services.application_not_accept(
        by=clerk, application=submitted(enterprise_b, user_b), reason="仅生产标准化商品", out_of_scope=True
    )
    assert [n.recipient for n in Notification.objects.filter(kind="application.accepted")] == [user_a]
    refusal = Notification.objects.get(kind="application.not_accepted")
    assert refusal.recipient == user_b
    assert "仅生产标准化商品" in refusal.body


# --- refusals change nothing ---------------------------------------------------------------------------


def test_submit_with_materials_missing_changes_nothing(enterprise_a, user_a, clerk):
    application = draft(enterprise_a, user_a)
    upload(application, user_a, "business_licence")
    unchanged = Unchanged(application)
    with pytest.raises(RuleViolation) as refused:
        services.application_submit(by=user_a, application=application, today=TODAY)
    assert refused.value.code == "incomplete"
    assert "相关行业资质证明" in refused.value.zh
    unchanged.check()


def test_resubmit_without_the_requested_material_changes_nothing(enterprise_a, user_a, clerk):
    application = supplement_requested(enterprise_a, user_a, clerk)
    unchanged = Unchanged(application)
    with pytest.raises(RuleViolation) as refused:
        services.application_resubmit(by=user_a, application=application, today=TODAY)
    assert refused.value.code == "supplement_outstanding"
    unchanged.check()


@pytest.mark.parametrize(
    ("items", "code"),
    [({}, "empty"), ({"tax_return": "请上传"}, "unknown"), ({"business_licence": " "}, "no_message")],
)
def test_bad_supplement_requests_change_nothing(enterprise_a, user_a, clerk, items, code):
    application = submitted(enterprise_a, user_a)
    unchanged = Unchanged(application)
    with pytest.raises(RuleViolation) as refused:
        services.application_request_supplement(by=clerk, application=application, items=items)
    assert refused.value.code == code
    unchanged.check()


def test_not_accept_without_a_reason_changes_nothing(enterprise_a, user_a, clerk):
    application = submitted(enterprise_a, user_a)
    unchanged = Unchanged(application)
    with pytest.raises(RuleViolation):
        services.application_not_accept(by=clerk, application=application, reason="  ", out_of_scope=True)
    unchanged.check()
    assert not Application.objects.get(pk=application.pk).out_of_scope


def test_editing_a_submitted_application_changes_nothing(enterprise_a, user_a):
    application = submitted(enterprise_a, user_a)
    unchanged = Unchanged(application)
    with pytest.raises(RuleViolation) as refused:
        services.application_update_details(by=user_a, application=application, service_description="改过的")
    assert refused.value.code == "locked"
    for step in (
        lambda: services.declaration_set(by=user_a, application=application, made=False),
        lambda: services.site_add(by=user_a, application=application, kind="workshop", name="二号", address="某地"),
        lambda: services.site_remove(by=user_a, site=application.sites.first()),
        lambda: services.material_withdraw(by=user_a, upload=application.material_files.first()),
    ):
        with pytest.raises(RuleViolation):
            step()
    unchanged.check()
    assert Application.objects.get(pk=application.pk).service_description != "改过的"
    assert Site.objects.filter(application=application, removed_at__isnull=True).count() == 1


def test_upload_to_a_submitted_application_changes_nothing(enterprise_a, user_a):
    application = submitted(enterprise_a, user_a)
    unchanged = Unchanged(application)
    with pytest.raises(RuleViolation) as refused:
        upload(application, user_a, "business_licence", "迟到的文件")
    assert refused.value.code == "locked"
    unchanged.check()


def test_upload_outside_the_supplement_request_changes_nothing(enterprise_a, user_a, clerk):
    application = supplement_requested(enterprise_a, user_a, clerk)
    unchanged = Unchanged(application)
    with pytest.raises(RuleViolation) as refused:
        upload(application, user_a, "equipment_list", "没要求的文件")
    assert refused.value.code == "not_requested"
    unchanged.check()


@pytest.mark.parametrize(
    "step",
    [
        lambda app, clerk: services.application_accept(by=clerk, application=app),
        lambda app, clerk: services.application_not_accept(by=clerk, application=app, reason="x"),
        lambda app, clerk: services.application_request_supplement(
            by=clerk, application=app, items={"business_licence": "x"}
        ),
        lambda app, clerk: services.application_resubmit(by=clerk, application=app, today=TODAY),
    ],
)
def test_decisions_on_a_draft_are_refused_and_change_nothing(enterprise_a, user_a, clerk, step):
    application = draft(enterprise_a, user_a, complete=True)
    unchanged = Unchanged(application)
    with pytest.raises(RuleViolation) as refused:
        step(application, clerk)
    assert refused.value.code in ("wrong_state", "supplement_outstanding")
    unchanged.check()


def test_accepting_twice_is_refused(enterprise_a, user_a, clerk):
    application = services.application_accept(by=clerk, application=submitted(enterprise_a, user_a))
    unchanged = Unchanged(application)
    with pytest.raises(RuleViolation) as refused:
        services.application_accept(by=clerk, application=application)
    assert refused.value.code == "wrong_state"
    unchanged.check()


def test_a_withdrawn_application_cannot_be_submitted(enterprise_a, user_a):
    application = draft(enterprise_a, user_a, complete=True)
    services.application_withdraw(by=user_a, application=application, reason="改日再报")
    unchanged = Unchanged(application)
    with pytest.raises(RuleViolation):
        services.application_submit(by=user_a, application=application, today=TODAY)
    unchanged.check()


# --- details and materials -----------------------------------------------------------------------------


def test_details_are_kept_in_the_scheme_order_and_unknown_codes_refused(enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    application = services.application_update_details(
        by=user_a, application=application, service_stages=["manufacturing", "requirements_research"]
    )
    assert application.service_stages == ["requirements_research", "manufacturing"]
    with pytest.raises(RuleViolation):
        services.application_update_details(by=user_a, application=application, categories=["custom_cars"])
    with pytest.raises(RuleViolation):
        services.application_update_details(by=user_a, application=application, status="accepted")


def test_a_new_version_keeps_the_old_file_and_counts_up(enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    first = upload(application, user_a, "company_profile", "v1")
    second = services.material_upload(
        by=user_a,
        application=application,
        material="company_profile",
        name="企业简介v2.pdf",
        data=pdf_file("企业简介v2.pdf", "v2"),
        replaces=first,
    )
    assert second.version == 2
    assert MaterialFile.objects.filter(application=application).count() == 2
    with pytest.raises(RuleViolation) as refused:  # the old one is no longer current
        services.material_upload(
            by=user_a,
            application=application,
            material="company_profile",
            name="企业简介v3.pdf",
            data=pdf_file("企业简介v3.pdf", "v3"),
            replaces=first,
        )
    assert refused.value.code == "stale"


def test_the_same_file_twice_is_refused_clearly(enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    upload(application, user_a, "company_profile", "same bytes", name="a.pdf")
    with pytest.raises(RuleViolation) as refused:
        upload(application, user_a, "company_profile", "same bytes", name="b.pdf")
    assert refused.value.code == "duplicate"
    assert "a.pdf" in refused.value.zh
    assert MaterialFile.objects.filter(application=application).count() == 1


def test_withdrawing_a_file_of_a_draft_keeps_its_row(enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    file = upload(application, user_a, "company_profile")
    services.material_withdraw(by=user_a, upload=file)
    file.refresh_from_db()
    assert file.withdrawn_at is not None
    assert "company_profile" not in services.facts_for(application).materials_present


def test_a_path_in_the_file_name_is_stored_as_its_last_component(enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    stored = upload(application, user_a, "company_profile", "x", name="../../etc/简介.pdf")
    assert stored.original_name == "简介.pdf"
    assert "etc" not in stored.storage_name
    assert stored.storage_name.startswith(f"applications/{application.pk}/company_profile/")
