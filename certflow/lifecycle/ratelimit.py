"""The public complaint form's limit per client address (CERTFLOW_COMPLAINT_PAGE_RATE), counted in the cache."""

import time

from django.conf import settings
from django.core.cache import cache

from certflow.certificates.ratelimit import client_address, parse_rate


def allow_complaint(request, scope: str = "complaint") -> tuple[bool, int]:
    """(allowed, seconds to wait). Submissions and tracking look-ups count separately (`scope`)."""
    limit, period = parse_rate(settings.CERTFLOW_COMPLAINT_PAGE_RATE, "CERTFLOW_COMPLAINT_PAGE_RATE")
    now = int(time.time())
    key = f"ratelimit:{scope}:{client_address(request)}:{now // period}"
    if cache.add(key, 1, timeout=period + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:
            cache.add(key, 1, timeout=period + 1)
            count = 1
    return count <= limit, period - (now % period)
