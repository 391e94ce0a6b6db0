"""Building blocks of the surveillance tests, all through the real services."""

from datetime import date, time

from django.utils import timezone

from certflow.audits.services import conduct, planning
from certflow.audits.tests.test_conduct_fixtures import ATTENDEES, record_everything
from certflow.certificates import services as certificate_services
from certflow.core.schemes.services import scheme_version_for

SCOPE = {"categories": ["custom_furniture"], "services": ["solution_design", "manufacturing", "after_sales"]}
ISSUED = date(2025, 8, 11)  # window 1: 2026-05-11 .. 2026-08-11
PLAN_DAY = date(2026, 6, 15)  # a Monday in window 1
AUDIT_DAYS = (date(2026, 7, 6), date(2026, 7, 7))


def issue(by, enterprise, *, issued_on=ISSUED, today=date(2026, 6, 1)):
    return certificate_services.certificate_issue(
        by=by,
        enterprise=enterprise,
        scheme_version=scheme_version_for(),
        grade_code="four_star",
        scope=SCOPE,
        issued_on=issued_on,
        today=today,
    )


def notified_surveillance(*, planner, certificate, enterprise_user, lead, members=(), days=AUDIT_DAYS, today=PLAN_DAY):
    audit = planning.surveillance_audit_create(by=planner, certificate=certificate, today=today)
    planning.dates_propose(by=planner, audit=audit, days=list(days), today=today)
    planning.dates_confirm(by=enterprise_user, audit=audit, proposal=planning.pending_proposal(audit), today=today)
    planning.team_set(by=planner, audit=audit, members=[lead, *members], lead=lead)
    site = planning.site_add(by=planner, audit=audit, kind="workshop", name="生产车间", address="广州市番禺区")
    planning.schedule_slot_add(
        by=planner, audit=audit, day=days[0], start=time(9, 0), end=time(9, 30), activity="首次会议", site=site
    )
    planning.notice_send(by=planner, audit=audit, today=today)
    audit.refresh_from_db()
    return audit


def held_surveillance(audit, *, lead, member, results, user, days=AUDIT_DAYS):
    """Start, record every item (`results` overrides conform), raise and confirm the NCs, hold the closing."""
    conduct.audit_start(by=lead, audit=audit, today=days[0])
    record_everything(audit, member, results)
    ncs = [
        conduct.nonconformity_raise_from_finding(by=member, audit=audit, item_id=item, today=days[0])
        for item in sorted(results)
    ]
    for nc in ncs:
        conduct.nonconformity_confirm(by=user, nonconformity=nc)
    conduct.closing_meeting_hold(
        by=lead, audit=audit, held_at=timezone.now(), attendees=ATTENDEES, conclusion="监督审核结论", today=days[-1]
    )
    audit.refresh_from_db()
    for nc in ncs:
        nc.refresh_from_db()
    return ncs
