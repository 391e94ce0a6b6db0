"""API plumbing shared by every app: the error format and the v1 router."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views.defaults import bad_request as page_bad_request
from django.views.defaults import page_not_found
from rest_framework import exceptions, renderers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from certflow.core.rules import RuleViolation


def exception_handler(exc, context):
    """Domain refusals (RuleViolation, Django ValidationError) become 400s with their message, never 500s.

    Every refusal is a JSON object (certflow.core.api_schema.ERROR_SCHEMA): a validation error raised
    without field names (a bare list of messages) is put under "detail", and a download operation
    whose negotiated renderer is a PDF or file renderer still answers its refusal as JSON."""
    if isinstance(exc, RuleViolation):
        response = Response(exc.as_dict(), status=400)
    else:
        if isinstance(exc, DjangoValidationError):
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            exc = exceptions.ValidationError(detail)
        response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(response.data, list):
        response.data = {"detail": response.data}
    _render_as_json(context.get("request"))
    return response


def _render_as_json(request) -> None:
    # finalize_response renders with the request's negotiated renderer; a refusal has no PDF to send.
    if request is None:
        return
    # The browsable API's HTML stays; only binary renderers (PDF, CSV, XLSX, files) are replaced, and
    # the case where negotiation itself failed (406), when DRF would fall back to the first renderer.
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is None or getattr(renderer, "render_style", "text") == "binary":
        request.accepted_renderer = renderers.JSONRenderer()
        request.accepted_media_type = renderers.JSONRenderer.media_type


API_PREFIX = "/api/"
NOT_FOUND = "未找到 / not found"
BAD_REQUEST = (
    "请求无效或过大（字段过多或内容超出限制）/ the request is malformed or too large (too many fields or too much data)"
)


def not_found(request, exception=None):
    """handler404: an address under /api/ that matches no route (say /api/v1/users/1.5/) answers the
    API's JSON error format; every other address keeps the HTML page."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": NOT_FOUND}, status=404)
    return page_not_found(request, exception)


def bad_request(request, exception=None):
    """handler400: what Django refuses before any view runs (more than DATA_UPLOAD_MAX_NUMBER_FIELDS
    form fields, a body over DATA_UPLOAD_MAX_MEMORY_SIZE) answers JSON under /api/ too."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": BAD_REQUEST, "code": "bad_request"}, status=400)
    return page_bad_request(request, exception)
