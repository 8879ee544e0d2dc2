"""When a failed email is tried again: soon at first, then further apart, so that an outage of
a day or more loses nothing (with the default 8 attempts the last comes about 45 hours after
the first)."""

from __future__ import annotations

from datetime import datetime, timedelta

# The wait after the 1st, 2nd, ... failed attempt; after the last listed, the last repeats.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)


def next_attempt(attempts: int, now: datetime) -> datetime:
    """When to try again after `attempts` failed attempts (1 or more)."""
    return now + BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def gives_up_after(max_attempts: int) -> timedelta:
    """How long after the first attempt the last one comes."""
    return sum((BACKOFF[min(n, len(BACKOFF)) - 1] for n in range(1, max_attempts)), timedelta())
