"""Downloads of the tables managers look at, as CSV or Excel, with formula-safe cells."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from flask import Response

from portal import spreadsheets
from portal.data.models import Contract
from portal.domain.contracts import contract_status

MIME_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

CONTRACT_COLUMNS = [
    "Contract reference",
    "Title",
    "Supplier",
    "Contract manager",
    "Contract manager email",
    "Value (£)",
    "Start date",
    "End date",
    "Status",
    "KPI contract",
    "Commitments",
]


def download(
    header: Sequence[str], rows: Iterable[Sequence[spreadsheets.Cell]], name: str, file_format: str
) -> Response:
    if file_format == "xlsx":
        body = spreadsheets.to_xlsx(header, rows, title=name)
    else:
        body = spreadsheets.to_csv(header, rows)
    response = Response(body, mimetype=MIME_TYPES[file_format])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


def contract_rows(contracts: Iterable[Contract], today: date) -> Iterable[list[spreadsheets.Cell]]:
    for contract in contracts:
        active = [c for c in contract.commitments if not c.is_retired]
        yield [
            contract.reference,
            contract.title,
            contract.supplier.name,
            contract.manager.full_name,
            contract.manager.email,
            contract.value,
            contract.start_on,
            contract.end_on,
            contract_status(contract.start_on, contract.end_on, today).label,
            "Yes" if contract.is_kpi_contract else "No",
            "; ".join(f"{c.measure.code} {c.target.normalize():f}" for c in active),
        ]
