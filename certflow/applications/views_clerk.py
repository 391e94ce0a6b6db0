"""The certification body's side: the acceptance queue and the acceptance page (clause 6 申请受理 2).

Acceptance clerks decide (accept, ask for a supplement, not accept); the other roles that span clients
(programme manager, technical committee, administrator) and assigned auditors read the same page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from certflow.accounts.roles import StaffRole
from certflow.applications import services
from certflow.applications.domain import ApplicationStatus
from certflow.applications.forms import NotAcceptForm, SupplementRequestForm, local
from certflow.applications.permissions import get_application_for_clerk
from certflow.applications.selectors import acceptance_queue, application_detail
from certflow.applications.views_common import (
    deadline_info,
    declaration_text,
    material_rows,
    message_of,
    named,
    open_request,
    scheme_context,
    today,
)
from certflow.core.rules import RuleViolation

QUEUE_PER_PAGE = 50
CLERKS_ONLY = gettext_lazy("受理队列仅供受理员使用。")


@login_required
@require_GET
def queue(request):
    if not request.user.has_role(StaffRole.ACCEPTANCE_CLERK):
        raise PermissionDenied(CLERKS_ONLY)
    page = Paginator(acceptance_queue(request.user), QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    on = today()
    rows = [(application, deadline_info(application.acceptance_due, on)) for application in page.object_list]
    return render(request, "applications/queue.html", {"page": page, "rows": rows, "today": on})


def acceptance_context(user, application, **forms) -> dict:
    application = application_detail(application.pk)
    scheme = application.scheme_version.as_scheme()
    is_clerk = user.has_role(StaffRole.ACCEPTANCE_CLERK)
    requests = list(application.supplement_requests.all())
    for request in requests:
        for item in request.items.all():
            item.material_label = local(scheme.material(item.material).name)
    return {
        **scheme_context(scheme),
        "is_clerk": is_clerk,
        "deciding": is_clerk and application.status == ApplicationStatus.SUBMITTED,
        "application": application,
        "scheme": scheme,
        "rows": material_rows(application, scheme),
        "open_request": open_request(application),
        "requests": requests,
        "categories": named(scheme.scope.categories, application.categories),
        "service_stages": named(scheme.scope.service_stages, application.service_stages),
        "sites": list(application.sites.all()),
        "declaration_text": declaration_text(scheme),
        "deadline": deadline_info(application.acceptance_due, today()),
        "supplement_form": forms.get("supplement_form") or SupplementRequestForm(scheme=scheme),
        "not_accept_form": forms.get("not_accept_form") or NotAcceptForm(scheme=scheme),
        "action_error": forms.get("action_error"),
    }


def acceptance_page(request, application, status=200, **forms):
    context = acceptance_context(request.user, application, **forms)
    return render(request, "applications/acceptance.html", context, status=status)


def _done(application):
    return redirect("application_detail", application.pk)


@login_required
@require_POST
def accept(request, pk: int):
    application = get_application_for_clerk(request.user, pk)
    try:
        services.application_accept(by=request.user, application=application)
    except RuleViolation as exc:
        # Refused (e.g. another clerk decided a moment ago): the page again, with the reason, as a 400.
        return acceptance_page(request, application, status=400, action_error=message_of(exc))
    messages.success(request, _("申请已受理，已通知企业。"))
    return _done(application)


@login_required
@require_POST
def request_supplement(request, pk: int):
    application = get_application_for_clerk(request.user, pk)
    form = SupplementRequestForm(request.POST, scheme=application.scheme_version.as_scheme())
    if form.is_valid():
        try:
            services.application_request_supplement(
                by=request.user, application=application, items=form.items(), message=form.cleaned_data["message"]
            )
        except RuleViolation as exc:
            form.add_error(None, message_of(exc))
        else:
            messages.success(request, _("已通知企业补充或修改材料。"))
            return _done(application)
    return acceptance_page(request, application, status=400, supplement_form=form)


@login_required
@require_POST
def not_accept(request, pk: int):
    application = get_application_for_clerk(request.user, pk)
    form = NotAcceptForm(request.POST, scheme=application.scheme_version.as_scheme())
    if form.is_valid():
        try:
            services.application_not_accept(
                by=request.user,
                application=application,
                reason=form.cleaned_data["reason"],
                out_of_scope=form.cleaned_data["out_of_scope"],
            )
        except RuleViolation as exc:
            form.add_error("reason" if exc.code == "no_reason" else None, message_of(exc))
        else:
            messages.success(request, _("已作出不予受理决定，已通知企业。"))
            return _done(application)
    return acceptance_page(request, application, status=400, not_accept_form=form)
