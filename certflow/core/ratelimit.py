"""A small fixed-window limiter per client address for public forms and pages, kept in the cache.

The API uses DRF's throttles with the same idea; pages cannot, so they count here (decisions C5). Behind
a proxy, REMOTE_ADDR must be the client's (set it in the proxy), or all visitors share one budget.
Rates look like DRF's: "30/min", "5/hour".
"""

import time

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


def parse_rate(rate: str, name: str) -> tuple[int, int]:
    """'30/min' → (30, 60). ConfigurationError on anything else."""
    try:
        count, period = (rate or "").split("/")
        number, seconds = int(count), PERIODS[period.strip().lower()]
    except (ValueError, KeyError):
        raise ConfigurationError(f"{name} must look like 30/min (per s, min, hour or day); got {rate!r}") from None
    if number < 1:
        raise ConfigurationError(f"{name} must allow at least one request; got {rate!r}")
    return number, seconds


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(request, scope: str, rate: str, name: str, now: int | None = None) -> tuple[bool, int]:
    """Count this request; (allowed, seconds until the window resets) for its client under `rate`."""
    limit, period = parse_rate(rate, name)
    now = int(time.time()) if now is None else now
    key = f"ratelimit:{scope}:{client_address(request)}:{now // period}"
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
