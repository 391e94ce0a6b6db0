"""Survey pages for CB staff and the enterprise: list, detail, list upload and report, the steps."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certflow.applications.permissions import get_application_for_user
from certflow.core.rules import RuleViolation
from certflow.core.uploads import UploadRejected
from certflow.surveys import selectors, services
from certflow.surveys.access_log import View, recent_accesses, record_access
from certflow.surveys.domain import CLOSED_STATUSES, SurveyStatus
from certflow.surveys.forms import ImprovementForm, ImprovementReviewForm, OpenForm, ReasonForm, SendForm, UploadForm
from certflow.surveys.models import ImportJob, ImportRow, Survey
from certflow.surveys.permissions import (
    ONLY_STAFF,
    get_import_for_user,
    get_plan_for_user,
    get_survey_for_user,
    may_see_personal_data,
)
from certflow.surveys.services.common import is_enterprise_member, is_survey_staff, rules_for
from certflow.surveys.views.common import category_names, message_of, person

PER_PAGE = 25
REPORT_PER_PAGE = 50


@login_required
@require_GET
def survey_list_view(request):
    status = request.GET.get("status", "")
    if status not in SurveyStatus.values:
        status = ""
    page = Paginator(selectors.survey_list(request.user, status=status), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "surveys/survey_list.html", {"page": page, "status": status, "statuses": SurveyStatus.choices}
    )


@login_required
def survey_create_view(request, application_pk: int):
    application = get_application_for_user(request.user, application_pk)
    if not is_survey_staff(request.user):
        raise PermissionDenied(ONLY_STAFF)
    existing = application.surveys.order_by("-round").first()
    if request.method == "POST":
        try:
            survey = services.survey_create(by=request.user, application=application)
        except RuleViolation as exc:
            messages.error(request, message_of(exc))
            return redirect("application_detail", application.pk)
        messages.success(request, _("已开启满意度调查，已通知企业上传用户名单。"))
        return redirect("survey_detail", survey.pk)
    return render(request, "surveys/survey_create.html", {"application": application, "existing": existing})


@login_required
@require_GET
def application_survey_view(request, application_pk: int):
    """The application's current survey round; staff who run surveys may open the first one."""
    application = get_application_for_user(request.user, application_pk)
    survey = selectors.surveys_for_user(request.user).filter(application=application).order_by("-round").first()
    if survey:
        return redirect("survey_detail", survey.pk)
    if is_survey_staff(request.user):
        return redirect("survey_create", application.pk)
    return render(request, "surveys/no_survey.html", {"application": application})


def _percent(value) -> str:
    hundred = value * 100
    return f"{hundred.numerator} %" if hundred.denominator == 1 else f"{float(hundred):g} %"


def _detail_context(request, survey: Survey) -> dict:
    user = request.user
    staff = is_survey_staff(user)
    member = is_enterprise_member(user, survey)
    rules = rules_for(survey)
    context = {
        "survey": survey,
        "application": survey.application,
        "rules": rules,
        "staff": staff,
        "member": member,
        "closed": survey.status in CLOSED_STATUSES,
        "threshold": _percent(rules.threshold.value),
        "latest_import": selectors.latest_import(survey),
        "customer_count": survey.customers.count(),
        "expected_sample": rules.sample_size.for_population(survey.customers.count()),
        "improvements": list(survey.improvements.select_related("submitted_by", "reviewed_by")),
        "rounds": list(
            Survey.objects.filter(application=survey.application).order_by("round").only("pk", "round", "status")
        ),
    }
    if staff:
        names = category_names(survey)
        context["progress"] = progress = selectors.survey_progress(survey)
        for row in progress["strata"]:
            row["label"] = names.get(row["stratum"], row["stratum"])
        context["open_form"] = OpenForm()
        context["send_form"] = SendForm()
        context["reason_form"] = ReasonForm()
        context["review_form"] = ImprovementReviewForm()
        context["accesses"] = recent_accesses(survey)
    if member:
        context["upload_form"] = UploadForm()
        context["improvement_form"] = ImprovementForm()
    return context


@login_required
@require_GET
def survey_detail_view(request, pk: int):
    survey = get_survey_for_user(request.user, pk)
    return render(request, "surveys/survey_detail.html", _detail_context(request, survey))


@login_required
@require_POST
def survey_upload_view(request, pk: int):
    survey = get_survey_for_user(request.user, pk, enterprise=True)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            job = services.list_upload(by=request.user, survey=survey, upload=form.cleaned_data["file"])
        except UploadRejected as exc:
            form.add_error("file", str(exc))
        except RuleViolation as exc:
            form.add_error(None, message_of(exc))
        else:
            return redirect("survey_import", job.pk)
    context = _detail_context(request, survey)
    context["upload_form"] = form
    return render(request, "surveys/survey_detail.html", context, status=400)


