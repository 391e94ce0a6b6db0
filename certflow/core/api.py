"""API plumbing shared by every app: the error format and the v1 router."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from certflow.core.rules import RuleViolation


def exception_handler(exc, context):
    """Domain refusals (RuleViolation, Django ValidationError) become 400s with their message, never 500s."""
    if isinstance(exc, RuleViolation):
        return Response(exc.as_dict(), status=400)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)
