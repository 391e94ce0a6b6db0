"""Issuing and changing certificates through the services: history, events, notifications, refusals."""

import threading
from datetime import date

import pytest
from django.db import connection

from certflow.certificates import selectors, services, signing
from certflow.certificates.domain import CertificateStatus as S
from certflow.certificates.models import Certificate, CertificateStatusChange
from certflow.certificates.tests.conftest import SCOPE, TODAY
from certflow.core.events.models import Event
from certflow.core.rules import RuleViolation
from certflow.notifications.models import Notification

pytestmark = pytest.mark.django_db


class Unchanged:
    """Counts rows before a refused action; asserts nothing was written."""

    def __init__(self):
        self.before = self.counts()

    @staticmethod
    def counts():
        return (
            Certificate.objects.count(),
            CertificateStatusChange.objects.count(),
            Event.objects.count(),
            Notification.objects.count(),
            list(Certificate.objects.order_by("pk").values_list("status", flat=True)),
        )

    def check(self):
        assert self.counts() == self.before


def test_issue_numbers_dates_snapshot_signature_event_and_notification(certificate_a, enterprise_a, user_a):
    c = certificate_a
    assert c.number == "OLS-GZ0056-2026-00001"
    assert (c.issued_on, c.expires_on, c.status, c.status_since) == (
        date(2026, 3, 2),
        date(2029, 3, 2),
        S.VALID,
        c.issued_on,
    )
    assert (c.enterprise_name, c.enterprise_uscc, c.enterprise_address) == (
        enterprise_a.name,
        enterprise_a.uscc,
        enterprise_a.address,
    )
    assert c.scope_text == "定制家具；服务环节：方案设计、生产制造、售后服务"
    assert c.scope_text_en.startswith("Custom furniture; service stages: solution design")
    assert (c.grade_code, c.grade_name, c.grade_name_en) == ("four_star", "四星", "Four-star")
    assert (c.scheme_code, c.scheme_version_label) == ("CTS OLS/GZ-0056-2025", "A/0")
    result = signing.verify_encoded(c.signed_payload, c.signature, signing.verification_keys())
    assert result.authentic and result.claims.number == c.number and result.claims.scope == c.scope_text
    assert list(c.status_changes.values_list("from_status", "to_status")) == [("", S.VALID)]
    event = Event.objects.get(action="certificate.issued")
    assert event.after["number"] == c.number and event.target_id == str(c.pk)
    note = Notification.objects.get(kind="certificate.issued")
    assert note.recipient == user_a and note.url == f"/certificates/{c.pk}/"


def test_the_certificate_keeps_what_it_said_when_the_enterprise_changes(certificate_a, enterprise_a):
    enterprise_a.name, enterprise_a.address = "甲定制家居集团有限公司", "上海市浦东新区"
    enterprise_a.save()
    certificate_a.refresh_from_db()
    assert certificate_a.enterprise_name == "甲定制家居有限公司"
    assert certificate_a.enterprise_address == "广东省深圳市南山区科技园1号"


def test_numbers_count_per_year_of_issue(issue, enterprise_a, enterprise_b):
    first = issue(enterprise_a, issued_on=date(2025, 12, 30))
    second = issue(enterprise_b, issued_on=date(2026, 1, 2))
    third = issue(enterprise_a, issued_on=date(2026, 1, 3))
    assert [first.number, second.number, third.number] == [
        "OLS-GZ0056-2025-00001",
        "OLS-GZ0056-2026-00001",
        "OLS-GZ0056-2026-00002",
    ]


def test_the_configured_number_format_is_used(issue, enterprise_a, settings):
    settings.CERTFLOW_CERTIFICATE_NUMBER_FORMAT = "OLS{year}.{seq:04d}"
    assert issue(enterprise_a).number == "OLS2026.0001"


def test_a_29_february_certificate_is_valid_to_28_february(issue, enterprise_a):
    certificate = issue(enterprise_a, issued_on=date(2028, 2, 29), today=date(2028, 3, 1))
    assert certificate.expires_on == date(2031, 2, 28)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"grade_code": "six_star"}, "grade"),
        ({"scope": {"categories": []}}, "scope"),
        ({"scope": {"categories": ["spaceships"]}}, "scope"),
        ({"scope": {"categories": ["other"], "services": []}}, "scope"),
        ({"issued_on": date(2026, 11, 25)}, "future_date"),
        ({"issued_on": date(2025, 7, 14)}, "before_scheme"),
    ],
)
def test_bad_issue_requests_are_refused_and_nothing_is_written(issue, enterprise_a, kwargs, code):
    unchanged = Unchanged()
    with pytest.raises(RuleViolation) as exc:
        issue(enterprise_a, **kwargs)
    assert exc.value.code == code
    unchanged.check()


