"""What every template can use: settings, the navigation for the user's role, formatting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, request, url_for
from flask_login import current_user
from markupsafe import Markup

from portal import charts, formatting
from portal.config import current_settings
from portal.data.types import Role
from portal.domain.periods import quarter_label

LONDON = ZoneInfo("Europe/London")

NAVIGATION: dict[Role, list[tuple[str, str]]] = {
    Role.ADMINISTRATOR: [
        ("Dashboard", "council.dashboard_page"),
        ("Contracts", "council.list_contracts"),
        ("Suppliers", "council.list_suppliers"),
        ("Organisations", "admin.list_organisations"),
        ("Users", "admin.list_users"),
        ("Measures", "admin.list_measures"),
        ("Local areas", "admin.list_local_areas"),
        ("Emails", "admin.list_emails"),
    ],
    Role.CONTRACT_MANAGER: [
        ("Dashboard", "council.dashboard_page"),
        ("Contracts", "council.list_contracts"),
        ("Flags", "council.list_flags"),
        ("Suppliers", "council.list_suppliers"),
    ],
    Role.SUPPLIER_USER: [
        ("Overview", "supplier.dashboard"),
        ("Your contracts", "supplier.list_contracts"),
    ],
}


def navigation_items() -> list[dict[str, Any]]:
    """The role's sections; a section is active on its own page and every page below it."""
    if not current_user.is_authenticated:
        return []
    items = []
    for label, endpoint in NAVIGATION[current_user.role]:
        href = url_for(endpoint)
        current = request.path == href
        # A section's own pages sit below its address; the dashboards at /council/ and
        # /supplier/ are whole-area homes, active only on themselves.
        below = href.rstrip("/") + "/"
        active = current or (not href.endswith("/") and request.path.startswith(below))
        items.append({"text": label, "href": href, "active": active, "current": current})
    return items


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(LONDON)
        return f"{local.day} {local:%B %Y} at {local:%-I:%M%p}".replace("AM", "am").replace(
            "PM", "pm"
        )
    return f"{value.day} {value:%B %Y}"


def _unless_none(format_: Callable[..., str]) -> Callable[..., str]:
    """A formatter as a filter: a missing figure (None) shows as nothing."""

    def filter_(value: Any, *args: Any) -> str:
        return "" if value is None else format_(value, *args)

    return filter_


def error_list(field_errors: dict[str, str]) -> list[dict[str, str]]:
    """{field id: message} as the GOV.UK error summary's list of links."""
    return [{"text": message, "href": f"#{field_id}"} for field_id, message in field_errors.items()]


def period_of(ret: Any) -> str:
    """A return's period as people say it: "Q1 2025/26"."""
    start_month = current_settings().financial_year_start_month
    return quarter_label(ret.financial_year, ret.quarter, start_month=start_month)


def chart(line: Any, index: int) -> Markup:
    """The trajectory chart of one commitment (see portal/charts.py)."""
    name = line.commitment.measure.name
    last = next((d for _, _, d in reversed(line.rows) if d is not None), None)
    return charts.trajectory(
        [label for label, _, _ in line.rows],
        [expected for _, expected, _ in line.rows],
        [delivered for _, _, delivered in line.rows],
        chart_id=f"chart-{index}",
        title=f"{name}: expected and delivered by quarter",
        description=(
            f"Delivered {formatting.quantity(last, line.commitment.measure.unit)} so far; the "
            "table beside it has every quarter's figures"
        )
        if last is not None
        else "Nothing has fallen due yet",
    )


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        date=format_date,
        money=_unless_none(formatting.money),
        number=_unless_none(formatting.number),
        quantity=_unless_none(formatting.quantity),
        percent=_unless_none(formatting.percent),
        count=formatting.count,
        error_list=error_list,
        period=period_of,
    )
    app.jinja_env.globals.update(navigation_items=navigation_items, chart=chart)

    @app.context_processor
    def inject_settings() -> dict[str, Any]:
        return {"settings": current_settings(), "Role": Role}
