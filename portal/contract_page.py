"""What a contract's page shows, for the council and for its supplier alike."""

from __future__ import annotations

from typing import Any

from flask import Response

from portal import calendar, exports
from portal.data import compliance as store
from portal.data import flags, local_areas, returns
from portal.data.models import Contract
from portal.domain.social_value import by_price_year
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
        "title": f"{contract.reference}: {contract.title}",
    }


def quarters_download(contract: Contract, file_format: str) -> Response:
    """Every commitment's quarters, as in the tables beside the charts."""
    rows = exports.quarter_rows(contract, compliance.trajectories(contract, calendar.today()))
    return exports.download(
        exports.QUARTER_COLUMNS, rows, f"{contract.reference}-quarters", file_format
    )
