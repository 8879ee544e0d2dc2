"""What every template can use: settings, the navigation for the user's role, formatting."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from portal.data.types import MeasureUnit, Role

LONDON = ZoneInfo("Europe/London")

# (label, endpoint, the endpoint prefix that marks it active)
NAVIGATION: dict[Role, list[tuple[str, str, str]]] = {
    Role.ADMINISTRATOR: [
        ("Contracts", "council.list_contracts", "council.contract"),
        ("Suppliers", "council.list_suppliers", "council.supplier"),
        ("Organisations", "admin.list_organisations", "admin.organisation"),
        ("Users", "admin.list_users", "admin.user"),
        ("Measures", "admin.list_measures", "admin.measure"),
        ("Local area", "admin.edit_local_area", "admin.edit_local_area"),
        ("Emails", "admin.list_emails", "admin.list_emails"),
    ],
    Role.CONTRACT_MANAGER: [
        ("Contracts", "council.list_contracts", "council.contract"),
        ("Suppliers", "council.list_suppliers", "council.supplier"),
    ],
    Role.SUPPLIER_USER: [
        ("Your contracts", "supplier.list_contracts", "supplier."),
    ],
}


def navigation_items() -> list[dict[str, Any]]:
    if not current_user.is_authenticated:
        return []
    endpoint = request.endpoint or ""
    items = []
    for label, target, prefix in NAVIGATION[current_user.role]:
        active = endpoint.startswith(prefix) or endpoint.replace("list_", "").startswith(prefix)
        items.append(
            {
                "text": label,
                "href": url_for(target),
                "active": active,
                "current": endpoint == target,
            }
        )
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


def format_money(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"£{value:,.2f}".replace(".00", "") if value == value.to_integral() else f"£{value:,.2f}"


def format_number(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:,f}" if value != value.to_integral() else f"{int(value):,}"
    return f"{value:,}"


def format_quantity(value: Decimal, unit: MeasureUnit) -> str:
    """50 people, 3.5 FTE, £76,100."""
    if unit is MeasureUnit.POUNDS:
        return format_money(value)
    return f"{format_number(value)} {unit.label}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        date=format_date, money=format_money, number=format_number, quantity=format_quantity
    )
    app.jinja_env.globals.update(navigation_items=navigation_items)

    @app.context_processor
    def inject_settings() -> dict[str, Any]:
        return {"settings": current_app.config["SETTINGS"], "Role": Role}
