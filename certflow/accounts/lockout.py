"""The answer to a locked-out sign-in (django-axes AXES_LOCKOUT_CALLABLE): JSON for the API, the page otherwise."""

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    limit = get_failure_limit(request, credentials)
    cool_off = get_cool_off(request)
    if request.path_info.startswith("/api/"):
        minutes = int(cool_off.total_seconds() // 60) if cool_off else None
        wait = (
            f"请在 {minutes} 分钟后再试 / try again in {minutes} minutes" if minutes else "请联系管理员 / ask an admin"
        )
        return JsonResponse(
            {
                "detail": f"登录失败次数过多（{limit} 次），已暂时锁定 / locked after {limit} failed sign-ins; {wait}",
                "code": "locked_out",
            },
            status=settings.AXES_HTTP_RESPONSE_CODE,
        )
    context = {
        "failure_limit": limit,
        "username": get_client_username(request, credentials) or "",
        "cooloff_timedelta": cool_off,
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)
