"""Downloads of the tables managers look at, as CSV or Excel, with formula-safe cells."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from urllib.parse import quote

from flask import Response

from portal import spreadsheets
from portal.data import evidence
from portal.data.models import Contract, EvidenceFile, WorkforceEntry
from portal.domain.contracts import contract_status
from portal.domain.evidence import FileKind

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


def evidence_download(file: EvidenceFile) -> Response:
    """Always an attachment, never shown inline (the view adds a sandboxing policy)."""
    kind = FileKind(file.kind)
    response = Response(evidence.content_of(file), mimetype=kind.mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{file.filename}\"; filename*=UTF-8''{quote(file.filename)}"
    )
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


WORKFORCE_COLUMNS = [
    "Worker reference",
    "Postcode sector",
    "Age band",
    "Start date",
    "End date",
    "Weekly hours",
    "Share of time on this contract (%)",
    "New hire or retained",
    "Apprenticeship level",
    "Apprenticeship standard",
]


def workforce_rows(entries: Iterable[WorkforceEntry]) -> Iterable[list[spreadsheets.Cell]]:
    for entry in entries:
        yield [
            entry.worker_reference,
            entry.postcode_sector,
            entry.age_band.label,
            entry.starts_on,
            entry.ends_on,
            entry.weekly_hours,
            entry.share_on_contract * 100,
            "New hire" if entry.is_new_hire else "Retained",
            entry.apprenticeship_level,
            entry.apprenticeship_standard,
        ]
