"""The user's notification page: list (newest first), open one, mark all as read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certflow.notifications.permissions import get_notification_for_user
from certflow.notifications.selectors import notifications_for_user, unread_count
from certflow.notifications.services import notifications_mark_read

NOTIFICATIONS_PER_PAGE = 25


@login_required
def notification_list(request):
    page = Paginator(notifications_for_user(request.user), NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page, "unread": unread_count(request.user)})


@login_required
@require_POST
def notification_mark_read(request):
    """Without `id`: mark every notification read. With `id`: mark that one, and follow its link if `open`."""
    pk = request.POST.get("id")
    if not pk:
        count = notifications_mark_read(user=request.user)
        if count:
            messages.success(request, _("已将 %(count)s 条通知标记为已读。") % {"count": count})
        return redirect("notification_list")
    notification = get_notification_for_user(request.user, pk)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.url
    if request.POST.get("open") and target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("notification_list")
