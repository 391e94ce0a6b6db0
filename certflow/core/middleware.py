"""Turns an unreachable database into a clear 503 page instead of a traceback."""

import logging

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable while serving %s: %s", request.path, exception)
        if request.path.startswith("/api/") or request.path == "/healthz":
            return JsonResponse(
                {"detail": "数据库暂时不可用，请稍后再试 / the database is unavailable, please try again shortly"},
                status=503,
            )
        # Rendered without a request context: the context processors would query the database.
        return HttpResponse(render_to_string("503.html"), status=503)
