"""Review pages: the reviewer's list, assigning a reviewer, the checklist, completing, the report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certflow.core.files import content_disposition, download_response
from certflow.core.rules import RuleViolation
from certflow.reviews import services
from certflow.reviews.domain import ReviewStatus
from certflow.reviews.forms import AssignForm, CompleteForm, EntryForm, item_slug
from certflow.reviews.models import DocumentReview
from certflow.reviews.permissions import (
    get_application_for_assigner,
    get_review_for_user,
    get_review_material_for_user,
    is_reviewer,
    may_assign,
    may_see_entries,
)
from certflow.reviews.report import review_report_pdf
from certflow.reviews.selectors import checklist, evidence_choices, review_detail, review_list, scheme_for
from certflow.reviews.views.common import message_of, today

REVIEWS_PER_PAGE = 25


@login_required
@require_GET
def review_list_view(request):
    user = request.user
    # Auditors start on their own reviews; whoever sees more may widen the list.
    only_auditor = user.is_cb_staff and not user.sees_all_enterprises
    mine = request.GET.get("mine", "1" if only_auditor else "") == "1"
    status = request.GET.get("status", "")
    if status not in ReviewStatus.values:
        status = ""
    reviews = review_list(user, mine=mine, status=status)
    page = Paginator(reviews, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/review_list.html",
        {"page": page, "mine": mine, "status": status, "statuses": ReviewStatus.choices, "today": today()},
    )


@login_required
def review_assign_view(request, application_pk: int):
    application = get_application_for_assigner(request.user, application_pk)
    review = DocumentReview.objects.filter(application=application).select_related("reviewer").first()
    form = AssignForm(request.POST or None, reassign=review is not None)
    if request.method == "POST" and form.is_valid():
        try:
            if review is None:
                review = services.review_assign(
                    by=request.user, application=application, reviewer=form.cleaned_data["reviewer"]
                )
                messages.success(request, _("已指派文件审核员，文件审核开始。"))
            else:
                services.review_reassign(
                    by=request.user,
                    review=review,
                    reviewer=form.cleaned_data["reviewer"],
                    reason=form.cleaned_data.get("reason", ""),
                )
                messages.success(request, _("已更换文件审核员。"))
            return redirect("review_detail", review.pk)
        except RuleViolation as exc:
            form.add_error(None, message_of(exc))
    return render(request, "reviews/review_assign.html", {"application": application, "review": review, "form": form})


def _material_names(review: DocumentReview) -> dict[str, str]:
    return {m.code: m.name.zh for m in scheme_for(review.application).materials}


def _forms_for(review: DocumentReview, groups, bound: dict | None = None) -> dict[str, EntryForm]:
    """One form per item; `bound` replaces one item's form with the submitted one (to keep what was typed)."""
    files = list(evidence_choices(review.application))  # one query for every item's dropdown
    names = _material_names(review)
    forms = {
        row.item.id: EntryForm(
            initial=EntryForm.initial_from(row.entry), item_id=row.item.id, evidence_files=files, material_names=names
        )
        for group in groups
        for row in group.rows
    }
    forms.update(bound or {})
    return forms


def _detail_context(request, review: DocumentReview, *, bound=None, complete_form=None) -> dict:
    can_edit = is_reviewer(request.user, review) and review.status == ReviewStatus.IN_PROGRESS
    show_entries = may_see_entries(request.user, review)
    groups = checklist(review) if show_entries else []
    forms = _forms_for(review, groups, bound) if can_edit else {}
    rows = [
        {
            "group": group,
            "items": [
                {"row": row, "form": forms.get(row.item.id), "slug": item_slug(row.item.id)} for row in group.rows
            ],
        }
        for group in groups
    ]
    total = sum(len(group.rows) for group in groups)
    answered = sum(1 for group in groups for row in group.rows if row.entry is not None)
    return {
        "review": review,
        "application": review.application,
        "groups": rows,
        "can_edit": can_edit,
        "show_entries": show_entries,
        "can_assign": may_assign(request.user) and review.status != ReviewStatus.PASSED,
        "complete_form": complete_form or CompleteForm(initial={"summary": review.summary}),
        "answered": answered,
        "total": total,
        "nonconformities": list(review.nonconformities.all()),
        "today": today(),
    }


@login_required
@require_GET
def review_detail_view(request, pk: int):
    get_review_for_user(request.user, pk)
    review = review_detail(pk)
    return render(request, "reviews/review_detail.html", _detail_context(request, review))


@login_required
@require_POST
def review_entry_save(request, pk: int, item_id: str):
    get_review_for_user(request.user, pk, write=True)
    review = review_detail(pk)
    form = EntryForm(
        request.POST,
        item_id=item_id,
        evidence_files=list(evidence_choices(review.application)),
        material_names=_material_names(review),
    )
    saved = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.checklist_record(
                by=request.user,
                review=review,
                item_id=item_id,
                result=data["result"],
                note=data["note"],
                na_reason=data["na_reason"],
                evidence=data["evidence"],
                evidence_page=data["evidence_page"],
            )
            saved = True
        except RuleViolation as exc:
            form.add_error(None, message_of(exc))
    if not request.htmx:
        if saved:
            return redirect(reverse("review_detail", args=[pk]) + f"#{item_slug(item_id)}")
        context = _detail_context(request, review, bound={item_id: form})
        return render(request, "reviews/review_detail.html", context)
    review = review_detail(pk)
    context = _detail_context(request, review, bound=None if saved else {item_id: form})
    item = next(
        (entry for group in context["groups"] for entry in group["items"] if entry["row"].item.id == item_id), None
    )
    if item is None:
        return HttpResponse(status=404)
    return render(
        request,
        "reviews/_checklist_item.html",
        {**context, "entry": item, "saved_at": timezone.now() if saved else None, "oob": True},
    )


@login_required
@require_POST
def review_complete_view(request, pk: int):
    get_review_for_user(request.user, pk, write=True)
    review = review_detail(pk)
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            services.review_complete(
                by=request.user, review=review, summary=form.cleaned_data["summary"], today=today()
            )
        except RuleViolation as exc:
            form.add_error(None, message_of(exc))
        else:
            messages.success(request, _("文件审核已完成，报告已出具。"))
            return redirect("review_detail", pk)
    context = _detail_context(request, review, complete_form=form)
    return render(request, "reviews/review_detail.html", context, status=400)


@login_required
@require_GET
def review_report_view(request, pk: int):
    review = get_review_for_user(request.user, pk)
    if not may_see_entries(request.user, review):
        # The enterprise receives the report once it is issued; a draft is the reviewer's working paper.
        return render(request, "reviews/report_not_ready.html", {"review": review}, status=404)
    review = review_detail(pk)
    pdf = review_report_pdf(review)
    if review.status != ReviewStatus.IN_PROGRESS:
        DocumentReview.objects.filter(pk=pk).update(report_generated_at=timezone.now())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"文件审核报告_{review.application.reference}.pdf")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def review_material_download(request, pk: int, file_pk: int):
    upload = get_review_material_for_user(request.user, pk, file_pk)
    return download_response(upload.storage_name, filename=upload.original_name, content_type=upload.content_type)
