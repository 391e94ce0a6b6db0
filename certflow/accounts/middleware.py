"""Sends a signed-in user who still owes the second factor to the verify or enrol page (SEC1, SEC3)."""

from urllib.parse import urlencode

from django.conf import settings
from django.db.utils import InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from certflow.accounts import second_factor
from certflow.core.middleware import database_unavailable_response

# Pages a user owing the code may still open: the two second-factor pages, signing out, the language.
EXEMPT_URL_NAMES = {"otp_verify", "otp_enrol", "logout", "set_language"}


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            due = self._due(request)
        except (OperationalError, InterfaceError) as exc:
            # Loading the session user is the first database touch of most requests (see core.middleware).
            return database_unavailable_response(request, exc)
        if due is None or request.resolver_match.url_name in EXEMPT_URL_NAMES:
            return None
        if request.path_info.startswith("/api/"):
            # A session that has not passed the second factor must not reach the API either; a token
            # client never has a session here (token issue asks for the code itself).
            return JsonResponse(
                {
                    "detail": "请先完成二次验证 / complete the second factor (authenticator code) first",
                    "code": "otp_required",
                },
                status=403,
            )
        target = reverse("otp_verify" if due == second_factor.VERIFY else "otp_enrol")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")

    @staticmethod
    def _due(request) -> str | None:
        user = request.user
        if not user.is_authenticated:
            return None
        verified = user.is_verified() if hasattr(user, "is_verified") else False
        if verified:
            return None
        has_device = request.session.get(second_factor.SESSION_HAS_DEVICE)
        if has_device is None:
            # A session opened before second factors existed: ask the database once and remember.
            has_device = second_factor.remember_device_state(request, user)
        return second_factor.second_factor_due(
            verified=verified,
            has_device=has_device,
            is_cb_staff=user.is_cb_staff,
            required_for_staff=settings.CERTFLOW_OTP_REQUIRED_FOR_STAFF,
        )
