"""Failed sign-ins, counted per email address and per client address.

Only failures count, and a success clears its address's count, so knowing someone's email
address is not enough to lock them out with their own correct password. The counts live in the
rate limiter's storage (memory, or Redis shared by every process: RATELIMIT_STORAGE_URI).
"""

from __future__ import annotations

import time

from limits import RateLimitItem, parse_many

from portal import logs
from portal.config import current_settings
from portal.extensions import limiter

PER_EMAIL = "sign-in-failures-email"
PER_ADDRESS = "sign-in-failures-address"


def _counters(email: str, address: str) -> list[tuple[RateLimitItem, str, str]]:
    settings = current_settings()
    return [
        *((item, PER_EMAIL, email) for item in parse_many(settings.sign_in_rate_limit)),
        *((item, PER_ADDRESS, address) for item in parse_many(settings.sign_in_ip_rate_limit)),
    ]


def wait_seconds(email: str, address: str) -> float:
    """How long until another attempt may be made: 0 if one may be made now."""
    now = time.time()
    wait = 0.0
    longest: tuple[str, str] | None = None  # the limit that sets the wait
    for item, kind, key in _counters(email, address):
        if not limiter.limiter.test(item, kind, key):
            reset_at = limiter.limiter.get_window_stats(item, kind, key).reset_time
            item_wait = max(reset_at - now, 1.0)
            if item_wait > wait:
                wait, longest = item_wait, (kind, str(item))
    if longest:
        logs.rate_limited(*longest)
    return wait


def record_failure(email: str, address: str) -> None:
    for item, kind, key in _counters(email, address):
        limiter.limiter.hit(item, kind, key)


def clear(email: str) -> None:
    """A correct password: the failures counted against this email address are forgotten."""
    for item, kind, key in _counters(email, ""):
        if kind == PER_EMAIL:
            limiter.limiter.clear(item, kind, key)
