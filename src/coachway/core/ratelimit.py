"""Counting requests per caller with the `limits` library: refuse (429 with Retry-After) past a limit.

Limits are strings in the `limits` notation, several joined by ";" ("5/minute;20/day"). The counts live in
the storage settings.rate_limit_storage names: "memory://" keeps them in this process (enough for one
process, and for tests); "redis://host:6379" shares them between every process and machine serving the site
(that needs the `redis` package: `pip install "limits[redis]"`).

Windows are moving windows where the storage supports them (memory, redis), fixed windows otherwise.
"""

import math
import threading
import time
from functools import lru_cache

from limits import RateLimitItem, parse_many
from limits.storage import MovingWindowSupport, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter, RateLimiter

from coachway.config import get_settings
from coachway.core.errors import TooManyRequests

_lock = threading.Lock()
_limiters: dict[str, tuple[Storage, RateLimiter]] = {}


def _limiter() -> tuple[Storage, RateLimiter]:
    """The storage and limiter of the configured storage string (made once per string)."""
    uri = get_settings().rate_limit_storage
    with _lock:
        if uri not in _limiters:
            storage = storage_from_string(uri)
            strategy = MovingWindowRateLimiter if isinstance(storage, MovingWindowSupport) \
                else FixedWindowRateLimiter
            _limiters[uri] = (storage, strategy(storage))
        return _limiters[uri]


@lru_cache(maxsize=64)
def parse_limits(limit_string: str) -> tuple[RateLimitItem, ...]:
    """The limits of "5/minute;20/day" (ValueError when the string is not in the `limits` notation)."""
    return tuple(parse_many(limit_string))


def hit(scope: str, key: str | None, limit_string: str, *,
        message: str = "Too many requests from your address. Please wait and try again.") -> None:
    """Count one request of key (a client address) in scope; TooManyRequests with Retry-After (seconds)
    when it is over any of the limits."""
    _, limiter = _limiter()
    who = key or "unknown"
    for item in parse_limits(limit_string):
        if not limiter.hit(item, scope, who):
            stats = limiter.get_window_stats(item, scope, who)
            wait = max(1, math.ceil(stats.reset_time - time.time()))
            raise TooManyRequests(message, headers={"Retry-After": str(wait)})


def reset() -> None:
    """Forget every count (tests start each case from zero)."""
    with _lock:
        limiters = list(_limiters.values())
    for storage, _ in limiters:
        storage.reset()
