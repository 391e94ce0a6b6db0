"""A small fixed-window limiter for the public verification pages, kept in the cache (decisions C5).

The API uses DRF's throttles with the same idea; the pages cannot, so they count here per client
address. Behind a proxy, REMOTE_ADDR must be the client's (set it in the proxy), or all visitors
share one budget.
"""

import time

from django.conf import settings
from django.core.cache import cache

from certflow.core.env import ConfigurationError

PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def parse_rate(rate: str, name: str = "CERTFLOW_VERIFY_PAGE_RATE") -> tuple[int, int]:
    """'30/min' → (30, 60). ConfigurationError on anything else."""
    try:
        count, period = (rate or "").split("/")
        number, seconds = int(count), PERIODS[period.strip().lower()]
    except (ValueError, KeyError):
        raise ConfigurationError(f"{name} must look like 30/min (per s, min, hour or day); got {rate!r}") from None
    if number < 1:
        raise ConfigurationError(f"{name} must allow at least one request; got {rate!r}")
    return number, seconds


def _now() -> int:
    return int(time.time())


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(request, scope: str = "verify") -> tuple[bool, int]:
    """(allowed, seconds until the window resets) for this client, counting this request."""
    limit, period = parse_rate(settings.CERTFLOW_VERIFY_PAGE_RATE)
    now = _now()
    window = now // period
    key = f"ratelimit:{scope}:{client_address(request)}:{window}"
    # add() is atomic in every cache backend: the first request of a window creates the counter.
    if cache.add(key, 1, timeout=period + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=period + 1)
            count = 1
    return count <= limit, period - (now % period)
