"""The stored next obligation (decisions SV11) stays in step with the audits, and the dashboard's counts,
filters and order computed on it in SQL agree with the domain's programme on any day."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certflow.audits.services import planning
from certflow.certificates.models import Certificate
from certflow.core.testing.factories import EnterpriseFactory
from certflow.surveillance import domain, programme_state, selectors
from certflow.surveillance.models import NextObligation
from certflow.surveillance.tests.helpers import ISSUED, PLAN_DAY, held_surveillance, issue, notified_surveillance

DASH = "/surveillance/"
# Days around the first two windows (window 1: 2026-05-11 .. 2026-08-11) and past the second.
DAYS = (ISSUED, date(2026, 5, 10), date(2026, 5, 11), PLAN_DAY, date(2026, 8, 11), date(2026, 8, 12), date(2027, 9, 1))


def stored(certificate) -> NextObligation:
    return NextObligation.objects.get(certificate=certificate)


def assert_in_step(*certificates):
    """The stored row is what the audits give now, and its SQL state is the domain's on every day."""
    for certificate in certificates:
        fresh = programme_state.compute([Certificate.objects.get(pk=certificate.pk)])[0]
        row = stored(certificate)
        fields = ("window", "opens", "closes", "recertification_counts", "planned", "planned_late")
        assert [getattr(row, f) for f in fields] == [getattr(fresh, f) for f in fields], certificate.number
    ids = [c.pk for c in certificates]
    for day in DAYS:
        in_sql = dict(
            selectors.in_force().filter(pk__in=ids).annotate(s=programme_state.state_on(day)).values_list("pk", "s")
        )
        for certificate in certificates:
            obligations = selectors.certificate_programme(certificate, day)
            nxt = domain.next_obligation(obligations)
            expected = nxt.state if nxt else domain.ObligationState.DONE
            assert in_sql[certificate.pk] == expected, (certificate.number, day)


def test_the_row_follows_an_audit_from_plan_to_held(programme_manager, cert_a, user_a, lead, member):
    row = stored(cert_a)
    assert (row.window, row.opens, row.closes, row.planned) == (1, date(2026, 5, 11), date(2026, 8, 11), False)
    assert_in_step(cert_a)

    audit = notified_surveillance(
        planner=programme_manager, certificate=cert_a, enterprise_user=user_a, lead=lead, members=[member]
    )
    assert stored(cert_a).planned and stored(cert_a).window == 1
    assert_in_step(cert_a)

    held_surveillance(audit, lead=lead, member=member, results={}, user=user_a)
    row = stored(cert_a)
    assert row.window == 2 and not row.planned
    assert_in_step(cert_a)


def test_a_cancelled_audit_leaves_the_window_unplanned(programme_manager, cert_a):
    audit = planning.surveillance_audit_create(by=programme_manager, certificate=cert_a, today=PLAN_DAY)
    assert stored(cert_a).planned
    planning.audit_cancel(by=programme_manager, audit=audit, reason="企业停产检修")
    assert not stored(cert_a).planned
    assert_in_step(cert_a)


def test_a_scope_reduced_replacement_takes_over_the_held_audit(programme_manager, cert_a, user_a, lead, member):
    from certflow.certificates.services import certificate_reduce_scope

    audit = notified_surveillance(
        planner=programme_manager, certificate=cert_a, enterprise_user=user_a, lead=lead, members=[member]
    )
    held_surveillance(audit, lead=lead, member=member, results={}, user=user_a)
    replacement = certificate_reduce_scope(
        by=programme_manager,
        certificate=cert_a,
        categories=["custom_furniture"],
        services=["manufacturing"],
        reason="方案设计环节不再满足要求",
        today=date(2026, 7, 20),
    )
    # The replaced certificate left the programme; its successor starts at window 2 like it would have.
    assert not NextObligation.objects.filter(certificate=cert_a).exists()
    assert stored(replacement).window == 2
    assert_in_step(replacement)


