"""Downloads of the tables managers look at, as CSV or Excel, with formula-safe cells."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from flask import Response

from portal import fair_work, spreadsheets
from portal.calendar import day_of
from portal.data import evidence
from portal.data.contracts import Standing
from portal.data.models import (
    AssessmentExplanation,
    Contract,
    EvidenceFile,
    Flag,
    Return,
    WorkforceEntry,
)
from portal.data.queues import Overdue
from portal.data.types import MeasureUnit, ReturnStatus
from portal.domain import workforce_import
from portal.domain.contracts import contract_status
from portal.domain.evidence import FileKind
from portal.template_helpers import period_of, quarter_note
from portal.workflows.compliance import PeriodAssessment, Trajectory

MIME_TYPES = {
    "csv": "text/csv",  # Werkzeug adds "; charset=utf-8" to every text/* type
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
    "Reporting starts",
    "Status",
    "KPI contract",
    "Rating",
    "Latest return",
    "Latest return period",
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
    response.headers["Content-Disposition"] = attachment(f"{name}.{file_format}")
    return response


def evidence_download(file: EvidenceFile) -> Response:
    """Always an attachment, never shown inline (the view adds a sandboxing policy)."""
    kind = FileKind(file.kind)
    content = evidence.content_of(file)
    if kind is FileKind.CSV:
        content = formula_safe_csv(content)
    response = Response(content, mimetype=kind.mimetype)
    response.headers["Content-Disposition"] = attachment(file.filename)
    return response


def formula_safe_csv(content: bytes) -> bytes:
    """A copy of an uploaded CSV in which no cell starts a formula (the stored original, and
    its hash, are unchanged): a spreadsheet opening it shows text instead of running it."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return content  # not text: the upload check never stores such a "CSV"
    try:
        dialect: Any = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error:  # not quite CSV (a huge field, a stray quote): each line one cell
        rows = [[line] for line in text.splitlines()]
    for row in rows:
        writer.writerow([spreadsheets.safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


# Characters no file name should hold: path separators, quotes, and what Windows refuses.
_NOT_IN_FILE_NAMES = re.compile(r'[/\\"*:<>?|\[\];,]+')


def _readable_file_name(name: str) -> str:
    """The name without control or format characters (such as RTL marks, which can make
    "exe.pdf" read as "fdp.exe") or characters that are unsafe in a file name."""
    kept = "".join(
        "" if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp") else char
        for char in unicodedata.normalize("NFC", name)
    )
    return re.sub(r"-{2,}", "-", _NOT_IN_FILE_NAMES.sub("-", kept)).strip(" .-") or "download"


def attachment(filename: str) -> str:
    """A Content-Disposition header for a download (RFC 6266): the UTF-8 name in `filename*`,
    and a plain-ASCII `filename` for older clients. Every download's name is made here."""
    readable = _readable_file_name(filename)
    ascii_only = unicodedata.normalize("NFKD", readable).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^A-Za-z0-9._ ()-]+", "-", ascii_only)
    fallback = re.sub(r"-{2,}", "-", fallback).strip(" .-")
    stem, dot, extension = readable.rpartition(".")
    if not fallback or fallback == extension:
        fallback = f"download.{extension}" if dot else "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(readable, safe='')}"


def contract_rows(
    contracts: Iterable[tuple[Contract, Standing]], today: date
) -> Iterable[list[spreadsheets.Cell]]:
    for contract, standing in contracts:
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
            contract.reporting_starts_on,
            contract_status(contract.start_on, contract.end_on, today).label,
            "Yes" if contract.is_kpi_contract else "No",
            standing.rating.label,
            standing.latest_return.label if standing.latest_return else "None",
            period_of(standing) if standing.latest_return else None,
            "; ".join(f"{c.measure.code} {c.target.normalize():f}" for c in active),
        ]


# The upload's columns, except that only the sector of a home postcode is ever kept.
WORKFORCE_COLUMNS = [
    "Postcode sector" if column == "Home postcode" else column
    for column in workforce_import.COLUMNS
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
            entry.hourly_pay,
            workforce_import.contract_type_label(entry.contract_type)
            if entry.contract_type
            else None,
            entry.guaranteed_hours,
        ]


