"""Who may see and do what with an application. 404 for what you may not see; 403 for what you may
see but not do."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from certflow.accounts.models import Membership
from certflow.accounts.permissions import NOT_FOUND
from certflow.accounts.roles import StaffRole
from certflow.applications.models import Application, MaterialFile
from certflow.applications.selectors import applications_for_user


def is_enterprise_member(user, application: Application) -> bool:
    return Membership.objects.filter(user=user, enterprise_id=application.enterprise_id, ended_at__isnull=True).exists()


def get_application_for_user(user, pk) -> Application:
    try:
        return applications_for_user(user).select_related("enterprise", "scheme_version").get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def get_application_for_enterprise_user(user, pk) -> Application:
    """For the enterprise's own actions (edit, upload, submit): CB staff may look but not act."""
    application = get_application_for_user(user, pk)
    if user.is_cb_staff or not is_enterprise_member(user, application):
        raise PermissionDenied("只有申请企业的成员可以进行此操作 / only the applicant enterprise's users may do this")
    return application


def get_application_for_clerk(user, pk) -> Application:
    """For acceptance decisions (受理): acceptance clerks only."""
    application = get_application_for_user(user, pk)
    if not user.has_role(StaffRole.ACCEPTANCE_CLERK):
        raise PermissionDenied("只有受理员可以作出受理决定 / only an acceptance clerk may decide on acceptance")
    return application


def get_material_file_for_user(user, pk) -> MaterialFile:
    try:
        upload = MaterialFile.objects.select_related("application").get(pk=pk)
    except (MaterialFile.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if not applications_for_user(user).filter(pk=upload.application_id).exists():
        raise Http404(NOT_FOUND)
    return upload
