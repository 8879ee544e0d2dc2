"""When a session is still alive, how to name a browser for people, and how long to wait."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

# A session's last_seen_at is written at most this often, not on every request.
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionLimits:
    absolute: timedelta  # from sign-in, however busy
    idle: timedelta  # since the last request

    def started_after(self, now: datetime) -> datetime:
        return now - self.absolute

    def seen_after(self, now: datetime) -> datetime:
        """last_seen_at may lag the last request by up to TOUCH_INTERVAL: allowing for it means
        nobody is signed out early; a session may outlive the idle timeout by a minute at most.
        """
        return now - self.idle - TOUCH_INTERVAL

    def is_live(
        self,
        *,
        started_at: datetime,
        last_seen_at: datetime,
        ended_at: datetime | None,
        signed_in: bool,
        now: datetime,
    ) -> bool:
        if ended_at is not None or started_at <= self.started_after(now):
            return False
        # A visitor who has not signed in keeps only a CSRF token and messages: no idle limit,
        # so that a sign-in form left open for a while still works.
        return not signed_in or last_seen_at > self.seen_after(now)


def needs_touch(last_seen_at: datetime, now: datetime) -> bool:
    return now - last_seen_at >= TOUCH_INTERVAL


_BROWSERS = (  # order matters: Edge and Opera say "Chrome" too, Chrome says "Safari"
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def describe_browser(user_agent: str) -> str:
    """'Chrome on Windows', for a person looking at their sessions; never the raw string."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return f"{browser or 'A browser'}{' on ' + system if system else ''}"
    return "Unknown browser"


def wait_in_words(seconds: float) -> str:
    """'42 minutes', '1 hour and 5 minutes', '30 seconds': rounded up, so never too short."""
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        return f"{whole} second{'' if whole == 1 else 's'}"
    minutes = math.ceil(whole / 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'' if hours == 1 else 's'}")
    if minutes:
        parts.append(f"{minutes} minute{'' if minutes == 1 else 's'}")
    return " and ".join(parts)
