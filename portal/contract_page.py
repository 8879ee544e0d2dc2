"""What a contract's page shows, for the council and for its supplier alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response
from markupsafe import Markup

from portal import calendar, charts, exports, formatting
from portal import fair_work as words
from portal.data import compliance as store
from portal.data import fair_work, flags, living_wage, local_areas, returns
from portal.data.models import Contract
from portal.domain.social_value import by_price_year
from portal.template_helpers import period_of
from portal.workflows import compliance


def context(contract: Contract, *, audience: str) -> dict[str, Any]:
    """`audience` is the blueprint whose links the page uses: "council" or "supplier"."""
    today = calendar.today()
    trajectories = compliance.trajectories(contract, today)
    return {
        "contract": contract,
        "local_area": contract.local_area or local_areas.default_for(contract.council_id),
        "periods": calendar.reporting_periods_of(contract),
        "needs_returns": any(not c.is_retired for c in contract.commitments),
        "returns_by_period": returns.for_contract(contract.id),
        "today": today,
        "state": store.contract_state(contract.id),
        "trajectories": trajectories,
        "social_value": by_price_year(
            (line.commitment.proxy_price_year, line.state.social_value if line.state else None)
            for line in trajectories
        ),
        "open_flags": flags.for_contract(contract.id),
        "flag_endpoint": f"{audience}.view_flag",
        "quarters_endpoint": f"{audience}.export_quarters",
        "fair_work": fair_work_section(contract),
        "title": f"{contract.reference}: {contract.title}",
    }


@dataclass(frozen=True)
class FairWorkSection:
    quarters: list[words.Quarter]
    chart: Markup
    rate_used: str  # which real Living Wage pay is judged against, and why


def rate_used(contract: Contract) -> str:
    if contract.uses_london_living_wage is not None:
        where = "in London" if contract.uses_london_living_wage else "outside London"
        reason = f"this contract says its work is done {where}"
    else:
        where = "in London" if living_wage.is_london(contract) else "outside London"
        reason = f"the council is {where}, and this contract does not say otherwise"
    rate = (
        "London Living Wage" if where == "in London" else "real Living Wage for the rest of the UK"
    )
    return f"Pay is judged against the {rate}: {reason}."


def fair_work_section(contract: Contract) -> FairWorkSection:
    """Each submitted or accepted quarter's fair-work shares, read from the stored figures (one
    query, however many returns), with a chart of them."""
    quarters = [
        words.Quarter(
            period_of(ret),
            ret.status,
            next(iter(figures.values())).living_wage,
            [(kind, figures[kind.derivation]) for kind in words.KINDS],
        )
        for ret, figures in fair_work.sent_for_contract(contract.id)
    ]
    latest = quarters[-1] if quarters else None
    description = (
        f"In {latest.label}: "
        + "; ".join(
            f"{formatting.mid_sentence(kind.name)} {words.value(share)}"
            for kind, share in latest.shares
        )
        + ". The table below has every quarter's figures."
        if latest
        else ""
    )
    chart = charts.shares(
        [q.label for q in quarters],
        [
            (kind.name, [q.shares[index][1].percent for q in quarters])
            for index, kind in enumerate(words.KINDS)
        ],
        chart_id="fair-work-chart",
        title="Fair work shares by quarter",
        description=description,
    )
    return FairWorkSection(quarters, chart, rate_used(contract))


def quarters_download(contract: Contract, file_format: str) -> Response:
    """Every commitment's quarters, as in the tables beside the charts, then the fair-work
    shares of every quarter sent."""
    rows = [
        *exports.quarter_rows(contract, compliance.trajectories(contract, calendar.today())),
        *exports.fair_work_rows(contract, fair_work_section(contract).quarters),
    ]
    return exports.download(
        exports.QUARTER_COLUMNS, rows, f"{contract.reference}-quarters", file_format
    )
