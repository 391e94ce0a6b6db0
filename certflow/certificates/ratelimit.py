"""The public verification pages' limit per client address (CERTFLOW_VERIFY_PAGE_RATE; decisions C5)."""

import time

from django.conf import settings

from certflow.core.ratelimit import PERIODS, client_address, hit  # noqa: F401 — re-exported for callers
from certflow.core.ratelimit import parse_rate as _parse_rate


def parse_rate(rate: str, name: str = "CERTFLOW_VERIFY_PAGE_RATE") -> tuple[int, int]:
    return _parse_rate(rate, name)


def _now() -> int:
    return int(time.time())


def allow(request, scope: str = "verify") -> tuple[bool, int]:
    """(allowed, seconds until the window resets) for this client, counting this request."""
    return hit(request, scope, settings.CERTFLOW_VERIFY_PAGE_RATE, "CERTFLOW_VERIFY_PAGE_RATE", now=_now())
