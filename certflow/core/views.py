"""The shell of the site: the front door, the staff dashboard, the event log, the calendar check, /healthz."""

import logging
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from certflow.accounts.roles import StaffRole
from certflow.accounts.selectors import enterprises_for_user, staff_users
from certflow.core.events.models import Event

logger = logging.getLogger(__name__)

EVENTS_PER_PAGE = 50
DASHBOARD_ROWS = 10

STAFF_ONLY = _("此页面仅供认证机构人员使用。")
ADMINISTRATORS_ONLY = _("此页面仅供系统管理员使用。")


def staff_required(view):
    """CB staff only. The page is no secret, so the wrong kind of user gets 403, not 404."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_cb_staff:
            raise PermissionDenied(STAFF_ONLY)
        return view(request, *args, **kwargs)

    return wrapper


def administrator_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_cb_staff and request.user.has_role(StaffRole.ADMINISTRATOR)):
            raise PermissionDenied(ADMINISTRATORS_ONLY)
        return view(request, *args, **kwargs)

    return wrapper


def _today():
    # Deadlines and the holiday calendar are Beijing-time matters, whatever the server's clock says.
    return timezone.localdate(timezone=timezone.get_default_timezone())


def _one_language(text: str | None) -> str | None:
    """Messages of the domain layer are written "中文 / English"; show the half the reader chose."""
    if not text or " / " not in text:
        return text
    chinese, english = text.split(" / ", 1)
    return chinese if get_language().startswith("zh") else english


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.is_cb_staff:
        return redirect("dashboard")
    return redirect("enterprise_home")


def _latest_events(limit: int):
    return Event.objects.order_by("-seq")[:limit]


def _acceptance_summary(user, today) -> dict:
    """Applications waiting for an acceptance decision (clause 6 申请受理 2), in one query."""
    from django.db.models import Count, Q

    from certflow.applications.domain import ApplicationStatus
    from certflow.applications.selectors import applications_for_user

    return (
        applications_for_user(user)
        .filter(status=ApplicationStatus.SUBMITTED)
        .aggregate(
            total=Count("id"),
            overdue=Count("id", filter=Q(acceptance_due__lt=today)),
            due_today=Count("id", filter=Q(acceptance_due=today)),
        )
    )


def _audit_summary(user, today) -> dict:
    """The user's open audits by stage (clause 6 现场审核), in one query."""
    from django.db.models import Count, Q

    from certflow.audits.domain import AuditStatus as A
    from certflow.audits.selectors import audits_for_user

    return audits_for_user(user).aggregate(
        planning=Count("id", filter=Q(status__in=[A.PLANNING, A.DATES_PROPOSED, A.SCHEDULED])),
        notified=Count("id", filter=Q(status=A.NOTIFIED)),
        in_progress=Count("id", filter=Q(status=A.IN_PROGRESS)),
        corrections=Count("id", filter=Q(status=A.CORRECTIONS)),
    )


def _certificate_summary(user, today) -> dict | None:
    """Certificates by status, and those expiring within 90 days (认证决定 2, 持续监督 2), in one query."""
    from datetime import timedelta

    from django.db.models import Count, Q

    from certflow.certificates.domain import CertificateStatus as C
    from certflow.certificates.selectors import certificates_for_user

    if not user.sees_all_enterprises:
        return None
    return certificates_for_user(user).aggregate(
        valid=Count("id", filter=Q(status=C.VALID)),
        expiring=Count(
            "id", filter=Q(status=C.VALID, expires_on__gte=today, expires_on__lte=today + timedelta(days=90))
        ),
        suspended=Count("id", filter=Q(status=C.SUSPENDED)),
    )


def _decision_summary(user, today) -> int | None:
    """What waits on the decision queue (认证决定 1): ready and open for runners, unvoted seats for members."""
    from certflow.decisions.permissions import is_committee, is_runner
    from certflow.decisions.selectors import dashboard_count

    if not (is_runner(user) or is_committee(user)):
        return None
    return dashboard_count(user, today)


