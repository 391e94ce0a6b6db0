"""Helpers the survey services share: roles, locks, the scheme, notifications."""

from django.utils import timezone

from certflow.accounts.models import User
from certflow.accounts.roles import StaffRole
from certflow.applications.domain import ApplicationStatus
from certflow.core.rules import RuleViolation
from certflow.reviews.selectors import scheme_for
from certflow.surveys.models import Survey

# Decisions V1/V9: the survey is run, and call-backs are made, by acceptance clerks and programme
# managers — the CB people who already handle the client's contact data. They alone see names and
# phone numbers unmasked.
SURVEY_STAFF_ROLES = frozenset({StaffRole.ACCEPTANCE_CLERK, StaffRole.PROGRAMME_MANAGER})

# The survey may run from acceptance onward (scheme survey.timing: 可自受理起与审核并行).
BEFORE_ACCEPTANCE = frozenset(
    {
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.SUPPLEMENT_REQUESTED,
        ApplicationStatus.NOT_ACCEPTED,
        ApplicationStatus.WITHDRAWN,
    }
)


def is_survey_staff(user) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and user.is_cb_staff and user.has_role(*SURVEY_STAFF_ROLES)
    )


def guard_survey_staff(by) -> None:
    if not is_survey_staff(by):
        raise RuleViolation(
            "只有受理员或审核方案管理人员可以进行此操作",
            "only an acceptance clerk or a programme manager may do this",
            "not_survey_staff",
        )


def is_enterprise_member(user, survey: Survey) -> bool:
    if not user.is_authenticated or user.is_cb_staff or not user.is_active:
        return False
    return user.memberships.filter(enterprise_id=survey.enterprise_id, ended_at__isnull=True).exists()


def guard_enterprise_member(by, survey: Survey) -> None:
    if not is_enterprise_member(by, survey):
        raise RuleViolation(
            "只有受调查企业的用户可以进行此操作", "only the surveyed enterprise's users may do this", "not_enterprise"
        )


def lock_survey(survey: Survey) -> Survey:
    return (
        Survey.objects.select_for_update()
        .select_related("application", "enterprise", "scheme_version")
        .get(pk=survey.pk)
    )


def rules_for(survey: Survey):
    return scheme_for(survey.application).survey


def enterprise_users(survey: Survey):
    return User.objects.filter(
        memberships__enterprise_id=survey.enterprise_id, memberships__ended_at__isnull=True, is_active=True
    ).distinct()


def survey_staff_users():
    return User.objects.filter(
        is_active=True, role_grants__role__in=SURVEY_STAFF_ROLES, role_grants__revoked_at__isnull=True
    ).distinct()


def notify(**kwargs) -> None:
    from certflow.notifications.services import notify as send

    send(**kwargs)


def survey_url(survey: Survey) -> str:
    return f"/surveys/{survey.pk}/"


def now():
    return timezone.now()
