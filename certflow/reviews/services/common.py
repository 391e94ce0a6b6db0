"""Helpers shared by the review and nonconformity services: locks, people, notifications, deadlines."""

from datetime import date

from django.utils import timezone

from certflow.accounts.models import User
from certflow.applications.models import Application
from certflow.core.rules import RuleViolation
from certflow.core.workdays.services import CalendarDataMissing, add_working_days, is_working_day
from certflow.reviews import domain
from certflow.reviews.domain import ReviewerFacts
from certflow.reviews.selectors import scheme_for


def lock_application(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("enterprise", "scheme_version").get(pk=application.pk)


def today_or(today: date | None) -> date:
    return today or timezone.localdate()


def reviewer_facts(user) -> ReviewerFacts:
    # Read the roles afresh: a grant revoked a moment ago must count.
    user.__dict__.pop("roles", None)
    return ReviewerFacts(
        is_cb_staff=user.is_cb_staff,
        is_active=user.is_active,
        roles=user.roles,
        label=user.full_name or user.email,
    )


def enterprise_users(owner):
    """The enterprise's active users; `owner` is an application or a certificate (anything with enterprise_id)."""
    return User.objects.filter(
        memberships__enterprise_id=owner.enterprise_id, memberships__ended_at__isnull=True, is_active=True
    ).distinct()


def is_enterprise_user(user, owner) -> bool:
    if user.is_cb_staff or not user.is_active:
        return False
    return user.memberships.filter(enterprise_id=owner.enterprise_id, ended_at__isnull=True).exists()


def notify(**kwargs) -> None:
    from certflow.notifications.services import notify as send

    send(**kwargs)


def correction_due(owner, grade: str, reported_on: date) -> date:
    """The scheme's deadline for correcting a nonconformity of `grade` (decisions S6, R4, R10)."""
    return correction_due_info(owner, grade, reported_on)[0]


def correction_due_info(owner, grade: str, reported_on: date) -> tuple[date, bool]:
    """The deadline and whether it is provisional (its year's holiday schedule not entered yet, R10).
    `owner` is the application, or the certificate of a surveillance nonconformity: both carry the scheme
    version the deadline comes from."""
    deadline = scheme_for(owner).deadline(domain.correction_deadline_name(grade))
    try:
        return domain.correction_due_or_provisional(
            reported_on,
            amount=deadline.amount,
            unit=deadline.unit,
            add_working_days=add_working_days,
            is_working_day=is_working_day,
            missing=CalendarDataMissing,
        )
    except CalendarDataMissing as exc:
        raise RuleViolation(exc.message_zh, exc.message_en, "calendar_missing") from None
