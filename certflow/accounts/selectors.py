"""Reads of people and enterprises, shaped for pages and the API (flat query counts)."""

from django.db.models import Count, Prefetch, Q, QuerySet

from certflow.accounts.models import Enterprise, Membership, RoleGrant, User


def active_memberships(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, ended_at__isnull=True).select_related("enterprise")


def enterprises_for_user(user) -> QuerySet[Enterprise]:
    """Every enterprise the user may see: all of them for CB roles that span clients, else their own."""
    qs = Enterprise.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.sees_all_enterprises:
        return qs
    if user.is_cb_staff:
        # Auditors see the enterprises they are assigned to; assignments arrive with the audit stage.
        return qs.none()
    # A subquery, not a join: a join on memberships would also narrow the member counts annotated later.
    own = Membership.objects.filter(user=user, ended_at__isnull=True).values("enterprise_id")
    return qs.filter(pk__in=own)


def enterprise_list(user, *, search: str = "") -> QuerySet[Enterprise]:
    qs = enterprises_for_user(user).annotate(
        member_count=Count("memberships", filter=Q(memberships__ended_at__isnull=True))
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(uscc__icontains=search.upper()))
    return qs.order_by("name", "id")


def staff_users() -> QuerySet[User]:
    active_grants = Prefetch("role_grants", queryset=RoleGrant.objects.filter(revoked_at__isnull=True))
    return User.objects.filter(kind="cb_staff").prefetch_related(active_grants).order_by("email")


def users_for_user(user) -> QuerySet[User]:
    """Users the viewer may list: administrators see everyone; others see the people of their enterprises."""
    grants = Prefetch("role_grants", queryset=RoleGrant.objects.filter(revoked_at__isnull=True))
    qs = User.objects.prefetch_related(grants).order_by("email")
    if not user.is_authenticated:
        return qs.none()
    if user.has_role("administrator"):
        return qs
    enterprise_ids = active_memberships(user).values("enterprise_id")
    return qs.filter(
        Q(pk=user.pk) | Q(memberships__enterprise_id__in=enterprise_ids, memberships__ended_at__isnull=True)
    ).distinct()
