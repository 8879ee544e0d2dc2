"""What every template can use: settings, the navigation for the user's role, formatting."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, g, request, url_for
from flask_login import current_user
from markupsafe import Markup

from portal import charts, fair_work, formatting
from portal.config import current_settings
from portal.data.types import Role
from portal.domain.compliance import Standing
from portal.domain.periods import financial_year_label, quarter_label

LONDON = ZoneInfo("Europe/London")

NAVIGATION: dict[Role, list[tuple[str, str]]] = {
    Role.ADMINISTRATOR: [
        ("Dashboard", "council.dashboard_page"),
        ("Contracts", "council.list_contracts"),
        ("Returns to review", "council.returns_to_review"),
        ("Overdue returns", "council.overdue_returns"),
        ("Suppliers", "council.list_suppliers"),
        ("Spend", "council.spend_analysis"),
        ("Organisations", "admin.list_organisations"),
        ("Users", "admin.list_users"),
        ("Measures", "admin.list_measures"),
        ("Local areas", "admin.list_local_areas"),
        ("Living Wage", "admin.list_living_wage_rates"),
        ("Emails", "admin.list_emails"),
    ],
    Role.CONTRACT_MANAGER: [
        ("Dashboard", "council.dashboard_page"),
        ("Contracts", "council.list_contracts"),
        ("Returns to review", "council.returns_to_review"),
        ("Overdue returns", "council.overdue_returns"),
        ("Flags", "council.list_flags"),
        ("Suppliers", "council.list_suppliers"),
        ("Spend", "council.spend_analysis"),
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


def form_error_list(form: Any) -> list[dict[str, str]]:
    """Every error of every field, for the error summary: govuk-frontend-wtf's wtforms_errors
    lists only the first of each field, which hid all but one of a return's problems."""
    return [
        {"text": message, "href": f"#{field.id}"} for field in form for message in field.errors
    ]


def year_label(financial_year: int) -> str:
    """A financial year as people say it: "2025/26" (or "2025" for one starting in January)."""
    return financial_year_label(
        financial_year, start_month=current_settings().financial_year_start_month
    )


def period_of(ret: Any) -> str:
    """A return's period as people say it: "Q1 2025/26"."""
    start_month = current_settings().financial_year_start_month
    return quarter_label(ret.financial_year, ret.quarter, start_month=start_month)


# What a quarter's figure needs saying beside it, in the chart and the table beside it.
QUARTER_NOTES = {
    Standing.AWAITING_REVIEW,
    Standing.NOTHING_TO_COUNT,
    Standing.DUE_TODAY,
    Standing.NO_RETURN,
}


def quarter_note(row: Any) -> str | None:
    return row.standing.label if row.standing in QUARTER_NOTES else None


def chart_description(line: Any) -> str:
    """What the chart shows, in words: its accessible description. A level is described by
    the last level accepted, never by the 0 that stands in for a quarter with no return."""
    unit = line.commitment.measure.unit
    if line.cumulative:
        last = next((row for row in reversed(line.rows) if row.delivered is not None), None)
    else:
        last = next((row for row in reversed(line.rows) if row.standing is Standing.ACCEPTED), None)
    awaiting = [row.label for row in line.rows if row.standing is Standing.AWAITING_REVIEW]
    no_return = [row.label for row in line.rows if row.standing is Standing.NO_RETURN]
    if last is None:
        description = "Nothing has been accepted for a quarter that has fallen due yet"
    elif line.cumulative:
        description = f"Delivered {formatting.quantity(last.delivered, unit)} by {last.label}"
    else:
        description = f"Held {formatting.quantity(last.delivered, unit)} in {last.label}"
    if len(no_return) == 1:
        description += f"; no return for {no_return[0]}, counted as 0"
    elif no_return:
        description += f"; no return for {len(no_return)} quarters, each counted as 0"
    if awaiting:
        description += f"; {formatting.listing(awaiting)} awaiting review"
    nobody = [row.label for row in line.rows if row.standing is Standing.NOTHING_TO_COUNT]
    if nobody:
        description += f"; nobody to count in {formatting.listing(nobody)}"
    return description + ". The table beside it has every quarter's figures."


def chart(line: Any, index: int) -> Markup:
    """The trajectory chart of one commitment (see portal/charts.py)."""
    name = line.commitment.measure.name
    return charts.trajectory(
        [row.label for row in line.rows],
        [row.expected for row in line.rows],
        [row.delivered for row in line.rows],
        notes=[quarter_note(row) for row in line.rows],
        chart_id=f"chart-{index}",
        title=f"{name}: expected and delivered by quarter",
        description=chart_description(line),
    )


def unique_id(prefix: str) -> str:
    """An id that no other element of the page being drawn has: prefix-1, prefix-2, ..."""
    number = g.get("unique_ids", 0) + 1
    g.unique_ids = number
    return f"{prefix}-{number}"


NOBODY_TO_COUNT = "Nobody aged 50 or over to count"


def line_figure(line: Any, nobody: Collection[int] = ()) -> str:
    """A return line's figure as a person reads it, or why there is none. `nobody`: the
    commitments whose 50+ share has nobody to count as the people stand now (an editable
    return); a return that is not editable shows what was sent."""
    measure = line.commitment.measure
    if line.figure is not None:
        return formatting.quantity(line.figure, measure.unit)
    if line.commitment_id in nobody or (
        line.nothing_to_count and not line.return_.status.is_editable
    ):
        return NOBODY_TO_COUNT
    if measure.derivation is not None and measure.derivation.is_share:
        return "Not known"
    return "Not entered"


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        date=format_date,
        money=_unless_none(formatting.money),
        # Pages show figures to the hundredth at most: stored ones are, computed ones may not be.
        number=_unless_none(lambda value, places=2: formatting.number(value, places)),
        quantity=_unless_none(
            lambda value, unit, places=2: formatting.quantity(value, unit, places)
        ),
        percent=_unless_none(formatting.percent),
        pct=_unless_none(formatting.pct),
        count=formatting.count,
        listing=formatting.listing,
        mid_sentence=formatting.mid_sentence,
        some_of=formatting.some_of,
        error_list=error_list,
        period=period_of,
        financial_year=year_label,
    )
    app.jinja_env.globals.update(
        navigation_items=navigation_items,
        chart=chart,
        quarter_note=quarter_note,
        line_figure=line_figure,
        form_error_list=form_error_list,
        nobody_to_count=NOBODY_TO_COUNT,
        unique_id=unique_id,
        fair_work_kinds=fair_work.KINDS,
        fair_work_kind=fair_work.KIND_OF.get,
        fair_work_value=fair_work.value,
        fair_work_detail=fair_work.detail,
    )

    @app.context_processor
    def inject_settings() -> dict[str, Any]:
        return {"settings": current_settings(), "Role": Role}
