"""Builders of the decision tests: an application brought to "on-site audit passed" through the real services,
with a closed satisfaction survey. Keep these names stable: the page, API and demo tests use them too."""

from django.utils import timezone

from certflow.accounts.roles import StaffRole
from certflow.audits.services import conduct
from certflow.audits.tests.helpers import notified_audit
from certflow.audits.tests.test_conduct_fixtures import ATTENDEES, DAY1, DAY2, record_everything
from certflow.core.testing.factories import StaffFactory
from certflow.surveys.domain import SurveyStatus
from certflow.surveys.models import Survey
from certflow.surveys.services.lifecycle import survey_create

# The day the committee sits: after the audit days (2026-03-16/17), inside the calendar's years.
DECISION_DAY = DAY2.replace(day=DAY2.day + 10)


def onsite_passed(*, application, planner, enterprise_user, lead, member, results=None):
    """`application` (document review passed) through an on-site audit that passes at the closing meeting."""
    audit = notified_audit(
        planner=planner, application=application, enterprise_user=enterprise_user, lead=lead, members=[member]
    )
    conduct.audit_start(by=lead, audit=audit, today=DAY1)
    record_everything(audit, member, results or {})
    conduct.closing_meeting_hold(
        by=lead, audit=audit, held_at=timezone.now(), attendees=ATTENDEES, conclusion="符合认证要求", today=DAY2
    )
    audit.refresh_from_db()
    application.refresh_from_db()
    return audit


def survey_result(*, application, staff, answered: int, satisfied: int, threshold_passed: bool | None = None):
    """Round 1 of the survey, closed with these counts. How a survey reaches its counts (sampling, answers,
    call-backs) is the surveys app's business and tested there; the decision reads the frozen result."""
    survey = Survey.objects.filter(application=application).first() or survey_create(by=staff, application=application)
    rules = application.scheme_version.as_scheme().survey
    from fractions import Fraction

    passed = rules.passes(Fraction(satisfied, answered)) if threshold_passed is None else threshold_passed
    survey.status = SurveyStatus.PASSED if passed else SurveyStatus.IMPROVEMENT_REQUIRED
    survey.result_answered, survey.result_satisfied, survey.result_passed = answered, satisfied, passed
    survey.closed_at = timezone.now()
    survey.closed_by = staff
    survey.save()
    return survey


def committee_members(n: int = 3, *, prefix: str = "tc"):
    return [
        StaffFactory(email=f"{prefix}{i}@cb.example", full_name=f"委员{i}", roles=[StaffRole.TECHNICAL_COMMITTEE])
        for i in range(1, n + 1)
    ]
