"""Conduct pages: the on-site checklist (phone first, each item saved on its own), evidence, nonconformity
confirmation, the closing meeting, passing and the audit report."""

from fractions import Fraction

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certflow.audits.domain import CHECKLIST_OPEN, AuditStatus
from certflow.audits.forms_conduct import ClosingForm, ConfirmForm, FindingFileForm, FindingForm
from certflow.audits.models import ClosingMeeting, Finding, TeamRole
from certflow.audits.permissions import (
    get_audit_for_confirmer,
    get_audit_for_lead,
    get_audit_for_team,
    get_audit_for_user,
    get_audit_nonconformity,
    get_finding_file_for_user,
    is_enterprise_user,
    may_see_findings,
    team_role,
)
from certflow.audits.report_pdf import audit_report_pdf
from certflow.audits.selectors import conduct_detail, findings_checklist
from certflow.audits.services import conduct
from certflow.core.files import content_disposition, download_response
from certflow.core.rules import RuleViolation
from certflow.reviews import domain as reviews_domain
from certflow.reviews.domain import ChecklistResult
from certflow.reviews.views.common import message_of, today


def num(value) -> str:
    """A score or points for people: one decimal at most, no trailing zero."""
    if value is None:
        return "—"
    text = f"{float(Fraction(value)):.1f}"
    return text[:-2] if text.endswith(".0") else text


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def finding_json(finding: Finding | None, points=None) -> dict | None:
    if finding is None:
        return None
    return {
        "item_id": finding.item_id,
        "result": finding.result,
        "result_label": str(ChecklistResult(finding.result).label),
        "note": finding.note,
        "na_reason": finding.na_reason,
        "revision": finding.revision,
        "client_token": finding.client_token,
        "recorded_by": finding.recorded_by.full_name or finding.recorded_by.email,
        "recorded_at": timezone.localtime(finding.recorded_at).strftime("%Y-%m-%d %H:%M"),
        "points": None if points is None or points.earned is None else num(points.earned),
        "weight": None if points is None else points.weight,
    }


def score_json(score) -> dict:
    return {
        "score": None if score.score is None else num(score.score),
        "earned": num(score.earned),
        "total": score.total,
        "answered": score.answered,
        "count": len(score.items),
        "max_score": score.max_score,
    }


def _rows(groups, bound: dict | None = None):
    """Template rows: each item with its finding form (typed values kept when `bound` holds them)."""
    blocks = []
    for group in groups:
        items = []
        for row in group.rows:
            finding = row.finding
            data = (bound or {}).get(row.item.id)
            initial = {
                "result": finding.result if finding else None,
                "note": finding.note if finding else "",
                "na_reason": finding.na_reason if finding else "",
                "revision": finding.revision if finding else 0,
            }
            form = data if data is not None else FindingForm(initial=initial, prefix=f"f-{row.item.id}")
            items.append(
                {
                    "row": row,
                    "form": form,
                    "slug": "item-" + row.item.id.replace(".", "_"),
                    "points": num(row.points.earned) if row.points.earned is not None else None,
                }
            )
        blocks.append({"group": group, "items": items})
    return blocks


def _checklist_context(request, audit, *, bound=None, error=None, conflict=None) -> dict:
    role = team_role(request.user, audit)
    show = may_see_findings(request.user, audit)
    groups, score = findings_checklist(audit) if show else ([], None)
    return {
        "audit": audit,
        "application": audit.application,
        "role": role,
        "show_findings": show,
        "can_edit": role is not None and audit.status in CHECKLIST_OPEN,
        "can_start": role == TeamRole.LEAD_AUDITOR and audit.status == AuditStatus.NOTIFIED,
        "groups": _rows(groups, bound),
        "score": score,
        "score_text": num(score.score) if score and score.score is not None else None,
        "error": error,
        "conflict": conflict,
        "file_form": FindingFileForm(),
        "is_enterprise": is_enterprise_user(request.user, audit),
        "today": today(),
    }


@login_required
@require_GET
def audit_checklist_view(request, pk: int):
    get_audit_for_user(request.user, pk)
    return render(request, "audits/checklist.html", _checklist_context(request, conduct_detail(pk)))


