"""Response hardening and the database-outage page.

SecurityHeadersMiddleware adds what Django's SecurityMiddleware does not: a Content-Security-Policy and a
stricter Referrer-Policy (origin only) on pages whose address carries a secret token. DatabaseUnavailableMiddleware
turns an unreachable database into a clear 503 instead of a traceback.
"""

import logging

from django.conf import settings
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path_info
        if any(path.startswith(prefix) for prefix in settings.CERTFLOW_CSP_API_DOCS_PATHS):
            policy = settings.CERTFLOW_CSP_API_DOCS
        else:
            policy = settings.CERTFLOW_CSP
        # A view that knows better (none today) may set its own policy.
        response.headers.setdefault("Content-Security-Policy", policy)
        if any(path.startswith(prefix) for prefix in settings.CERTFLOW_NO_REFERRER_PATHS):
            # Overrides SecurityMiddleware's site-wide value, which it set on the way out before us. Not
            # "no-referrer": under it browsers send `Origin: null` with the page's own POST forms (Fetch
            # standard, request Origin header), which Django's CSRF check refuses, so no customer could
            # answer a questionnaire. "strict-origin" sends the origin alone, never the path with the token.
            response.headers["Referrer-Policy"] = "strict-origin"
        return response


def database_unavailable_response(request, exception) -> HttpResponse:
    """The 503 answer: JSON for the API and the health check, the bilingual page for people."""
    logger.error("database unavailable while serving %s: %s", request.path, exception)
    if request.path.startswith("/api/") or request.path == "/healthz":
        response = JsonResponse(
            {"detail": "数据库暂时不可用，请稍后再试 / the database is unavailable, please try again shortly"},
            status=503,
        )
    else:
        # Rendered without a request context: the context processors would query the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    """Catches database outages raised by views. Django turns an exception raised inside another
    middleware into a 500 before it could reach this one, so a middleware that touches the database
    (certflow.accounts.middleware.SecondFactorMiddleware loads the session user) answers with
    database_unavailable_response itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return database_unavailable_response(request, exception)
