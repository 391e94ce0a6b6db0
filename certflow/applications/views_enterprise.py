"""The enterprise's side: a new application, the four-section wizard, submission and supplements.

Every page: parse → permission helper (404 for another enterprise's application, 403 for CB staff) →
one service call → redirect, or the page again with what the user typed and the refusal in their language.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from certflow.accounts.selectors import enterprises_for_user
from certflow.applications import domain, services
from certflow.applications.forms import (
    ApplicationCreateForm,
    DeclarationForm,
    DetailsForm,
    SiteForm,
    UploadForm,
    WithdrawForm,
)
from certflow.applications.models import MaterialFile, Site
from certflow.applications.permissions import get_application_for_enterprise_user
from certflow.applications.selectors import application_detail
from certflow.applications.views_common import (
    deadline_info,
    declaration_text,
    material_rows,
    message_of,
    named,
    open_request,
    pick,
    scheme_context,
    today,
)
from certflow.core.rules import RuleViolation

ENTERPRISE_ONLY = gettext_lazy("新建认证申请仅供申请企业的用户使用。")
NOT_A_MATERIAL = "没有这项申请材料。 / There is no such application material."


def _back(application, section: str = ""):
    return redirect(reverse("application_detail", args=[application.pk]) + (f"#{section}" if section else ""))


@login_required
def application_new(request):
    if request.user.is_cb_staff:
        raise PermissionDenied(ENTERPRISE_ONLY)
    enterprises = enterprises_for_user(request.user).order_by("name", "id")
    form = ApplicationCreateForm(request.POST or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                by=request.user,
                enterprise=form.cleaned_data["enterprise"],
                application_type=form.cleaned_data["application_type"],
            )
        except RuleViolation as exc:
            form.add_error(None, message_of(exc))
        else:
            messages.success(request, _("申请已创建。请依次填写下面四部分内容，完成后提交。"))
            return _back(application)
    return render(request, "applications/application_new.html", {"form": form, "enterprises": enterprises})


def wizard_context(application, **forms) -> dict:
    """Everything the enterprise's page shows, with bound forms passed in to keep what was typed."""
    application = application_detail(application.pk)
    scheme = application.scheme_version.as_scheme()
    draft = domain.may_edit_details(application.status)
    rows = material_rows(application, scheme)
    request = open_request(application)
    missing = domain.missing_for_submission(services.facts_for(application)) if draft else []
    outstanding = [row for row in rows if row["requested"] and not row["supplemented"]]
    return {
        **scheme_context(scheme),
        "application": application,
        "scheme": scheme,
        "draft": draft,
        "editable": True,
        "rows": rows,
        "open_request": request,
        "missing": [pick(zh, en) for zh, en in missing],
        "outstanding": outstanding,
        "may_submit": draft and not missing,
        "may_resubmit": application.status == domain.ApplicationStatus.SUPPLEMENT_REQUESTED and not outstanding,
        "may_withdraw": application.status in domain.TRANSITIONS[domain.Action.WITHDRAW][0],
        "categories": named(scheme.scope.categories, application.categories),
        "service_stages": named(scheme.scope.service_stages, application.service_stages),
        "sites": list(application.sites.all()),
        "declaration_text": declaration_text(scheme),
        "deadline": deadline_info(application.acceptance_due, today()),
        "details_form": forms.get("details_form") or DetailsForm.for_application(application, scheme),
        "site_form": forms.get("site_form") or SiteForm(),
        "declaration_form": forms.get("declaration_form")
        or DeclarationForm(initial={"made": application.declaration_made}),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "side": "enterprise",
        "action_error": forms.get("action_error"),
    }


def wizard_page(request, application, status: int = 200, **forms):
    return render(request, "applications/wizard.html", wizard_context(application, **forms), status=status)


def _refused(request, application, exc: RuleViolation, name: str, form):
    """The page again, the refusal beside the form (kept as typed) — or on top when the form is locked."""
    form.add_error(None, message_of(exc))
    error = None if domain.may_edit_details(application.status) else message_of(exc)
    return wizard_page(request, application, action_error=error, **{name: form})


@login_required
@require_POST
def details_save(request, pk: int):
    application = get_application_for_enterprise_user(request.user, pk)
    form = DetailsForm(request.POST, scheme=application.scheme_version.as_scheme())
    if form.is_valid():
        try:
            services.application_update_details(by=request.user, application=application, **form.cleaned_data)
        except RuleViolation as exc:
            return _refused(request, application, exc, "details_form", form)
        else:
            messages.success(request, _("申请信息已保存。"))
            return _back(application, "details")
    return wizard_page(request, application, details_form=form)


@login_required
@require_POST
def site_add(request, pk: int):
    application = get_application_for_enterprise_user(request.user, pk)
    form = SiteForm(request.POST)
    if form.is_valid():
        try:
            services.site_add(by=request.user, application=application, **form.cleaned_data)
        except RuleViolation as exc:
            return _refused(request, application, exc, "site_form", form)
        else:
            messages.success(request, _("场所已添加。"))
            return _back(application, "sites")
    return wizard_page(request, application, site_form=form)


