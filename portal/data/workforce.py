"""Anonymised workforce entries of a return, and claims on the same workers elsewhere."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import cast

from sqlalchemy import Select, Table, delete, func, insert, select
from sqlalchemy.orm import defer

from portal.data.models import Contract, KeptSchedule, Return, WorkforceEntry
from portal.data.pagination import Page, paginate
from portal.domain import schedules
from portal.domain.counting import Claim, WorkforceRecord
from portal.extensions import db

FIELDS = (
    "worker_reference",
    "postcode_sector",
    "age_band",
    "starts_on",
    "ends_on",
    "weekly_hours",
    "share_on_contract",
    "is_new_hire",
    "apprenticeship_level",
    "apprenticeship_standard",
    "hourly_pay",
    "contract_type",
    "guaranteed_hours",
)


def _entries_query(return_id: int) -> Select[WorkforceEntry]:
    return (
        select(WorkforceEntry)
        .where(WorkforceEntry.return_id == return_id)
        .order_by(WorkforceEntry.worker_reference, WorkforceEntry.starts_on, WorkforceEntry.id)
    )


def entries_of(return_id: int) -> list[WorkforceEntry]:
    return list(db.session.scalars(_entries_query(return_id)))


def page_of(return_id: int, page: int) -> Page[WorkforceEntry]:
    """One page of the return's people, in the order of the whole list (two queries)."""
    return paginate(_entries_query(return_id), page)


def records_of(return_id: int) -> list[WorkforceRecord]:
    """The return's people as plain records, read as rows: for counting thousands of them,
    without the cost of an ORM object each."""
    query = _entries_query(return_id).with_only_columns(
        *(getattr(WorkforceEntry, field) for field in FIELDS)
    )
    return [WorkforceRecord(*row) for row in db.session.execute(query)]


def records_by_return(return_ids: Sequence[int]) -> dict[int, list[WorkforceRecord]]:
    """records_of for many returns in one query (a return with nobody is left out)."""
    query = (
        select(WorkforceEntry.return_id, *(getattr(WorkforceEntry, field) for field in FIELDS))
        .where(WorkforceEntry.return_id.in_(return_ids))
        .order_by(WorkforceEntry.worker_reference, WorkforceEntry.starts_on, WorkforceEntry.id)
    )
    found: dict[int, list[WorkforceRecord]] = defaultdict(list)
    for return_id, *fields in db.session.execute(query):
        found[return_id].append(WorkforceRecord(*fields))
    return found


def count(return_id: int) -> int:
    query = select(func.count()).where(WorkforceEntry.return_id == return_id)
    return db.session.scalar(query) or 0


def add(return_id: int, record: WorkforceRecord) -> WorkforceEntry:
    entry = WorkforceEntry(
        return_id=return_id, **{field: getattr(record, field) for field in FIELDS}
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def has_entry(return_id: int, worker_reference: str, starts_on: object) -> bool:
    query = select(WorkforceEntry.id).where(
        WorkforceEntry.return_id == return_id,
        WorkforceEntry.worker_reference == worker_reference,
        WorkforceEntry.starts_on == starts_on,
    )
    return db.session.scalar(query) is not None


def remove(return_id: int, entry_id: int) -> bool:
    removed = db.session.execute(
        delete(WorkforceEntry).where(
            WorkforceEntry.id == entry_id, WorkforceEntry.return_id == return_id
        )
    )
    return bool(removed.rowcount)  # type: ignore[attr-defined]


def replace_all(return_id: int, records: Sequence[WorkforceRecord]) -> None:
    """The period's whole schedule in one bulk insert: thousands of rows in under a second.

    A Core insert of the table, not the ORM's: the ORM leaves out a row's None values and
    sends each run of rows with the same columns as a statement of its own (thousands of
    round trips on PostgreSQL when end dates, apprenticeships and pay are only sometimes
    given); Core gives the driver every row with every column in one executemany."""
    db.session.execute(delete(WorkforceEntry).where(WorkforceEntry.return_id == return_id))
    if records:
        db.session.execute(
            insert(cast(Table, WorkforceEntry.__table__)),
            [{"return_id": return_id, **{f: getattr(r, f) for f in FIELDS}} for r in records],
        )


PENDING = "pending"  # an upload waiting for the supplier to confirm it
PREVIOUS = "previous"  # the list the last confirmed upload replaced


def kept(return_id: int, kind: str) -> KeptSchedule | None:
    query = select(KeptSchedule).where(
        KeptSchedule.return_id == return_id, KeptSchedule.kind == kind
    )
    return db.session.scalar(query)


def kept_aside(return_id: int) -> dict[str, KeptSchedule]:
    """Every list kept aside for the return, by kind, without their records (one query)."""
    query = (
        select(KeptSchedule)
        .where(KeptSchedule.return_id == return_id)
        .options(defer(KeptSchedule.records))
    )
    return {kept.kind: kept for kept in db.session.scalars(query)}


def kept_records(schedule: KeptSchedule) -> list[WorkforceRecord]:
    return [schedules.from_json(record) for record in schedule.records]


def keep(return_id: int, kind: str, records: Sequence[WorkforceRecord]) -> None:
    """Keep a list aside, in place of any list of the same kind kept before."""
    discard(return_id, kind)
    db.session.add(
        KeptSchedule(
            return_id=return_id,
            kind=kind,
            records=[schedules.to_json(record) for record in records],
            people=len(records),
        )
    )
    db.session.flush()


def discard(return_id: int, *kinds: str) -> None:
    db.session.execute(
        delete(KeptSchedule).where(
            KeptSchedule.return_id == return_id, KeptSchedule.kind.in_(kinds)
        )
    )


def still_engaged(records: Sequence[WorkforceRecord], on: object) -> list[WorkforceRecord]:
    """Last quarter's people who had not left before this quarter starts."""
    return [r for r in records if r.ends_on is None or r.ends_on >= on]  # type: ignore[operator]


def claims_elsewhere(ret: Return, worker_references: set[str]) -> list[Claim]:
    """The same workers claimed in the same quarter on the supplier's other contracts."""
    if not worker_references:
        return []
    query = (
        select(WorkforceEntry, Return.contract_id)
        .join(Return, Return.id == WorkforceEntry.return_id)
        .join(Contract, Contract.id == Return.contract_id)
        .where(
            Contract.supplier_id == ret.contract.supplier_id,
            Return.contract_id != ret.contract_id,
            Return.financial_year == ret.financial_year,
            Return.quarter == ret.quarter,
            WorkforceEntry.worker_reference.in_(worker_references),
        )
    )
    return [
        Claim(e.worker_reference, contract_id, e.starts_on, e.ends_on, e.share_on_contract)
        for e, contract_id in db.session.execute(query)
    ]


def contract_references(contract_ids: Collection[int]) -> dict[int, tuple[str, int]]:
    """Contract id -> (reference, council id), to say which contracts a worker is claimed on."""
    if not contract_ids:
        return {}
    query = select(Contract.id, Contract.reference, Contract.council_id).where(
        Contract.id.in_(contract_ids)
    )
    return {
        id_: (reference, council_id) for id_, reference, council_id in db.session.execute(query)
    }
