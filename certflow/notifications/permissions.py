"""A notification belongs to its recipient alone: anyone else gets the same 404 as for a missing one."""

from django.http import Http404

from certflow.accounts.permissions import NOT_FOUND
from certflow.notifications.models import Notification
from certflow.notifications.selectors import notifications_for_user


def get_notification_for_user(user, pk) -> Notification:
    try:
        return notifications_for_user(user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