@login_required
@require_POST
def site_remove(request, pk: int, site_pk: int):
    application = get_application_for_enterprise_user(request.user, pk)
    site = get_object_or_404(Site, pk=site_pk, application=application, removed_at__isnull=True)
    try:
        services.site_remove(by=request.user, site=site)
    except RuleViolation as exc:
        messages.error(request, message_of(exc))
    else:
        messages.success(request, _("场所已删除。"))
    return _back(application, "sites")


def _material_row_response(request, application, code: str, errors: list[str], saved: list[str]):
    """The htmx answer to an upload or a withdrawal: the material's row, and the checklist out of band."""
    context = wizard_context(application)
    row = next(row for row in context["rows"] if row["code"] == code)
    context.update(row=row, row_errors=errors, row_saved=saved, oob=True)
    return render(request, "applications/_material_htmx.html", context)


@login_required
@require_POST
def material_upload(request, pk: int, code: str):
    application = get_application_for_enterprise_user(request.user, pk)
    if code not in application.scheme_version.as_scheme().material_codes:
        raise Http404(NOT_A_MATERIAL)
    form = UploadForm(request.POST, request.FILES)
    errors: list[str] = []
    saved: list[str] = []
    if not form.is_valid():
        errors = [_("请选择要上传的文件。")]
    else:
        replaces = None
        if form.cleaned_data.get("replaces"):
            replaces = MaterialFile.objects.filter(pk=form.cleaned_data["replaces"], application=application).first()
            if replaces is None:
                errors.append(_("要替换的文件不存在。"))
        files = form.cleaned_data["files"]
        if replaces is not None and len(files) > 1:
            errors.append(_("上传新版本时只能选择一个文件。"))
        for upload in files if not errors else []:
            try:
                stored = services.material_upload(
                    by=request.user,
                    application=application,
                    material=code,
                    name=upload.name,
                    data=upload,
                    replaces=replaces,
                )
            except RuleViolation as exc:
                errors.append(f"{upload.name}：{message_of(exc)}")
            else:
                saved.append(stored.original_name)
    if request.htmx:
        return _material_row_response(request, application, code, errors, saved)
    for error in errors:
        messages.error(request, error)
    if saved:
        messages.success(request, _("已上传：%(names)s") % {"names": "、".join(saved)})
    return _back(application, f"material-{code}")


@login_required
@require_POST
def file_withdraw(request, pk: int, file_pk: int):
    application = get_application_for_enterprise_user(request.user, pk)
    upload = get_object_or_404(MaterialFile, pk=file_pk, application=application, withdrawn_at__isnull=True)
    errors: list[str] = []
    try:
        services.material_withdraw(by=request.user, upload=upload)
    except RuleViolation as exc:
        errors.append(message_of(exc))
    if request.htmx:
        return _material_row_response(request, application, upload.material, errors, [])
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(request, _("文件已撤回：%(name)s") % {"name": upload.original_name})
    return _back(application, f"material-{upload.material}")


@login_required
@require_POST
def declaration_save(request, pk: int):
    application = get_application_for_enterprise_user(request.user, pk)
    form = DeclarationForm(request.POST)
    if form.is_valid():
        try:
            services.declaration_set(by=request.user, application=application, made=form.cleaned_data["made"])
        except RuleViolation as exc:
            return _refused(request, application, exc, "declaration_form", form)
        else:
            messages.success(request, _("声明已保存。"))
            return _back(application, "declaration")
    return wizard_page(request, application, declaration_form=form)


@login_required
@require_POST
def submit(request, pk: int):
    application = get_application_for_enterprise_user(request.user, pk)
    try:
        application = services.application_submit(by=request.user, application=application, today=today())
    except RuleViolation as exc:
        return wizard_page(request, application, action_error=message_of(exc))
    due = date_format(application.acceptance_due, "DATE_FORMAT")
    messages.success(request, _("申请已提交。认证机构将于 %(due)s 前决定是否受理。") % {"due": due})
    return _back(application)


@login_required
@require_POST
def resubmit(request, pk: int):
    application = get_application_for_enterprise_user(request.user, pk)
    try:
        application = services.application_resubmit(by=request.user, application=application, today=today())
    except RuleViolation as exc:
        return wizard_page(request, application, action_error=message_of(exc))
    due = date_format(application.acceptance_due, "DATE_FORMAT")
    messages.success(request, _("补充材料已提交。受理期限重新计算，认证机构将于 %(due)s 前作出决定。") % {"due": due})
    return _back(application)


@login_required
@require_POST
def withdraw(request, pk: int):
    application = get_application_for_enterprise_user(request.user, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.application_withdraw(by=request.user, application=application, reason=form.cleaned_data["reason"])
        except RuleViolation as exc:
            return _refused(request, application, exc, "withdraw_form", form)
        else:
            messages.success(request, _("申请已撤回。"))
            return _back(application)
    return wizard_page(request, application, withdraw_form=form)