@login_required
@require_POST
def audit_finding_save_view(request, pk: int, item_id: str):
    get_audit_for_team(request.user, pk)
    audit = conduct_detail(pk)
    prefix = None if wants_json(request) else f"f-{item_id}"
    form = FindingForm(request.POST, prefix=prefix)
    if not form.is_valid():
        error = RuleViolation("请选择结果并填写完整", "choose a result and fill in the fields", "invalid_form")
        return _finding_refused(request, audit, item_id, form, error, status=400)
    data = form.cleaned_data
    try:
        saved = conduct.finding_record(
            by=request.user,
            audit=audit,
            item_id=item_id,
            result=data["result"],
            note=data["note"],
            na_reason=data["na_reason"],
            revision=data["revision"],
            client_token=data["client_token"],
        )
    except RuleViolation as exc:
        return _finding_refused(request, audit, item_id, form, exc, status=409 if exc.code == "conflict" else 400)
    if not wants_json(request):
        messages.success(request, _("第 %(item)s 项已保存。") % {"item": item_id})
        return redirect(reverse("audit_checklist", args=[pk]) + "#item-" + item_id.replace(".", "_"))
    groups, score = findings_checklist(conduct_detail(pk))
    points = next((r.points for g in groups for r in g.rows if r.item.id == item_id), None)
    return JsonResponse(
        {
            "ok": True,
            "replayed": saved.replayed,
            "finding": finding_json(saved.finding, points),
            "score": score_json(score),
        }
    )


def _finding_refused(request, audit, item_id, form, exc: RuleViolation, *, status: int):
    current = Finding.objects.select_related("recorded_by").filter(audit=audit, item_id=item_id).first()
    if wants_json(request):
        return JsonResponse(
            {
                "ok": False,
                "code": exc.code,
                "zh": exc.zh,
                "en": exc.en,
                "message": message_of(exc),
                "current": finding_json(current),
            },
            status=status,
        )
    context = _checklist_context(
        request,
        audit,
        bound={item_id: form},
        error={"item": item_id, "message": message_of(exc)},
        conflict=current if exc.code == "conflict" else None,
    )
    if exc.code == "conflict" and current is not None:
        # Keep the typed text; the next save is based on the revision now stored, i.e. knowingly overwrites.
        data = form.data.copy()
        data[form.add_prefix("revision")] = str(current.revision)
        for entry in (e for b in context["groups"] for e in b["items"] if e["row"].item.id == item_id):
            entry["form"] = FindingForm(data, prefix=form.prefix)
    return render(request, "audits/checklist.html", context, status=status)


@login_required
@require_POST
def audit_finding_file_view(request, pk: int, item_id: str):
    get_audit_for_team(request.user, pk)
    audit = conduct_detail(pk)
    form = FindingFileForm(request.POST, request.FILES)
    anchor = reverse("audit_checklist", args=[pk]) + "#item-" + item_id.replace(".", "_")
    if not form.is_valid():
        messages.error(request, _("请选择要上传的照片或 PDF 文件。"))
        return redirect(anchor)
    upload = form.cleaned_data["file"]
    try:
        conduct.finding_file_add(by=request.user, audit=audit, item_id=item_id, name=upload.name, data=upload)
    except RuleViolation as exc:
        messages.error(request, message_of(exc))
    else:
        messages.success(request, _("证据已上传。"))
    return redirect(anchor)


@login_required
@require_GET
def audit_finding_file_download(request, pk: int, file_pk: int):
    file = get_finding_file_for_user(request.user, pk, file_pk)
    return download_response(file.storage_name, filename=file.original_name, content_type=file.content_type)


@login_required
@require_POST
def audit_nonconformity_raise_view(request, pk: int, item_id: str):
    audit = get_audit_for_team(request.user, pk)
    try:
        nc = conduct.nonconformity_raise_from_finding(by=request.user, audit=audit, item_id=item_id, today=today())
    except RuleViolation as exc:
        messages.error(request, message_of(exc))
    else:
        messages.success(request, _("已开具不符合项 %(number)s，请企业代表确认。") % {"number": nc.number})
    return redirect(reverse("audit_checklist", args=[pk]) + "#item-" + item_id.replace(".", "_"))


@login_required
@require_POST
def audit_start_view(request, pk: int):
    audit = get_audit_for_lead(request.user, pk)
    try:
        conduct.audit_start(by=request.user, audit=audit, today=today())
    except RuleViolation as exc:
        messages.error(request, message_of(exc))
    else:
        messages.success(request, _("现场审核已开始。"))
    return redirect("audit_checklist", pk)


# --- nonconformities, closing meeting, passing ---------------------------------------------------------


def _default_attendees(audit) -> list[dict]:
    rows = [
        {"name": m.user.full_name or m.user.email, "title": m.get_role_display(), "side": "cb"}
        for m in sorted(audit.active_team, key=lambda m: m.role != TeamRole.LEAD_AUDITOR)
    ]
    seen = set()
    for nc in audit.nonconformities.all():
        confirmation = getattr(nc, "confirmation", None)
        if confirmation and confirmation.representative_name not in seen:
            seen.add(confirmation.representative_name)
            rows.append(
                {
                    "name": confirmation.representative_name,
                    "title": confirmation.representative_title,
                    "side": "enterprise",
                }
            )
    return rows