FLAG_COLUMNS = [
    "Raised",
    "Severity",
    "Status",
    "Kind",
    "Contract reference",
    "Supplier",
    "Contract manager",
    "Measure",
    "Summary",
    "Recovery actions",
    "Recovery plan",
    "Closed",
    "Resolution or waiver reason",
]


def flag_rows(found: Iterable[Flag]) -> Iterable[list[spreadsheets.Cell]]:
    for flag in found:
        yield [
            flag.raised_at.date(),
            flag.severity.value.capitalize(),
            flag.status.value.capitalize(),
            flag.kind.label,
            flag.contract.reference,
            flag.contract.supplier.name,
            flag.contract.manager.full_name,
            flag.commitment.measure.name if flag.commitment else None,
            flag.summary,
            len(flag.actions),
            flag.plan_status.label,
            flag.closed_at.date() if flag.closed_at else None,
            flag.waived_reason or flag.resolution,
        ]


COMMITMENT_COLUMNS = [
    "Contract reference",
    "Title",
    "Measure",
    "Unit",
    "Target",
    "Expected to date",
    "Delivered",
    "Pending review",
    "Quarters awaiting review",
    "Shortfall",
    "Delivery %",
    "Status",
    "At risk",
    "Forecast at the end",
    "Proxy value per unit (£)",
    "Price base year",
    "Social value to date (£)",
    "Social value this financial year (£)",
    "As of",
]


def commitment_rows(rows: Iterable[Any]) -> Iterable[list[spreadsheets.Cell]]:
    for reference, title, target, measure, unit, proxy, price_year, state in rows:
        yield [
            reference,
            title,
            measure,
            unit.label,
            target,
            state.expected_to_date,
            state.delivered,
            state.pending,
            state.periods_awaiting_review,
            state.shortfall,
            state.delivery_pct,
            state.status.label,
            "Yes" if state.at_risk else "No",
            state.forecast,
            proxy,
            price_year,
            state.social_value,
            state.year_social_value,
            state.as_of,
        ]


RETURN_COLUMNS = [
    "Contract reference",
    "Supplier",
    "Financial year",
    "Quarter",
    "Covers from",
    "Covers to",
    "Due",
    "Status",
    "Last submitted",
    "Last decided",
    "Submissions",
]


def return_rows(found: Iterable[Return]) -> Iterable[list[spreadsheets.Cell]]:
    for ret in found:
        yield [
            ret.contract.reference,
            ret.contract.supplier.name,
            ret.financial_year,
            ret.quarter,
            ret.period_starts_on,
            ret.period_ends_on,
            ret.due_on,
            ret.status.label,
            ret.submitted_at.date() if ret.submitted_at else None,
            ret.decided_at.date() if ret.decided_at else None,
            ret.submission_count,
        ]


def _whose_period(contract: Contract, period: Any) -> list[spreadsheets.Cell]:
    """The first cells of a work-queue row: the contract, who runs it and the period (a return,
    or an overdue period: both have a financial year, quarter and the days they cover)."""
    return [
        contract.reference,
        contract.title,
        contract.supplier.name,
        contract.manager.full_name,
        period_of(period),
        period.period_starts_on,
        period.period_ends_on,
    ]


TO_REVIEW_COLUMNS = [
    "Contract reference",
    "Title",
    "Supplier",
    "Contract manager",
    "Period",
    "Covers from",
    "Covers to",
    "Submitted",
    "Days waiting",
    "Submissions",
]


def to_review_rows(found: Iterable[Return], today: date) -> Iterable[list[spreadsheets.Cell]]:
    for ret in found:
        submitted_on = day_of(ret.submitted_at) if ret.submitted_at else None
        yield [
            *_whose_period(ret.contract, ret),
            submitted_on,
            (today - submitted_on).days if submitted_on else None,
            ret.submission_count,
        ]


