"""A council's spend analysis as its page and exports show it (design brief section 5b): the
stored payments read in a fixed number of queries, classified and added up by the pure rules
in portal.domain.spend."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from markupsafe import Markup

from portal import charts, formatting, spreadsheets
from portal.data import spend, spend_analysis
from portal.data.spend_analysis import Areas, PayeeYear
from portal.domain.spend import (
    DEFAULT_PUBLIC_BODY_PATTERNS,
    DEFAULT_TOP_N,
    GroupBreakdown,
    Location,
    SpendAnalysis,
    SupplierTotal,
    analyse_year,
    breakdown,
    location_of,
    looks_like_public_body,
)
from portal.template_helpers import year_label


@dataclass(frozen=True)
class TrendRow:
    financial_year: int
    total_spend: Decimal
    top_spend: Decimal
    local_percent: Decimal | None  # of the top-N spend


@dataclass(frozen=True)
class YearAnalysis:
    financial_year: int
    analysis: SpendAnalysis
    names: dict[str, str]  # supplier key (the payee's id) -> its name
    by_service_area: list[GroupBreakdown]
    by_expense_type: list[GroupBreakdown]
    location_chart: Markup


@dataclass(frozen=True)
class SpendPage:
    years: list[int]  # newest first
    year: YearAnalysis | None  # None: nothing loaded
    trend: list[TrendRow]  # oldest first
    trend_chart: Markup
    areas: Areas
    include_public_bodies: bool


def spend_page(
    council_id: int, financial_year: int | None, *, include_public_bodies: bool = False
) -> SpendPage:
    """The year asked for (else the newest loaded) and the trend across every year loaded."""
    areas = spend_analysis.areas(council_id)
    years = [year.financial_year for year in reversed(spend.years_of(council_id))]
    chosen = financial_year if financial_year in years else (years[0] if years else None)
    rows = spend_analysis.payee_years(council_id) if years else []
    top_n = areas.top_n or DEFAULT_TOP_N
    classify = _classifier(areas)
    by_year = {
        year: analyse_year(
            [classify(row) for row in rows if row.financial_year == year],
            top_n=top_n,
            include_public_bodies=include_public_bodies,
        )
        for year in sorted(years)
    }
    trend = [
        TrendRow(year, a.total_spend, a.top_spend, _percent_of(a, Location.LOCAL))
        for year, a in by_year.items()
    ]
    year = None
    if chosen is not None:
        analysis = by_year[chosen]
        top = [int(row.supplier_key) for row in analysis.top_suppliers if row.supplier_key]
        groups = spend_analysis.by_area_and_type(council_id, chosen, top) if top else []
        year = YearAnalysis(
            chosen,
            analysis,
            {str(row.payee_id): row.name or "" for row in rows if row.payee_id is not None},
            breakdown(((area, f"{payee}", total) for area, _, payee, total in groups), analysis),
            breakdown(((kind, f"{payee}", total) for _, kind, payee, total in groups), analysis),
            _location_chart(chosen, analysis),
        )
    return SpendPage(
        years, year, trend, _trend_chart(trend), areas, include_public_bodies=include_public_bodies
    )


def _classifier(areas: Areas) -> Callable[[PayeeYear], SupplierTotal]:
    """A payee's year as the rules take it: where it is, and whether it is a public body (as
    someone said, else as its name suggests). Each payee is placed once, whatever its years."""
    patterns = areas.public_body_patterns or DEFAULT_PUBLIC_BODY_PATTERNS

    @cache
    def placed(postcode: str | None, name: str) -> tuple[Location, bool]:
        return location_of(postcode, areas.local, areas.wider), looks_like_public_body(
            name, patterns
        )

    def classified(row: PayeeYear) -> SupplierTotal:
        if row.payee_id is None:
            return SupplierTotal(None, row.total)
        location, named_public = placed(row.postcode, row.name or "")
        public = row.is_public_body if row.is_public_body is not None else named_public
        return SupplierTotal(
            str(row.payee_id), row.total, location, row.is_sme, row.is_vcse, public
        )

    return classified


def _percent_of(analysis: SpendAnalysis, location: Location) -> Decimal | None:
    return next(s.percent for s in analysis.by_location if s.key == location.value)


def _location_chart(year: int, analysis: SpendAnalysis) -> Markup:
    shares = [(Location(s.key).label, s.percent) for s in analysis.by_location]
    said = "; ".join(
        f"{label.lower()} {formatting.pct(p) if p is not None else 'not known'}"
        for label, p in shares
    )
    return charts.bars(
        shares,
        chart_id="spend-location-chart",
        title=f"Where the top suppliers are, {year_label(year)}",
        description=f"Of the top suppliers' spend: {said}. The table below has the figures.",
    )


def _trend_chart(trend: Sequence[TrendRow]) -> Markup:
    if len(trend) < 2:
        return Markup("")  # a trend needs two years; the table says the one there is
    last = trend[-1]
    local = formatting.pct(last.local_percent) if last.local_percent is not None else "not known"
    return charts.shares(
        [year_label(row.financial_year) for row in trend],
        [("In the local area", [row.local_percent for row in trend])],
        chart_id="spend-trend-chart",
        title="Share of the top suppliers' spend in the local area, by year",
        description=(
            f"In {year_label(last.financial_year)}: {local}. The table below has every "
            "year's figures."
        ),
    )


# The exports: the page's figures, row for row.

ANALYSIS_COLUMNS = [
    "Financial year",
    "Breakdown",
    "Group",
    "Of it",
    "Spend (£)",
    "Share of the top suppliers' spend (%)",
]
SUPPLIER_COLUMNS = ["Rank", "Supplier", "Spend (£)", "Where", "SME", "VCSE"]
ANSWERS = {"yes": "Yes", "no": "No", "unknown": "Not known"}


def analysis_rows(year: YearAnalysis) -> list[list[spreadsheets.Cell]]:
    a, label = year.analysis, year_label(year.financial_year)
    rows: list[list[spreadsheets.Cell]] = [
        [label, "Headline", "Total spend", None, a.total_spend, None],
        [label, "Headline", "Paid to people (names redacted)", None, a.redacted_spend, None],
        [label, "Headline", "Paid to public bodies", None, a.public_body_spend, None],
        [label, "Headline", f"The top {a.top_n:,} suppliers", None, a.top_spend, None],
    ]
    rows += [
        [label, "Where", Location(s.key).label, None, s.amount, s.percent] for s in a.by_location
    ]
    rows += [[label, "SME", ANSWERS[s.key], None, s.amount, s.percent] for s in a.by_sme]
    rows += [[label, "VCSE", ANSWERS[s.key], None, s.amount, s.percent] for s in a.by_vcse]
    for name, groups in (
        ("Service area", year.by_service_area),
        ("Expense type", year.by_expense_type),
    ):
        rows += [
            [label, name, g.group, Location(s.key).label, s.amount, s.percent]
            for g in groups
            for s in g.by_location
        ]
    return rows


def supplier_rows(year: YearAnalysis) -> list[list[spreadsheets.Cell]]:
    return [
        [
            rank,
            year.names.get(row.supplier_key or "", ""),
            row.total,
            row.location.label,
            ANSWERS[_answer(row.is_sme)],
            ANSWERS[_answer(row.is_vcse)],
        ]
        for rank, row in enumerate(year.analysis.top_suppliers, start=1)
    ]


def _answer(flag: bool | None) -> str:
    return "unknown" if flag is None else "yes" if flag else "no"
