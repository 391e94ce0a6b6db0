"""The public complaint form's limit per client address (CERTFLOW_COMPLAINT_PAGE_RATE), counted in the cache."""

from django.conf import settings

from certflow.core.ratelimit import hit


def allow_complaint(request, scope: str = "complaint") -> tuple[bool, int]:
    """(allowed, seconds to wait). Submissions and tracking look-ups count separately (`scope`)."""
    return hit(request, scope, settings.CERTFLOW_COMPLAINT_PAGE_RATE, "CERTFLOW_COMPLAINT_PAGE_RATE")
