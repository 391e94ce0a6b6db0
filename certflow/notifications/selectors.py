"""Reads of a user's notifications: only ever their own."""

from django.db.models import QuerySet

from certflow.notifications.models import Notification


def notifications_for_user(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first (the enterprise comes along for the list)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient=user).select_related("enterprise")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