@login_required
@require_GET
def import_detail_view(request, pk: int):
    job = get_import_for_user(request.user, pk)
    outcome = request.GET.get("outcome", "")
    if outcome not in ImportRow.Outcome.values:
        outcome = ""
    rows = Paginator(selectors.import_report_rows(job, outcome=outcome), REPORT_PER_PAGE).get_page(
        request.GET.get("page")
    )
    running = job.state in (ImportJob.State.QUEUED, ImportJob.State.RUNNING)
    if request.htmx and not running:
        # The poll saw the job finish: reload the whole page so the report and the counts appear.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    template = "surveys/_import_progress.html" if request.htmx else "surveys/import_detail.html"
    return render(
        request,
        template,
        {"job": job, "survey": job.survey, "page": rows, "running": running, "outcome": outcome},
    )


@login_required
@require_GET
def customer_list_view(request, pk: int):
    survey = get_survey_for_user(request.user, pk)
    unmasked = may_see_personal_data(request.user)
    page = Paginator(selectors.customer_page_qs(survey), PER_PAGE).get_page(request.GET.get("page"))
    rows = [(c, person(c, unmasked=unmasked)) for c in page.object_list]
    if unmasked:
        record_access(request, survey, View.CUSTOMER_LIST, shown=len(rows))
    names = category_names(survey)
    rows = [(c, p, names.get(c.category, c.category)) for c, p in rows]
    return render(
        request,
        "surveys/customer_list.html",
        {
            "survey": survey,
            "page": page,
            "rows": rows,
            "unmasked": unmasked,
            "show_sampled": unmasked,  # the enterprise must not learn whom to coach
        },
    )


def _step(request, pk: int, run, done: str):
    survey = get_survey_for_user(request.user, pk, staff=True)
    try:
        run(survey)
    except RuleViolation as exc:
        messages.error(request, message_of(exc))
    else:
        messages.success(request, done)
    return redirect("survey_detail", survey.pk)


@login_required
@require_POST
def survey_draw_view(request, pk: int):
    return _step(
        request, pk, lambda s: services.survey_draw(by=request.user, survey=s), _("已抽取样本，用户名单已锁定。")
    )


@login_required
@require_POST
def survey_open_view(request, pk: int):
    form = OpenForm(request.POST)
    if not form.is_valid():
        get_survey_for_user(request.user, pk, staff=True)
        messages.error(request, _("请填写有效的截止日期。"))
        return redirect("survey_detail", pk)
    closes_on = form.cleaned_data["closes_on"]
    return _step(
        request,
        pk,
        lambda s: services.survey_open(by=request.user, survey=s, closes_on=closes_on),
        _("调查已开始，可以发送邀请和电话回访。"),
    )


@login_required
@require_POST
def survey_send_view(request, pk: int):
    form = SendForm(request.POST)
    medium = form.cleaned_data["medium"] if form.is_valid() else ""
    base = request.build_absolute_uri("/")
    counts = {}

    def run(survey):
        counts.update(services.invitations_send(by=request.user, survey=survey, medium=medium, base_url=base))

    response = _step(request, pk, run, _("邀请已发送。"))
    if counts:
        messages.info(
            request,
            _("成功 %(sent)s，失败 %(failed)s，无联系方式跳过 %(skipped)s。") % counts,
        )
    return response


@login_required
@require_POST
def survey_close_view(request, pk: int):
    return _step(request, pk, lambda s: services.survey_close(by=request.user, survey=s), _("调查已结束，结果已冻结。"))


@login_required
@require_POST
def survey_resurvey_view(request, pk: int):
    survey = get_survey_for_user(request.user, pk, staff=True)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请说明复查理由。"))
        return redirect("survey_detail", survey.pk)
    try:
        new = services.resurvey_order(by=request.user, survey=survey, reason=form.cleaned_data["reason"])
    except RuleViolation as exc:
        messages.error(request, message_of(exc))
        return redirect("survey_detail", survey.pk)
    messages.success(request, _("已安排复查，新一轮调查已开启。"))
    return redirect("survey_detail", new.pk)


@login_required
@require_POST
def improvement_submit_view(request, pk: int):
    survey = get_survey_for_user(request.user, pk, enterprise=True)
    form = ImprovementForm(request.POST)
    if form.is_valid():
        try:
            services.improvement_submit(by=request.user, survey=survey, **form.cleaned_data)
        except RuleViolation as exc:
            messages.error(request, message_of(exc))
            return redirect("survey_detail", survey.pk)
        else:
            messages.success(request, _("原因分析和改进措施已提交，等待认证机构评审。"))
            return redirect("survey_detail", survey.pk)
    context = _detail_context(request, survey)
    context["improvement_form"] = form
    return render(request, "surveys/survey_detail.html", context, status=400)


@login_required
@require_POST
def improvement_review_view(request, pk: int):
    plan = get_plan_for_user(request.user, pk)
    if not is_survey_staff(request.user):
        raise PermissionDenied(ONLY_STAFF)
    form = ImprovementReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择评审结论。"))
        return redirect("survey_detail", plan.survey_id)
    try:
        services.improvement_review(
            by=request.user,
            plan=plan,
            accept=form.cleaned_data["decision"] == "accept",
            comment=form.cleaned_data["comment"],
        )
    except RuleViolation as exc:
        messages.error(request, message_of(exc))
    else:
        messages.success(request, _("评审结论已记录。"))
    return redirect("survey_detail", plan.survey_id)
