"""Who may see and do what in a survey (decisions V9).

404 for what you may not see; 403 for what you may see but not do. The enterprise sees its own
list (masked), the status and the result — never who answered what. Per-respondent data and the
unmasked list are for the survey staff (acceptance clerks and programme managers) only.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from certflow.accounts.permissions import NOT_FOUND
from certflow.surveys.models import ImportJob, ImprovementPlan, Invitation, Survey
from certflow.surveys.selectors import surveys_for_user
from certflow.surveys.services.common import is_enterprise_member, is_survey_staff

ONLY_STAFF = "只有受理员或审核方案管理人员可以进行此操作 / only an acceptance clerk or a programme manager may do this"
ONLY_ENTERPRISE = "只有受调查企业的用户可以进行此操作 / only the surveyed enterprise's users may do this"


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def get_survey_for_user(user, pk, *, staff: bool = False, enterprise: bool = False) -> Survey:
    survey = _get(surveys_for_user(user).select_related("application__scheme_version", "enterprise"), pk)
    if staff and not is_survey_staff(user):
        raise PermissionDenied(ONLY_STAFF)
    if enterprise and not is_enterprise_member(user, survey):
        raise PermissionDenied(ONLY_ENTERPRISE)
    return survey


def may_see_personal_data(user) -> bool:
    """Unmasked names and phone numbers, and what each respondent answered."""
    return is_survey_staff(user)


def get_invitation_for_caller(user, pk) -> Invitation:
    if not is_survey_staff(user):
        raise Http404(NOT_FOUND)
    return _get(Invitation.objects.select_related("customer", "survey__application__scheme_version"), pk)


def get_import_for_user(user, pk) -> ImportJob:
    job = _get(ImportJob.objects.select_related("survey"), pk)
    if not surveys_for_user(user).filter(pk=job.survey_id).exists():
        raise Http404(NOT_FOUND)
    return job


def get_plan_for_user(user, pk) -> ImprovementPlan:
    plan = _get(ImprovementPlan.objects.select_related("survey__application", "survey__enterprise"), pk)
    if not surveys_for_user(user).filter(pk=plan.survey_id).exists():
        raise Http404(NOT_FOUND)
    return plan
