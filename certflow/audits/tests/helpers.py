"""Building blocks shared by the audit tests (planning and conduct): everything made through the real
services, so a test starts from a state the product itself can reach. Keep these names stable."""

from datetime import date, time

from certflow.accounts.roles import StaffRole
from certflow.auditors import services as auditor_services
from certflow.auditors.domain import AuditorLevel
from certflow.auditors.models import AuditorProfile
from certflow.audits.models import Audit
from certflow.audits.services import planning
from certflow.core.testing.factories import StaffFactory
from certflow.reviews import services as review_services
from certflow.reviews.tests.helpers import accepted_application, record_all

# A Monday with no holiday near it (as in the review tests); the audit days below are two weeks on.
TODAY = date(2026, 3, 2)
AUDIT_DAYS = (date(2026, 3, 16), date(2026, 3, 17))
# 2026-03-16 minus 7 working days: the last day the notice may go out for AUDIT_DAYS.
LAST_NOTICE = date(2026, 3, 5)


def passed_application(*, enterprise, user, clerk, reviewer, today: date = TODAY):
    """An application of `enterprise` (custom furniture) whose document review passed with no findings."""
    application = accepted_application(enterprise=enterprise, user=user, clerk=clerk, today=today)
    review = review_services.review_assign(by=clerk, application=application, reviewer=reviewer)
    record_all(review, reviewer)
    review_services.review_complete(by=reviewer, review=review, summary="未发现不符合项。", today=today)
    application.refresh_from_db()
    return application


def registered_auditor(
    *,
    keeper,
    user=None,
    email: str = "",
    lead: bool = False,
    categories=("custom_furniture",),
    valid_from: date = date(2025, 1, 1),
    valid_until: date = date(2028, 12, 31),
    number: str = "",
):
    """A CB auditor (a new staff user unless `user` is given) in the register, competent for `categories`."""
    if user is None:
        roles = [StaffRole.AUDITOR, StaffRole.LEAD_AUDITOR] if lead else [StaffRole.AUDITOR]
        user = StaffFactory(email=email or f"auditor{AuditorProfile.objects.count() + 1}@cb.example", roles=roles)
    profile = auditor_services.profile_create(
        by=keeper,
        user=user,
        qualification_number=number or f"CCAA-2025-{user.pk:05d}",
        level=AuditorLevel.LEAD_AUDITOR if lead else AuditorLevel.AUDITOR,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    for category in categories:
        auditor_services.competence_add(by=keeper, profile=profile, category=category)
    return user


def planned_audit(*, planner, application, today: date = TODAY) -> Audit:
    return planning.audit_create(by=planner, application=application, today=today)


def proposed_audit(*, planner, application, days=AUDIT_DAYS, today: date = TODAY) -> Audit:
    audit = planned_audit(planner=planner, application=application, today=today)
    planning.dates_propose(by=planner, audit=audit, days=list(days), message="请确认", today=today)
    audit.refresh_from_db()
    return audit


def scheduled_audit(*, planner, application, enterprise_user, days=AUDIT_DAYS, today: date = TODAY) -> Audit:
    audit = proposed_audit(planner=planner, application=application, days=days, today=today)
    planning.dates_confirm(by=enterprise_user, audit=audit, proposal=planning.pending_proposal(audit), today=today)
    audit.refresh_from_db()
    return audit


def staffed_audit(*, planner, application, enterprise_user, lead, members=(), days=AUDIT_DAYS, today=TODAY):
    """Scheduled, with a team (`lead` plus `members`) and a first-day opening meeting on the schedule."""
    audit = scheduled_audit(
        planner=planner, application=application, enterprise_user=enterprise_user, days=days, today=today
    )
    planning.team_set(by=planner, audit=audit, members=[lead, *members], lead=lead)
    planning.schedule_slot_add(
        by=planner,
        audit=audit,
        day=days[0],
        start=time(9, 0),
        end=time(9, 30),
        activity="首次会议",
        site=audit.sites.first(),
    )
    audit.refresh_from_db()
    return audit


def notified_audit(*, planner, application, enterprise_user, lead, members=(), days=AUDIT_DAYS, today=TODAY):
    """Notified in time: ready for the conduct of the audit (START)."""
    audit = staffed_audit(
        planner=planner,
        application=application,
        enterprise_user=enterprise_user,
        lead=lead,
        members=members,
        days=days,
        today=today,
    )
    planning.notice_send(by=planner, audit=audit, today=today)
    audit.refresh_from_db()
    return audit
