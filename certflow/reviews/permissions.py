"""Who may see and do what in a document review and its nonconformities.

404 for what you may not see (the same message as for what does not exist); 403 for what you may see
but not do. Visibility follows the application (decisions R6): CB roles spanning clients see every
review; auditors those of applications they are assigned to; enterprise users their own enterprise's.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from certflow.accounts.permissions import NOT_FOUND, acts_for_an_enterprise
from certflow.applications.models import Application, MaterialFile
from certflow.applications.permissions import get_application_for_user
from certflow.reviews.domain import ASSIGNER_ROLES, ReviewStatus
from certflow.reviews.models import CorrectiveAction, CorrectiveEvidence, DocumentReview, Nonconformity
from certflow.reviews.selectors import corrective_actions_for_user, nonconformities_for_user, reviews_for_user
from certflow.reviews.services import verifier_id

ONLY_REVIEWER = "只有被指派的文件审核员可以进行此操作 / only the assigned document reviewer may do this"
ONLY_ENTERPRISE = "只有申请企业的用户可以提交整改报告 / only the enterprise's users may submit corrective actions"
ONLY_ASSIGNER = (
    "只有受理员或审核方案管理人员可以指派文件审核员 / only a clerk or programme manager may assign reviewers"
)


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def is_reviewer(user, review: DocumentReview) -> bool:
    return user.is_active and user.is_cb_staff and user.pk == review.reviewer_id


def may_see_entries(user, review: DocumentReview) -> bool:
    """The checklist is the reviewer's working paper until the report is issued; then the enterprise
    sees it as part of the report (decisions R6). CB staff who may see the review see it at once."""
    return user.is_cb_staff or review.status != ReviewStatus.IN_PROGRESS


def get_review_for_user(user, pk, *, write: bool = False) -> DocumentReview:
    review = _get(reviews_for_user(user).select_related("application__enterprise", "application__scheme_version"), pk)
    if write and not is_reviewer(user, review):
        raise PermissionDenied(ONLY_REVIEWER)
    return review


def get_application_for_assigner(user, pk) -> Application:
    """The application whose reviewer is being chosen: clerks and programme managers only (403 for others
    who may see it)."""
    application = get_application_for_user(user, pk)
    if not (user.is_cb_staff and user.has_role(*ASSIGNER_ROLES)):
        raise PermissionDenied(ONLY_ASSIGNER)
    return application


def may_assign(user) -> bool:
    return user.is_authenticated and user.is_cb_staff and user.has_role(*ASSIGNER_ROLES)


def check_assigner(user) -> None:
    """Before the body is read (403 for anyone who may never assign a reviewer)."""
    if not may_assign(user):
        raise PermissionDenied(ONLY_ASSIGNER)


def check_answerer(user) -> None:
    """Before the body is read: corrective actions are written by enterprise users only (403 for staff)."""
    if not acts_for_an_enterprise(user):
        raise PermissionDenied(ONLY_ENTERPRISE)


def get_nonconformity_for_user(user, pk, *, answer: bool = False) -> Nonconformity:
    """`answer=True`: the enterprise's own users, who write the corrective-action report."""
    nonconformity = _get(
        nonconformities_for_user(user).select_related(
            "application__enterprise", "certificate__enterprise", "review", "audit"
        ),
        pk,
    )
    if answer and (
        user.is_cb_staff
        or not user.memberships.filter(enterprise_id=nonconformity.enterprise_id, ended_at__isnull=True).exists()
    ):
        raise PermissionDenied(ONLY_ENTERPRISE)
    return nonconformity


def is_verifier(user, nonconformity: Nonconformity) -> bool:
    return user.is_active and user.is_cb_staff and user.pk == verifier_id(nonconformity)


def get_corrective_action_for_user(user, pk, *, decide: bool = False) -> CorrectiveAction:
    """`decide=True`: the nonconformity's verifier (the assigned reviewer), who accepts or returns it."""
    action = _get(
        corrective_actions_for_user(user).select_related(
            "nonconformity__application__enterprise", "nonconformity__certificate__enterprise"
        ),
        pk,
    )
    if decide and not is_verifier(user, action.nonconformity):
        raise PermissionDenied(ONLY_REVIEWER)
    return action


def get_evidence_for_user(user, pk) -> CorrectiveEvidence:
    evidence = _get(CorrectiveEvidence.objects.select_related("action__nonconformity"), pk)
    if not nonconformities_for_user(user).filter(pk=evidence.action.nonconformity_id).exists():
        raise Http404(NOT_FOUND)
    return evidence


def get_review_material_for_user(user, review_pk, file_pk) -> MaterialFile:
    """A material file of the application under review, cited as evidence in its checklist."""
    review = get_review_for_user(user, review_pk)
    if not may_see_entries(user, review):
        raise Http404(NOT_FOUND)
    return _get(MaterialFile.objects.filter(application_id=review.application_id), file_pk)