def _surveillance_summary(user, today) -> dict:
    """Surveillance audits due and overdue (持续监督 1), for staff who see the programme."""
    from certflow.surveillance.selectors import dashboard_counts

    return dashboard_counts(user)


def _lifecycle_summary(user) -> dict | None:
    """Change reports awaiting assessment and open major events (持续监督 2), for the programme's keepers."""
    from certflow.lifecycle.domain import ChangeStatus, EventStatus
    from certflow.lifecycle.models import ChangeReport, MajorEvent

    if not user.has_role(StaffRole.PROGRAMME_MANAGER, StaffRole.ADMINISTRATOR):
        return None
    return {
        "changes": ChangeReport.objects.filter(status=ChangeStatus.SUBMITTED).count(),
        "events": MajorEvent.objects.filter(status=EventStatus.OPEN).count(),
    }


def _monthly_report(user, today):
    """The month due to the regulator next (by the 10th of the month after); no query."""
    from certflow.reporting.domain import default_month

    return default_month(today) if user.sees_all_enterprises else None


@staff_required
def dashboard(request):
    from certflow.core.workdays.services import calendar_warning

    user = request.user
    enterprises = enterprises_for_user(user)
    is_administrator = user.has_role(StaffRole.ADMINISTRATOR)
    context = {
        "calendar_warning": _one_language(calendar_warning(_today())),
        "is_administrator": is_administrator,
        "enterprise_count": enterprises.count(),
        "staff_count": staff_users().filter(is_active=True).count(),
        "latest_enterprises": list(enterprises.order_by("-created_at", "-id")[:DASHBOARD_ROWS]),
        "latest_events": list(_latest_events(DASHBOARD_ROWS)) if is_administrator else None,
        "acceptance": _acceptance_summary(user, _today()),
        "audits": _audit_summary(user, _today()),
        "certificates": _certificate_summary(user, _today()),
        "decisions": _decision_summary(user, _today()),
        "surveillance": _surveillance_summary(user, _today()),
        "lifecycle_open": _lifecycle_summary(user),
        "monthly_report": _monthly_report(user, _today()),
        "is_clerk": user.has_role(StaffRole.ACCEPTANCE_CLERK),
    }
    return render(request, "core/dashboard.html", context)


@administrator_required
def event_list(request):
    page = Paginator(Event.objects.order_by("-seq"), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "core/event_list.html", {"page": page})


@administrator_required
@require_GET
def event_verify(request):
    """Walks the whole chain, so it runs only when asked for (a button), never on every page view."""
    from certflow.core.events.services import verify_chain

    report = verify_chain()
    template = "core/_chain_result.html" if request.htmx else "core/event_verify.html"
    return render(request, template, {"report": report, "checked_at": timezone.now()})


@administrator_required
def workday_calendar(request):
    from certflow.core.workdays.selectors import calendar_years_status
    from certflow.core.workdays.services import calendar_warning

    today = _today()
    context = {
        "today": today,
        "years": [(status, _one_language(str(status.coverage.label))) for status in calendar_years_status(today)],
        "calendar_warning": _one_language(calendar_warning(today)),
        "day_admin_url": _admin_url("admin:workdays_calendarday_changelist"),
        "year_admin_url": _admin_url("admin:workdays_calendaryear_changelist"),
    }
    return render(request, "core/workday_calendar.html", context)


def _admin_url(name: str) -> str:
    # The admin pages are registered by the workdays app; until they are, point at the admin's front page.
    try:
        return reverse(name)
    except NoReverseMatch:
        return reverse("admin:index")


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # The cause goes to the log only: a public probe must not learn host names or credentials.
        logger.exception("healthz: the database did not answer SELECT 1")
        return JsonResponse(
            {
                "status": "error",
                "database": "unavailable",
                "detail": "数据库暂时不可用，请稍后再试 / the database is unavailable, please try again shortly",
            },
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})
