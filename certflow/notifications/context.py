"""Template context: the unread count for the header badge (settings TEMPLATES context_processors)."""

from certflow.notifications.selectors import unread_count


def unread_notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notification_count": 0}
    return {"unread_notification_count": unread_count(user)}