@pytest.mark.parametrize("who", ["clerk", "auditor", "user_a"])
def test_only_committee_programme_managers_and_administrators_issue(issue, enterprise_a, request, who):
    unchanged = Unchanged()
    with pytest.raises(RuleViolation):
        issue(enterprise_a, by=request.getfixturevalue(who))
    unchanged.check()


@pytest.mark.parametrize("who", ["committee_member", "cb_admin"])
def test_committee_members_and_administrators_may_issue(issue, enterprise_a, request, who):
    assert issue(enterprise_a, by=request.getfixturevalue(who)).status == S.VALID


def test_other_category_prints_its_description(issue, enterprise_a):
    scope = {"categories": ["other"], "services": [], "other_description": "定制灯具"}
    assert issue(enterprise_a, scope=scope).scope_text == "其他定制商品（定制灯具）"


def test_suspend_restore_revoke_write_history_events_and_notify(certificate_a, programme_manager, user_a):
    services.certificate_suspend(by=programme_manager, certificate=certificate_a, reason="严重不符合项", today=TODAY)
    certificate_a.refresh_from_db()
    assert (certificate_a.status, certificate_a.status_since, certificate_a.status_reason) == (
        S.SUSPENDED,
        TODAY,
        "严重不符合项",
    )
    services.certificate_restore(by=programme_manager, certificate=certificate_a, today=date(2026, 12, 1))
    services.certificate_revoke(
        by=programme_manager, certificate=certificate_a, reason="再次发生", today=date(2026, 12, 8)
    )
    certificate_a.refresh_from_db()
    assert certificate_a.status == S.REVOKED
    changes = list(certificate_a.status_changes.order_by("id").values_list("from_status", "to_status", "effective_on"))
    assert changes == [
        ("", S.VALID, date(2026, 3, 2)),
        (S.VALID, S.SUSPENDED, TODAY),
        (S.SUSPENDED, S.VALID, date(2026, 12, 1)),
        (S.VALID, S.REVOKED, date(2026, 12, 8)),
    ]
    assert list(
        Event.objects.filter(action__startswith="certificate.").order_by("seq").values_list("action", flat=True)
    ) == [
        "certificate.issued",
        "certificate.suspend",
        "certificate.restore",
        "certificate.revoke",
    ]
    assert Notification.objects.filter(recipient=user_a, kind="certificate.revoke").count() == 1


@pytest.mark.parametrize("who", ["clerk", "committee_member", "auditor", "user_a"])
def test_only_programme_managers_and_administrators_change_status(certificate_a, request, who):
    unchanged = Unchanged()
    with pytest.raises(RuleViolation) as exc:
        services.certificate_suspend(by=request.getfixturevalue(who), certificate=certificate_a, reason="x")
    assert exc.value.code == "not_allowed"
    unchanged.check()


def test_a_revoked_role_no_longer_changes_status(certificate_a, programme_manager):
    programme_manager.role_grants.update(revoked_at="2026-11-01T00:00:00Z")
    with pytest.raises(RuleViolation):
        services.certificate_suspend(by=programme_manager, certificate=certificate_a, reason="x")


def test_refused_transition_changes_nothing(certificate_a, cb_admin):
    unchanged = Unchanged()
    with pytest.raises(RuleViolation) as exc:
        services.certificate_restore(by=cb_admin, certificate=certificate_a)
    assert exc.value.code == "wrong_state"
    unchanged.check()


def test_expire_is_dated_the_day_after_the_last_valid_day(issue, enterprise_a):
    certificate = issue(enterprise_a, issued_on=date(2025, 8, 1), today=date(2025, 8, 1))
    certificate.expires_on = date(2026, 11, 1)  # as if issued under a shorter validity
    certificate.save()
    services.certificate_expire(certificate=certificate, today=TODAY)
    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_since) == (S.EXPIRED, date(2026, 11, 2))
    assert certificate.status_changes.last().changed_by is None


def test_supersede_replaces_the_old_certificate_in_the_same_transaction(issue, certificate_a, enterprise_a):
    new = issue(enterprise_a, issued_on=date(2026, 11, 20), supersedes=certificate_a)
    certificate_a.refresh_from_db()
    assert certificate_a.status == S.SUPERSEDED and certificate_a.status_since == date(2026, 11, 20)
    assert certificate_a.superseded_by == new
    assert new.number in certificate_a.status_changes.last().reason


def test_a_certificate_of_another_enterprise_cannot_be_superseded(issue, certificate_a, enterprise_b):
    unchanged = Unchanged()
    with pytest.raises(RuleViolation) as exc:
        issue(enterprise_b, supersedes=certificate_a)
    assert exc.value.code == "other_enterprise"
    unchanged.check()


