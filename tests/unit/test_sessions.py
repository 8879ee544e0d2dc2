"""The session rules and words: when a session is alive, browser names, waits in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.domain.sessions import SessionLimits, describe_browser, needs_touch, wait_in_words

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LIMITS = SessionLimits(absolute=timedelta(hours=8), idle=timedelta(minutes=30))


def live(started_ago: timedelta, seen_ago: timedelta, *, signed_in: bool = True) -> bool:
    return LIMITS.is_live(
        started_at=NOW - started_ago,
        last_seen_at=NOW - seen_ago,
        ended_at=None,
        signed_in=signed_in,
        now=NOW,
    )


def test_idle_and_absolute_limits() -> None:
    assert live(timedelta(hours=1), timedelta(minutes=29))
    # last_seen_at is written once a minute: a minute's grace so nobody is signed out early.
    assert live(timedelta(hours=1), timedelta(minutes=30, seconds=30))
    assert not live(timedelta(hours=1), timedelta(minutes=31, seconds=1))
    assert not live(timedelta(hours=8, seconds=1), timedelta(seconds=1))
    # A visitor who never signed in has no idle limit (their sign-in form keeps working).
    assert live(timedelta(hours=2), timedelta(hours=2), signed_in=False)
    assert not LIMITS.is_live(
        started_at=NOW, last_seen_at=NOW, ended_at=NOW, signed_in=True, now=NOW
    )


def test_last_seen_is_touched_once_a_minute() -> None:
    assert not needs_touch(NOW - timedelta(seconds=59), NOW)
    assert needs_touch(NOW - timedelta(seconds=60), NOW)


@pytest.mark.parametrize(
    ("agent", "words"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "Chrome on Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox on macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)
def test_browsers_are_named_for_people(agent: str, words: str) -> None:
    assert describe_browser(agent) == words


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0.2, "1 second"),
        (42, "42 seconds"),
        (60, "1 minute"),
        (2501, "42 minutes"),
        (3599.5, "1 hour"),
        (3900, "1 hour and 5 minutes"),
        (7200, "2 hours"),
    ],
)
def test_waits_in_words_round_up(seconds: float, words: str) -> None:
    assert wait_in_words(seconds) == words
