"""Surveillance pages: the programme dashboard (staff), one certificate's programme (staff and the
enterprise's own users), and the action that opens a surveillance audit in the audit planning pages."""

import re
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certflow.audits.services.planning import surveillance_audit_create
from certflow.core.rules import RuleViolation
from certflow.surveillance import domain
from certflow.surveillance.domain import ObligationState
from certflow.surveillance.permissions import check_programme, get_certificate_for_user, may_plan
from certflow.surveillance.selectors import (
    attach_change_reports,
    certificate_audits,
    certificate_programme,
    programme_for_user,
    today,
)

PER_PAGE = 25
MONTH = re.compile(r"(\d{4})-(\d{2})")


def _message(exc: RuleViolation) -> str:
    return exc.zh if (get_language() or "zh").startswith("zh") else exc.en


def parse_month(value: str) -> date | None:
    """'YYYY-MM' → the month's first day; None for anything else (the filter is then ignored, with a note)."""
    match = MONTH.fullmatch((value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    return date(year, month, 1)


@login_required
@require_GET
def programme_view(request):
    check_programme(request.user)
    state = request.GET.get("state", "")
    state = state if state in ObligationState.values else ""
    month_text = request.GET.get("month", "").strip()[:7]
    month = parse_month(month_text)
    month_error = bool(month_text) and month is None
    on = today()
    programme = programme_for_user(request.user, on=on, state=state, month=month)
    page = Paginator(programme.rows, PER_PAGE).get_page(request.GET.get("page"))
    attach_change_reports(page.object_list)
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "surveillance/programme.html",
        {
            "page": page,
            "rows": page.object_list,
            "counts": [(value, label, programme.counts[value]) for value, label in ObligationState.choices],
            "total": programme.total,
            "state": state,
            "month": month_text if month else "",
            "month_error": month_error,
            "states": ObligationState.choices,
            "filter_query": filters.urlencode(),
            "may_plan": may_plan(request.user),
            "today": on,
        },
    )


@login_required
@require_GET
def certificate_view(request, pk: int):
    certificate = get_certificate_for_user(request.user, pk)
    on = today()
    obligations = certificate_programme(certificate, on)
    audits = certificate_audits(certificate)
    by_window: dict[int | None, list] = {}
    for audit in audits:
        by_window.setdefault(audit.surveillance_window, []).append(audit)
    rows = [{"o": o, "audits": by_window.get(o.window.number, [])} for o in obligations]
    legacy = certificate.is_legacy or certificate.scheme_version_id is None
    in_force = certificate.status in ("valid", "suspended")
    next_o = domain.next_obligation(obligations)
    can_plan = (
        may_plan(request.user)
        and in_force
        and not legacy
        and any(o.state != ObligationState.DONE and not any(a.open for a in o.audits) for o in obligations)
    )
    return render(
        request,
        "surveillance/certificate.html",
        {
            "certificate": certificate,
            "rows": rows,
            "next": next_o,
            "legacy": legacy,
            "in_force": in_force,
            "can_plan": can_plan,
            "unassigned": by_window.get(None, []),
            "today": on,
        },
    )


@login_required
@require_POST
def plan_view(request, pk: int):
    certificate = get_certificate_for_user(request.user, pk, plan=True)
    window = request.POST.get("window", "")
    try:
        audit = surveillance_audit_create(
            by=request.user,
            certificate=certificate,
            window=int(window) if window.isdigit() else None,
            today=today(),
        )
    except RuleViolation as exc:
        messages.error(request, _message(exc))
        return redirect("surveillance_certificate", certificate.pk)
    messages.success(request, _("已创建监督审核，请商定审核日期并组成审核组。"))
    return redirect("audit_plan", audit.pk)