def test_legacy_certificates_keep_their_number_and_lapse(enterprise_a, programme_manager):
    legacy = services.legacy_certificate_create(
        by=programme_manager,
        enterprise=enterprise_a,
        number="OLS-DZ-2024-0031",
        scheme_code="CTS OLS/GZ-0056-2022",
        scheme_version_label="A/0",
        grade_code="three_star",
        grade_name="三星",
        scope_text="定制家具",
        issued_on=date(2024, 4, 8),
        expires_on=date(2027, 4, 7),
        today=TODAY,
    )
    assert legacy.is_legacy and legacy.number == "OLS-DZ-2024-0031" and legacy.signed_payload
    with pytest.raises(RuleViolation) as exc:
        services.certificate_lapse(certificate=legacy, today=date(2026, 10, 15))
    assert exc.value.code == "transition_open"
    services.certificate_lapse(certificate=legacy, today=date(2026, 10, 16))
    legacy.refresh_from_db()
    assert (legacy.status, legacy.status_since) == (S.LAPSED, date(2026, 10, 16))


def test_a_legacy_number_that_exists_is_refused(certificate_a, enterprise_b, programme_manager):
    with pytest.raises(RuleViolation) as exc:
        services.legacy_certificate_create(
            by=programme_manager,
            enterprise=enterprise_b,
            number=certificate_a.number,
            scheme_code="X",
            scheme_version_label="A/0",
            grade_code="g",
            grade_name="三星",
            scope_text="定制家具",
            issued_on=date(2024, 4, 8),
            expires_on=date(2027, 4, 7),
        )
    assert exc.value.code == "number_taken"


def test_the_sweep_expires_and_lapses_what_is_due_once(issue, enterprise_a, enterprise_b, programme_manager):
    due = issue(enterprise_a, issued_on=date(2025, 8, 1), today=date(2025, 8, 1))
    Certificate.objects.filter(pk=due.pk).update(expires_on=date(2026, 11, 1))
    legacy = services.legacy_certificate_create(
        by=programme_manager,
        enterprise=enterprise_b,
        number="OLD-1",
        scheme_code="X",
        scheme_version_label="A/0",
        grade_code="g",
        grade_name="三星",
        scope_text="定制服饰",
        issued_on=date(2024, 4, 8),
        expires_on=date(2027, 4, 7),
        today=TODAY,
    )
    assert services.certificates_sweep(today=TODAY) == {"expired": 1, "lapsed": 1}
    assert services.certificates_sweep(today=TODAY) == {"expired": 0, "lapsed": 0}
    assert Certificate.objects.get(pk=due.pk).status == S.EXPIRED
    assert Certificate.objects.get(pk=legacy.pk).status == S.LAPSED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_never_share_a_number(programme_manager, scheme_version):
    from certflow.core.testing.factories import EnterpriseFactory

    enterprises = [EnterpriseFactory() for _ in range(8)]
    numbers, errors = [], []
    barrier = threading.Barrier(len(enterprises))

    def work(enterprise):
        try:
            barrier.wait()
            numbers.append(
                services.certificate_issue(
                    by=programme_manager,
                    enterprise=enterprise,
                    scheme_version=scheme_version,
                    grade_code="compliant",
                    scope=SCOPE,
                    issued_on=date(2026, 3, 2),
                    today=TODAY,
                ).number
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(e,)) for e in enterprises]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [f"OLS-GZ0056-2026-{n:05d}" for n in range(1, 9)]


def _legacy(enterprise, by, number="OLD-RE-1"):
    return services.legacy_certificate_create(
        by=by,
        enterprise=enterprise,
        number=number,
        scheme_code="CTS OLS/GZ-0056-2022",
        scheme_version_label="A/0",
        grade_code="three_star",
        grade_name="三星",
        scope_text="定制家具",
        issued_on=date(2024, 4, 8),
        expires_on=date(2027, 4, 7),
        today=TODAY,
    )


@pytest.mark.parametrize(
    ("recertified_on", "shown"),
    [(date(2026, 10, 15), S.VALID), (date(2026, 10, 16), S.LAPSED)],
    ids=["re-certified-on-the-deadline-day", "re-certified-a-day-late"],
)
def test_a_legacy_certificate_lapses_unless_its_enterprise_re_certified_by_the_deadline(
    issue, enterprise_a, programme_manager, recertified_on, shown
):
    legacy = _legacy(enterprise_a, programme_manager)
    issue(enterprise_a, issued_on=recertified_on, today=recertified_on)
    assert selectors.public_status(legacy, date(2026, 11, 24))[0] == shown
    services.certificates_sweep(today=date(2026, 11, 24))
    legacy.refresh_from_db()
    assert legacy.status == shown
