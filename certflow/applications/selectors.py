"""Reads of applications, shaped for pages and the API (constant query counts)."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from certflow.accounts.models import Membership
from certflow.accounts.roles import StaffRole
from certflow.applications.domain import ApplicationStatus
from certflow.applications.models import Application, Assignment, MaterialFile, Site, SupplementRequest

# CB roles whose work spans every application.
ROLES_SEEING_ALL = (
    StaffRole.ACCEPTANCE_CLERK,
    StaffRole.PROGRAMME_MANAGER,
    StaffRole.TECHNICAL_COMMITTEE,
    StaffRole.ADMINISTRATOR,
)


def applications_for_user(user) -> QuerySet[Application]:
    """Every application the user may see: CB roles spanning clients see all; auditors what they are
    assigned to; enterprise users their own enterprises' applications."""
    qs = Application.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_cb_staff:
        if user.has_role(*ROLES_SEEING_ALL):
            return qs
        assigned = Assignment.objects.filter(user=user, ended_at__isnull=True).values("application_id")
        return qs.filter(pk__in=assigned)
    own = Membership.objects.filter(user=user, ended_at__isnull=True).values("enterprise_id")
    return qs.filter(enterprise_id__in=own)


def current_files() -> QuerySet[MaterialFile]:
    return MaterialFile.objects.filter(withdrawn_at__isnull=True, replaced_by__isnull=True)


def application_list(user, *, status: str = "", search: str = "") -> QuerySet[Application]:
    qs = applications_for_user(user).select_related("enterprise", "scheme_version")
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(
            Q(reference__icontains=search)
            | Q(enterprise__name__icontains=search)
            | Q(enterprise__uscc__icontains=search.upper())
        )
    return qs.order_by("-created_at", "-id")


def acceptance_queue(user) -> QuerySet[Application]:
    """The clerk's queue: submitted applications, earliest deadline first (clause 6 申请受理 2)."""
    return (
        applications_for_user(user)
        .filter(status=ApplicationStatus.SUBMITTED)
        .select_related("enterprise")
        .annotate(resubmitted=Exists(SupplementRequest.objects.filter(application=OuterRef("pk"))))
        .order_by("acceptance_due", "submitted_at", "id")
    )


def application_detail(application_id: int) -> Application:
    """One application with everything its page shows, in a fixed number of queries."""
    return (
        Application.objects.select_related("enterprise", "scheme_version", "created_by", "decided_by")
        .prefetch_related(
            Prefetch("sites", queryset=Site.objects.filter(removed_at__isnull=True)),
            Prefetch(
                "material_files", queryset=MaterialFile.objects.select_related("uploaded_by").order_by("material", "id")
            ),
            Prefetch("supplement_requests", queryset=SupplementRequest.objects.prefetch_related("items")),
            Prefetch("assignments", queryset=Assignment.objects.filter(ended_at__isnull=True).select_related("user")),
        )
        .get(pk=application_id)
    )


def status_counts(user) -> dict[str, int]:
    rows = applications_for_user(user).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def material_checklist(application: Application) -> list[dict]:
    """One row per required material: its name, its current files (prefetched), whether a supplement asks for it."""
    scheme = application.scheme_version.as_scheme()
    files = [f for f in application.material_files.all() if f.withdrawn_at is None]
    replaced = {f.replaces_id for f in files if f.replaces_id}
    open_request = next((r for r in application.supplement_requests.all() if r.resolved_at is None), None)
    asked = {item.material: item.message for item in open_request.items.all()} if open_request else {}
    rows = []
    for code in scheme.material_codes:
        current = [f for f in files if f.material == code and f.pk not in replaced]
        history = [f for f in files if f.material == code and f.pk in replaced]
        rows.append(
            {
                "code": code,
                "name": scheme.material(code).name,
                "files": current,
                "history": history,
                "present": bool(current),
                "supplement_message": asked.get(code),
            }
        )
    return rows