OVERDUE_COLUMNS = [
    "Contract reference",
    "Title",
    "Supplier",
    "Contract manager",
    "Period",
    "Covers from",
    "Covers to",
    "Due",
    "Days overdue",
    "Return",
    "Last reminder",
    "Last reminder to",
    "Last reminder sent",
]


def overdue_rows(found: Iterable[Overdue], today: date) -> Iterable[list[spreadsheets.Cell]]:
    for row in found:
        period, reminder = row.period, row.last_reminder
        yield [
            *_whose_period(row.contract, period),
            period.due_on,
            (today - period.due_on).days,
            "Draft" if row.started else "Not started",
            reminder.description if reminder else "None sent",
            reminder.recipient_name if reminder else None,
            day_of(reminder.sent_at) if reminder and reminder.sent_at else None,
        ]


QUARTER_COLUMNS = [
    "Contract reference",
    "Measure",
    "Unit",
    "How the target works",
    "Quarter",
    "Expected",
    "Delivered (accepted)",
    "Note",
    # The fair-work shares, counted from the people in every quarter sent (design brief 5a).
    "Fair work share (%)",
    "Coverage (% of FTE)",
    "People counted",
    "People meeting it",
    "Real Living Wage (£ an hour)",
]


def quarter_rows(
    contract: Contract, trajectories: Iterable[Trajectory]
) -> Iterable[list[spreadsheets.Cell]]:
    """The table beside each chart: a running total for totals, the level for levels. A
    level's quarter awaiting review has no figure and says so, rather than a 0."""
    for line in trajectories:
        measure = line.commitment.measure
        for row in line.rows:
            yield [
                contract.reference,
                measure.name,
                measure.unit.label,
                measure.kind.label,
                row.label,
                row.expected,
                row.delivered,
                quarter_note(row) or ("Not due" if row.delivered is None else None),
                *[None] * 5,  # the fair-work columns
            ]


def fair_work_rows(
    contract: Contract, quarters: Iterable[fair_work.Quarter]
) -> Iterable[list[spreadsheets.Cell]]:
    """A row for each fair-work share of each quarter sent; the note says whether it is
    accepted yet, and why a share is not known."""
    for quarter in quarters:
        for kind, share in quarter.shares:
            state = "Accepted" if quarter.status is ReturnStatus.ACCEPTED else "Awaiting review"
            if share.percent is None:
                state += f"; not known: {fair_work.detail(kind, share)}"
            yield [
                contract.reference,
                kind.name,
                MeasureUnit.PERCENT.label,
                "Fair work: counted from the people in the return",
                quarter.label,
                None,
                None,
                state,
                share.percent,
                share.coverage,
                share.counted,
                share.meeting,
                quarter.living_wage,
            ]


ASSESSMENT_COLUMNS = [
    "Contract reference",
    "Contract title",
    "Supplier",
    "Assessment period from",
    "Assessment period to",
    "Quarters assessed",
    "KPI",
    "Unit",
    "Target over the contract",
    "Expected in the period",
    "Delivered in the period",
    "Delivery %",
    "KPI rating",
    "Contract rating",
    "Social value in the period (£)",
    "Price base year",
    "Explanation",
]


def assessment_rows(
    contract: Contract, result: PeriodAssessment, explained: AssessmentExplanation | None
) -> Iterable[list[spreadsheets.Cell]]:
    """One row per KPI: what a contract performance notice publishes."""
    for kpi in result.kpis:
        measure = kpi.commitment.measure
        assessment = kpi.assessment
        yield [
            contract.reference,
            contract.title,
            contract.supplier.name,
            result.span[0],
            result.span[1],
            ", ".join(result.quarters),
            measure.name,
            measure.unit.label,
            kpi.commitment.target,
            _cents(assessment.expected_to_date),
            _cents(assessment.delivered),
            _cents(assessment.delivery_pct),
            kpi.rating.label,
            result.rating.label,
            kpi.social_value,
            kpi.commitment.proxy_price_year,
            explained.explanation if explained else None,
        ]


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))