def test_a_suspended_certificate_stays_and_an_ended_one_leaves(programme_manager, cert_a):
    from certflow.certificates.services import certificate_revoke, certificate_suspend

    certificate_suspend(by=programme_manager, certificate=cert_a, reason="企业申请暂停", today=PLAN_DAY)
    assert stored(cert_a).window == 1
    certificate_revoke(
        by=programme_manager, certificate=Certificate.objects.get(pk=cert_a.pk), reason="整改期满未恢复", today=PLAN_DAY
    )
    assert not NextObligation.objects.filter(certificate=cert_a).exists()


def test_a_certificate_without_a_row_is_computed_on_the_next_read(client, programme_manager, cert_a):
    NextObligation.objects.all().delete()  # as after a bulk import that sent no save signal
    client.force_login(programme_manager)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("certflow.surveillance.views.today", lambda: PLAN_DAY)
        page = client.get(DASH)
    assert dict((v, c) for v, _l, c in page.context["counts"])["due"] == 1
    assert stored(cert_a).window == 1
    # Nothing missing any more: one query looks and finds nothing.
    with CaptureQueriesContext(connection) as queries:
        assert programme_state.fill_missing() == 0
    assert len(queries) == 1


def test_the_dashboard_computes_the_page_only(client, programme_manager, monkeypatch):
    """At 50,000 certificates every programme computed per request took 20 s (bench/RESULTS.md)."""
    from certflow.surveillance.views import PER_PAGE

    certificates = [issue(programme_manager, EnterpriseFactory()) for _ in range(PER_PAGE + 3)]
    computed = []
    original = domain.programme

    def counting(windows, audits, today):
        computed.append(today)
        return original(windows, audits, today)

    monkeypatch.setattr("certflow.surveillance.selectors.domain.programme", counting)
    monkeypatch.setattr("certflow.surveillance.views.today", lambda: PLAN_DAY)
    client.force_login(programme_manager)
    page = client.get(DASH)
    assert page.status_code == 200
    assert len(computed) == PER_PAGE
    assert page.context["total"] == len(certificates)
    assert page.context["page"].paginator.count == len(certificates)
    computed.clear()
    second = client.get(DASH, {"page": 2})
    assert len(computed) == 3 and len(second.context["rows"]) == 3


def test_state_filter_month_filter_and_order_agree_with_the_domain(programme_manager, enterprise_b, cert_a):
    later = issue(programme_manager, enterprise_b, issued_on=date(2025, 11, 20))
    planned = issue(programme_manager, EnterpriseFactory(), issued_on=date(2025, 9, 1))
    planning.surveillance_audit_create(by=programme_manager, certificate=planned, today=PLAN_DAY)
    everyone = Certificate.objects.filter(pk__in=[cert_a.pk, later.pk, planned.pk])
    for day in DAYS:
        visible = selectors.in_force().filter(pk__in=everyone.values("pk"))
        programme = selectors.programme_rows(visible, on=day)
        rows = list(programme.rows)
        python_order = sorted(
            rows,
            key=lambda r: (
                selectors.STATE_ORDER[r.state],
                r.next.window.closes if r.next else date.max,
                r.certificate.number,
            ),
        )
        assert [r.certificate.pk for r in rows] == [r.certificate.pk for r in python_order], day
        for state in domain.ObligationState.values:
            filtered = list(selectors.programme_rows(visible, on=day, state=state).rows)
            assert {r.certificate.pk for r in filtered} == {r.certificate.pk for r in rows if r.state == state}
            assert programme.counts[state] == len(filtered)
        month = date(2026, 9, 1)
        in_month = list(selectors.programme_rows(visible, on=day, month=month).rows)
        assert {r.certificate.pk for r in in_month} == {
            r.certificate.pk
            for r in rows
            if r.next and r.next.window.opens < month + timedelta(days=30) and r.next.window.closes >= month
        }
