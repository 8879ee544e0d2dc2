"""Links in emails: absolute, on the configured BASE_URL, and buildable outside a request
(the reminder job runs from cron, with no request to take a host from)."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app

from portal.config import current_settings

MASK = "••••••••"
# A route that takes a single-use token: "/reset-password/<token>", "/invitations/<string:token>"
TOKEN_ROUTE = re.compile(r"^(?P<before>[^<]*)<(?:[^:>]+:)?token>")


def absolute_url(endpoint: str, _anchor: str | None = None, **values: Any) -> str:
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    base = current_settings().base_url.rstrip("/")
    return f"{base}{path}" + (f"#{_anchor}" if _anchor else "")


def masked(text: str) -> str:
    """The text with the token of every single-use link (an invitation, a password reset)
    hidden, for people reading an email that was not theirs: such a link signs in whoever
    follows it first. Every route that takes a token is covered, including any added later."""
    before = sorted(
        {
            match["before"]
            for rule in current_app.url_map.iter_rules()
            if (match := TOKEN_ROUTE.match(rule.rule))
        }
    )
    if not before:
        return text
    links = re.compile(f"({'|'.join(map(re.escape, before))})[A-Za-z0-9_-]+")
    return links.sub(rf"\g<1>{MASK}", text)