def _closing_context(request, audit, *, closing_form=None, confirm_errors=None) -> dict:
    role = team_role(request.user, audit)
    enterprise = is_enterprise_user(request.user, audit)
    nonconformities = list(audit.nonconformities.all())
    on = today()
    for nc in nonconformities:
        nc.confirmed = getattr(nc, "confirmation", None)
        nc.badge = reviews_domain.deadline_badge(nc.due_date, on, nc.state) if audit.closed_at else ""
    meeting = ClosingMeeting.objects.filter(audit=audit).select_related("recorded_by").first()
    is_lead = role == TeamRole.LEAD_AUDITOR
    in_progress = audit.status == AuditStatus.IN_PROGRESS
    groups, score = findings_checklist(audit) if may_see_findings(request.user, audit) else ([], None)
    return {
        "audit": audit,
        "application": audit.application,
        "role": role,
        "nonconformities": nonconformities,
        "may_confirm": in_progress and (enterprise or role is not None),
        "confirm_as_enterprise": enterprise,
        "confirm_form": ConfirmForm(),
        "confirm_errors": confirm_errors or {},
        "meeting": meeting,
        "closing_form": closing_form
        or (ClosingForm(attendees=_default_attendees(audit)) if is_lead and in_progress else None),
        "can_pass": is_lead and audit.status == AuditStatus.CORRECTIONS,
        "pass_problems": _pass_messages(audit) if audit.status == AuditStatus.CORRECTIONS else [],
        "score_text": num(score.score) if score and score.score is not None else None,
        "score": score,
        "show_findings": may_see_findings(request.user, audit),
        "today": today(),
    }


def _pass_messages(audit) -> list[str]:
    zh = (get_language() or "zh").startswith("zh")
    return [pair[0] if zh else pair[1] for pair in conduct.pass_problems_for(audit)[0]]


@login_required
def audit_closing_view(request, pk: int):
    if request.method != "POST":
        get_audit_for_user(request.user, pk)
        return render(request, "audits/closing.html", _closing_context(request, conduct_detail(pk)))
    get_audit_for_lead(request.user, pk)
    audit = conduct_detail(pk)
    form = ClosingForm(request.POST)
    if form.is_valid():
        try:
            conduct.closing_meeting_hold(
                by=request.user,
                audit=audit,
                held_at=form.cleaned_data["held_at"],
                attendees=form.attendees(),
                conclusion=form.cleaned_data["conclusion"],
                recommendation=form.cleaned_data["recommendation"],
                today=today(),
            )
        except RuleViolation as exc:
            form.add_error(None, message_of(exc))
        else:
            messages.success(request, _("末次会议已记录，审核报告已可下载。"))
            return redirect("audit_closing", pk)
    return render(request, "audits/closing.html", _closing_context(request, audit, closing_form=form), status=400)


@login_required
@require_POST
def audit_nonconformity_confirm_view(request, pk: int, nc_pk: int):
    audit = get_audit_for_confirmer(request.user, pk)
    nc = get_audit_nonconformity(audit, nc_pk)
    form = ConfirmForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        conduct.nonconformity_confirm(
            by=request.user,
            nonconformity=nc,
            representative_name=data.get("representative_name", ""),
            representative_title=data.get("representative_title", ""),
            remark=data.get("remark", ""),
        )
    except RuleViolation as exc:
        context = _closing_context(request, conduct_detail(pk), confirm_errors={nc.pk: message_of(exc)})
        return render(request, "audits/closing.html", context, status=400)
    messages.success(request, _("不符合项 %(number)s 已确认。") % {"number": nc.number})
    return redirect(reverse("audit_closing", args=[pk]) + f"#nc-{nc.pk}")


@login_required
@require_POST
def audit_pass_view(request, pk: int):
    audit = get_audit_for_lead(request.user, pk)
    try:
        conduct.audit_pass(by=request.user, audit=audit)
    except RuleViolation as exc:
        messages.error(request, message_of(exc))
    else:
        messages.success(request, _("现场审核已通过。"))
    return redirect("audit_closing", pk)


@login_required
@require_GET
def audit_report_view(request, pk: int):
    audit = get_audit_for_user(request.user, pk)
    if not may_see_findings(request.user, audit):
        # The enterprise receives the report at the closing meeting; before that it is the team's draft.
        return render(request, "audits/closing_report_not_ready.html", {"audit": audit}, status=404)
    audit = conduct_detail(pk)
    pdf = audit_report_pdf(audit)
    if audit.status in (AuditStatus.CORRECTIONS, AuditStatus.PASSED):
        ClosingMeeting.objects.filter(audit=audit).update(report_generated_at=timezone.now())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"现场审核报告_{audit.reference}.pdf")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
