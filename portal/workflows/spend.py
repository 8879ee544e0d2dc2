"""Loading a council's published spend files (design brief section 5b).

A file whose content was loaded before adds nothing. Any other is all or nothing: read as a
stream, its payments go in chunk by chunk inside a savepoint, which is rolled back if any row is
refused (the rest are still read, so every problem is listed) or if its payment dates overlap
payments already loaded and replacing them was not asked for. The whole load is one transaction,
committed at the end: the files that loaded, the columns they were read with (remembered for the
council's next load) and an audit record per file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import SessionTransaction

from portal.config import current_settings
from portal.data import audit, commit, organisations
from portal.data import spend as store
from portal.data.models import Organisation, SpendFile, SpendUpload, User
from portal.domain.periods import financial_quarter, long_date
from portal.domain.spend import SpendField, choose_columns, columns_by_header
from portal.extensions import db
from portal.formatting import count, money
from portal.spend_files import SpendRow, find_header, read_spend_file
from portal.spreadsheets import UnreadableFile

Columns = Mapping[SpendField, str]  # field -> the header text of its column


class Outcome(StrEnum):
    LOADED = "loaded"
    ALREADY_LOADED = "already_loaded"  # the same content: adds nothing
    OVERLAPS = "overlaps"  # payments on its dates are loaded: replace them, or leave it
    REFUSED = "refused"  # rows (or the file itself) could not be read: nothing saved


@dataclass(frozen=True)
class RowProblem:
    row: int | None  # as the file shows it; None for the file as a whole
    messages: tuple[str, ...]


@dataclass(frozen=True)
class FileSummary:
    filename: str
    outcome: Outcome
    payments: int = 0  # read from the file (also when it overlaps)
    net_total: Decimal = Decimal(0)
    first_paid_on: date | None = None
    last_paid_on: date | None = None
    columns: Mapping[SpendField, str] = field(default_factory=dict)  # the columns read
    problems: tuple[RowProblem, ...] = ()  # REFUSED
    # OVERLAPS: the payments already loaded on its dates, and their files; LOADED with
    # replace_overlap: the payments it replaced.
    overlapping: int = 0
    overlapping_files: tuple[str, ...] = ()
    replaced: int = 0
    file_id: int | None = None  # LOADED and ALREADY_LOADED
    loaded_on: date | None = None  # ALREADY_LOADED: when it was first loaded
    payees_created: int = 0

    @property
    def span(self) -> str:
        if self.first_paid_on is None or self.last_paid_on is None:
            return ""
        if self.first_paid_on == self.last_paid_on:
            return long_date(self.first_paid_on)
        return f"{long_date(self.first_paid_on)} to {long_date(self.last_paid_on)}"

    def lines(self) -> list[str]:
        """The summary as the command line prints it (and a page may list it)."""
        if self.outcome is Outcome.LOADED:
            replaced = (
                f", replacing {count(self.replaced, 'payment')} already loaded on those dates"
                if self.replaced
                else ""
            )
            return [
                f"{self.filename}: {count(self.payments, 'payment')} added, net total "
                f"{money(self.net_total)}, paid {self.span}{replaced}"
            ]
        if self.outcome is Outcome.ALREADY_LOADED:
            when = f" on {long_date(self.loaded_on)}" if self.loaded_on else ""
            return [f"{self.filename}: already loaded{when}; nothing added"]
        if self.outcome is Outcome.OVERLAPS:
            return [
                f"{self.filename}: not loaded: payments dated {self.span} are already loaded "
                f"({count(self.overlapping, 'payment')} from {', '.join(self.overlapping_files)}); "
                "load it again choosing to replace them"
            ]
        lines = [f"{self.filename}: not loaded: nothing from this file was saved"]
        for problem in self.problems:
            where = f"row {problem.row}" if problem.row is not None else "file"
            lines.extend(f"  {where}: {message}" for message in problem.messages)
        return lines


@dataclass(frozen=True)
class ColumnsPreview:
    """What an upload page shows a person to confirm before loading: the file's headers and
    the column proposed for each field."""

    header_row: int  # as the file shows it
    headers: tuple[str, ...]
    columns: dict[SpendField, str]  # field -> header text, for the fields found
    remembered: bool  # the council's remembered columns (else proposed from the headers)
    problems: tuple[str, ...]  # a required field with no column: the person must choose


def preview_columns(council: Organisation, data: bytes) -> ColumnsPreview:
    """The columns the council's remembered ones, or else a proposal, find in this file, as
    load_files would read it with no columns given. UnreadableFile if it is not a table."""
    header = find_header(data)
    remembered = store.remembered_columns(council.id)
    positions, problems = choose_columns(header.headers, remembered, may_propose=True)
    return ColumnsPreview(
        header_row=header.row,
        headers=header.headers,
        columns={field: header.headers[column] for field, column in positions.items()},
        remembered=remembered is not None and not columns_by_header(header.headers, remembered)[1],
        problems=tuple(problems),
    )


def load_files(
    council: Organisation,
    files: Sequence[tuple[str, bytes]],
    columns: Columns | None = None,
    *,
    by: User | None,
    replace_overlap: bool = False,
    progress: Callable[[int, int, FileSummary], None] | None = None,
) -> list[FileSummary]:
    """Load each (file name, content) for the council, in order, and commit.

    columns: the column of each field by header text, as a person confirmed it; None takes the
    council's remembered columns when a file has them all, else proposes them from the file's
    headers. The columns a loaded file was read with are remembered. replace_overlap: a file
    whose first-to-last payment dates overlap payments already loaded replaces those payments
    (in the same transaction); without it, such a file is left out and says so. progress, if
    given, is called after each file with (files done, files in all, the file's summary)."""
    summaries = _load(
        council, files, columns, by=by, replace_overlap=replace_overlap, progress=progress
    )
    commit()
    return summaries


def load_upload(
    upload: SpendUpload,
    columns: Columns | None = None,
    *,
    by: User,
    replace_overlap: bool = False,
    progress: Callable[[int, int, FileSummary], None] | None = None,
    file_columns: Sequence[Columns] | None = None,
) -> list[FileSummary]:
    """Load the files kept by an upload page, as load_files does, and commit. A file whose dates
    overlap payments already loaded is kept, for the person to say whether to replace them
    (load_upload again with replace_overlap); the others are done with (loaded, already loaded,
    or refused: a refused file is corrected and uploaded again) and go, and the upload with
    its last file. file_columns: instead of columns, each file's own, in the upload's order
    (an upload may hold files in several layouts, each confirmed by the person)."""
    council = organisations.get(upload.council_id)
    assert council is not None  # a foreign key
    if file_columns is not None and len(file_columns) != len(upload.files):
        raise ValueError("file_columns must give the columns of each file of the upload")
    summaries = _load(
        council,
        store.upload_contents(upload),
        columns,
        by=by,
        replace_overlap=replace_overlap,
        progress=progress,
        file_columns=file_columns,
    )
    store.discard_upload_files(
        upload,
        {
            kept.position
            for kept, summary in zip(upload.files, summaries, strict=True)
            if summary.outcome is not Outcome.OVERLAPS
        },
    )
    commit()
    return summaries


def _load(
    council: Organisation,
    files: Sequence[tuple[str, bytes]],
    columns: Columns | None,
    *,
    by: User | None,
    replace_overlap: bool,
    progress: Callable[[int, int, FileSummary], None] | None,
    file_columns: Sequence[Columns] | None = None,
) -> list[FileSummary]:
    chosen_by_person = columns is not None or file_columns is not None
    remembered = None if chosen_by_person else store.remembered_columns(council.id)
    matcher = store.PayeeMatcher(council.id)
    start_month = current_settings().financial_year_start_month
    summaries: list[FileSummary] = []
    used: Columns | None = None
    for index, (filename, data) in enumerate(files):
        for attempt in (1, 2):
            try:
                given = file_columns[index] if file_columns is not None else columns
                summary = _load_file(
                    council,
                    filename,
                    data,
                    given if chosen_by_person else remembered,
                    fall_back_to_proposal=not chosen_by_person,
                    by=by,
                    replace_overlap=replace_overlap,
                    matcher=matcher,
                    start_month=start_month,
                )
                break
            except IntegrityError:
                # Another load committed the same file, or a payee of the same name, while
                # this one was reading (PostgreSQL waits for it, then refuses the duplicate):
                # read the file again, seeing what it saved. Twice is a real fault.
                if attempt == 2:
                    raise
                matcher.forget_all()
        summaries.append(summary)
        if progress is not None:
            progress(index + 1, len(files), summary)
        if summary.outcome is Outcome.LOADED:
            used = summary.columns
    if used is not None:
        store.remember_columns(council.id, used)
        # Suppliers that joined the portal after their payees were loaded are proposed too.
        store.propose_organisations(council.id)
    return summaries


def _load_file(
    council: Organisation,
    filename: str,
    data: bytes,
    columns: Columns | None,
    *,
    fall_back_to_proposal: bool,
    by: User | None,
    replace_overlap: bool,
    matcher: store.PayeeMatcher,
    start_month: int,
) -> FileSummary:
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = store.file_with_hash(council.id, sha256)
    if earlier is not None:
        return FileSummary(
            filename,
            Outcome.ALREADY_LOADED,
            payments=earlier.payments,
            net_total=earlier.net_total,
            first_paid_on=earlier.first_paid_on,
            last_paid_on=earlier.last_paid_on,
            file_id=earlier.id,
            loaded_on=earlier.loaded_at.date(),
        )
    try:
        chosen = _columns_for(data, columns, fall_back_to_proposal=fall_back_to_proposal)
    except _Refused as refused:
        return FileSummary(filename, Outcome.REFUSED, problems=refused.problems)
    positions, names = chosen

    savepoint = db.session.begin_nested()
    matcher.checkpoint()
    try:
        return _read_into(
            savepoint,
            council,
            filename,
            data,
            sha256,
            positions,
            names,
            by=by,
            replace_overlap=replace_overlap,
            matcher=matcher,
            start_month=start_month,
        )
    except BaseException:
        savepoint.rollback()  # open (perhaps failed) here: the summaries return before it ends
        matcher.forget_since_checkpoint()
        raise


def _read_into(
    savepoint: SessionTransaction,
    council: Organisation,
    filename: str,
    data: bytes,
    sha256: str,
    positions: Mapping[SpendField, int],
    names: Mapping[SpendField, str],
    *,
    by: User | None,
    replace_overlap: bool,
    matcher: store.PayeeMatcher,
    start_month: int,
) -> FileSummary:
    spend_file = store.start_file(
        council.id, filename=filename, sha256=sha256, by_id=by.id if by else None
    )
    reading = _Reading(council.id, spend_file.id, matcher, start_month)
    try:
        reading.read(read_spend_file(data, positions))
    except UnreadableFile as error:  # a limit reached part way through
        reading.problems.append(RowProblem(None, (str(error),)))

    def left_out(summary: FileSummary) -> FileSummary:
        savepoint.rollback()
        matcher.forget_since_checkpoint()
        return summary

    if reading.problems or reading.first is None or reading.last is None:
        problems = tuple(reading.problems) or (
            RowProblem(None, ("The selected file has no payments in it",)),
        )
        return left_out(FileSummary(filename, Outcome.REFUSED, columns=names, problems=problems))
    first, last = reading.first, reading.last
    loaded = store.loaded_between(council.id, first, last, except_file_id=spend_file.id)
    if loaded.payments and not replace_overlap:
        return left_out(
            FileSummary(
                filename,
                Outcome.OVERLAPS,
                payments=reading.payments,
                net_total=reading.total,
                first_paid_on=first,
                last_paid_on=last,
                columns=names,
                overlapping=loaded.payments,
                overlapping_files=loaded.filenames,
            )
        )
    replaced = (
        store.delete_between(council.id, first, last, except_file_id=spend_file.id)
        if loaded.payments
        else 0
    )
    store.finish_file(
        spend_file, payments=reading.payments, net_total=reading.total, first=first, last=last
    )
    _audit(spend_file, by, names, replaced, loaded.filenames)
    savepoint.commit()
    return FileSummary(
        filename,
        Outcome.LOADED,
        payments=reading.payments,
        net_total=reading.total,
        first_paid_on=first,
        last_paid_on=last,
        columns=names,
        replaced=replaced,
        overlapping=loaded.payments,
        overlapping_files=loaded.filenames,
        file_id=spend_file.id,
        payees_created=reading.payees_created,
    )


class _Refused(Exception):
    def __init__(self, *problems: RowProblem) -> None:
        self.problems = problems


def _columns_for(
    data: bytes, columns: Columns | None, *, fall_back_to_proposal: bool
) -> tuple[dict[SpendField, int], dict[SpendField, str]]:
    """Each field's column position in the file, and its header text."""
    try:
        header = find_header(data)
    except UnreadableFile as error:
        raise _Refused(RowProblem(None, (str(error),))) from error
    positions, problems = choose_columns(header.headers, columns, may_propose=fall_back_to_proposal)
    if problems:
        raise _Refused(RowProblem(header.row, tuple(problems)))
    return positions, {field: header.headers[column] for field, column in positions.items()}


class _Reading:
    """The rows of one file going in, a chunk at a time, with their counts; once a row is
    refused, the rest are only checked (their problems listed), never saved."""

    def __init__(
        self, council_id: int, file_id: int, matcher: store.PayeeMatcher, start_month: int
    ) -> None:
        self.council_id = council_id
        self.file_id = file_id
        self.matcher = matcher
        self.start_month = start_month
        self.problems: list[RowProblem] = []
        self.payments = 0
        self.total = Decimal(0)
        self.first: date | None = None
        self.last: date | None = None
        self.payees_created = 0
        self._years: dict[date, int] = {}

    def read(self, rows: Iterator[tuple[int, SpendRow | tuple[str, ...]]]) -> None:
        chunk: list[tuple[int, SpendRow]] = []
        for number, row in rows:
            if not isinstance(row, SpendRow):
                self.problems.append(RowProblem(number, row))
                chunk = []
                continue
            self.payments += 1
            self.total += row.amount
            if self.first is None or row.paid_on < self.first:
                self.first = row.paid_on
            if self.last is None or row.paid_on > self.last:
                self.last = row.paid_on
            if self.problems:
                continue
            chunk.append((number, row))
            if len(chunk) >= store.CHUNK:
                self._save(chunk)
                chunk = []
        if not self.problems:
            self._save(chunk)

    def _save(self, chunk: list[tuple[int, SpendRow]]) -> None:
        if not chunk:
            return
        created_before = self.matcher.created
        payee_ids = self.matcher.payee_ids(
            dict.fromkeys(row.supplier_name for _, row in chunk if not row.redacted)
        )
        self.payees_created += self.matcher.created - created_before
        store.add_payments([self._values(number, row, payee_ids) for number, row in chunk])

    def _values(self, number: int, row: SpendRow, payee_ids: dict[str, int]) -> dict[str, Any]:
        year = self._years.get(row.paid_on)
        if year is None:
            year = self._years[row.paid_on] = financial_quarter(
                row.paid_on, start_month=self.start_month
            )[0]
        return {
            "council_id": self.council_id,
            "file_id": self.file_id,
            "row_number": number,
            "financial_year": year,
            "paid_on": row.paid_on,
            "amount": row.amount,
            "supplier_name": row.supplier_name,
            "payee_id": None if row.redacted else payee_ids[row.supplier_name],
            "transaction_number": row.transaction_number,
            "service_area": row.service_area,
            "expense_type": row.expense_type,
            "published_supplier_id": row.supplier_id,
        }


def _audit(
    spend_file: SpendFile,
    by: User | None,
    names: Mapping[SpendField, str],
    replaced: int,
    replaced_files: Sequence[str],
) -> None:
    after: dict[str, Any] = {
        "filename": spend_file.filename,
        "sha256": spend_file.sha256,
        "payments": spend_file.payments,
        "net_total": str(spend_file.net_total),
        "first_paid_on": spend_file.first_paid_on and spend_file.first_paid_on.isoformat(),
        "last_paid_on": spend_file.last_paid_on and spend_file.last_paid_on.isoformat(),
        "columns": {field.value: header for field, header in names.items()},
    }
    if replaced:
        after |= {"replaced_payments": replaced, "replaced_from": list(replaced_files)}
    audit.record(by, "loaded", "spend_file", spend_file.id, after=after)
