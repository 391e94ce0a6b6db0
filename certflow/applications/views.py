"""Application pages both sides share: the list, the page of one application, file downloads.

The enterprise's wizard lives in `views_enterprise`, the acceptance queue and decisions in `views_clerk`.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from certflow.accounts.roles import StaffRole
from certflow.accounts.selectors import enterprises_for_user
from certflow.applications.domain import ApplicationStatus
from certflow.applications.forms import ListFilterForm
from certflow.applications.permissions import get_application_for_user, get_material_file_for_user
from certflow.applications.selectors import application_list as select_applications
from certflow.applications.views_clerk import acceptance_page
from certflow.applications.views_common import deadline_info, today
from certflow.applications.views_enterprise import wizard_page
from certflow.core.files import download_response

APPLICATIONS_PER_PAGE = 25


@login_required
@require_GET
def application_list(request):
    user = request.user
    form = ListFilterForm(request.GET, statuses=ApplicationStatus.choices)
    search, status = form.values()
    page = Paginator(select_applications(user, status=status, search=search), APPLICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    on = today()
    rows = [(application, deadline_info(application.acceptance_due, on)) for application in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "search": search,
        "status": status,
        "may_create": not user.is_cb_staff and enterprises_for_user(user).exists(),
        "is_clerk": user.has_role(StaffRole.ACCEPTANCE_CLERK),
    }
    return render(request, "applications/application_list.html", context)


@login_required
@require_GET
def application_detail(request, pk: int):
    application = get_application_for_user(request.user, pk)
    if request.user.is_cb_staff:
        return acceptance_page(request, application)
    return wizard_page(request, application)


@login_required
@require_GET
def material_file_download(request, file_pk: int):
    """Only through here, after the permission check; always as an attachment (decisions U5)."""
    upload = get_material_file_for_user(request.user, file_pk)
    return download_response(upload.storage_name, filename=upload.original_name, content_type=upload.content_type)
