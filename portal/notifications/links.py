"""Links in emails: absolute, on the configured BASE_URL, and buildable outside a request
(the reminder job runs from cron, with no request to take a host from)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from portal.config import current_settings


def absolute_url(endpoint: str, _anchor: str | None = None, **values: Any) -> str:
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    base = current_settings().base_url.rstrip("/")
    return f"{base}{path}" + (f"#{_anchor}" if _anchor else "")
