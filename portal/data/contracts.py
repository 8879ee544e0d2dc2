"""Contracts and their commitments, always loaded through a query scoped to the user."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from portal.data import audit, organisations, versions
from portal.data.base import as_dict, utcnow
from portal.data.models import (
    Commitment,
    Contract,
    ContractState,
    LocalArea,
    Measure,
    Organisation,
    PlannedFigure,
    Return,
    ReturnLine,
    User,
)
from portal.data.pagination import Page, paginate
from portal.data.types import MeasureKind, OrganisationKind, Rating, ReturnStatus, Role
from portal.domain.contract_import import ImportPlan, Lookups
from portal.domain.contracts import ContractStatus
from portal.domain.profiles import Plan
from portal.extensions import db

AUDITED = (
    "reference",
    "title",
    "supplier_id",
    "manager_id",
    "value",
    "start_on",
    "end_on",
    "reporting_starts_on",
    "local_area_id",
    "is_kpi_contract",
    "uses_london_living_wage",
)
COMMITMENT_AUDITED = ("measure_id", "target", "note", "proxy_value", "proxy_price_year")
SORTS = ("reference", "supplier", "ends", "value", "rating", "latest_return")
# "Rating, worst first": contracts not yet rated (or never computed) come last.
RATING_ORDER = {
    Rating.INADEQUATE: 0,
    Rating.REQUIRES_IMPROVEMENT: 1,
    Rating.APPROACHING: 2,
    Rating.GOOD: 3,
}
# "Latest return, least progress first": no return at all comes first, accepted last.
LATEST_RETURN_ORDER = {
    ReturnStatus.DRAFT: 1,
    ReturnStatus.CHANGES_REQUESTED: 2,
    ReturnStatus.SUBMITTED: 3,
    ReturnStatus.ACCEPTED: 4,
}


class ReferenceInUse(ValueError):
    pass


@dataclass(frozen=True)
class ContractFilters:
    """What a contract list shows. The same filters drive the page and its exports."""

    today: date
    managed_by: int | None = None
    supplier_id: int | None = None
    supplier_name: str = ""  # all or part of it, in any case
    status: ContractStatus | None = None
    measure_id: int | None = None
    sort: str = "reference"


@dataclass(frozen=True)
class Standing:
    """A contract's stored rating and its latest return: the return of the most recent
    period it has one for (None when the supplier has started none)."""

    rating: Rating
    latest_return: ReturnStatus | None
    financial_year: int | None  # the latest return's period
    quarter: int | None


LatestReturn = aliased(Return, name="latest_return")


def _latest_return_id() -> Any:
    """The id of the contract's latest return: one probe of its (contract, year, quarter)
    index per contract, where grouping every return of the council would grow with history."""
    return (
        select(Return.id)
        .where(Return.contract_id == Contract.id)
        .order_by(Return.financial_year.desc(), Return.quarter.desc())
        .limit(1)
        .correlate(Contract)
        .scalar_subquery()
    )


def _standing_columns() -> tuple[Any, ...]:
    return (
        ContractState.rating,
        LatestReturn.status,
        LatestReturn.financial_year,
        LatestReturn.quarter,
    )


def _with_standing(query: Select[Any]) -> Select[Any]:
    return query.outerjoin(ContractState, ContractState.contract_id == Contract.id).outerjoin(
        LatestReturn, LatestReturn.id == _latest_return_id()
    )


def _standing(
    rating: Rating | None, status: ReturnStatus | None, year: int | None, quarter: int | None
) -> Standing:
    return Standing(rating or Rating.NOT_YET_RATED, status, year, quarter)


def standings(contract_ids: list[int]) -> dict[int, Standing]:
    """The rating and latest return of each of these contracts (a page of them): one query."""
    query = _with_standing(select(Contract.id, *_standing_columns())).where(
        Contract.id.in_(contract_ids)
    )
    return {row[0]: _standing(*row[1:]) for row in db.session.execute(query)}


def seen_by(user: User) -> ColumnElement[bool]:
    """The contracts a user may see: council staff their council's, suppliers their own. Every
    query of contracts, or of what belongs to them, is limited by this."""
    if user.role is Role.SUPPLIER_USER:
        return Contract.supplier_id == user.organisation_id
    return Contract.council_id == user.organisation_id


def visible_to(user: User) -> Select[Contract]:
    """Every contract query starts here."""
    return select(Contract).where(seen_by(user))


def get_for(user: User, contract_id: int) -> Contract | None:
    """The contract if this user may see it; None (a 404) whether it exists or not."""
    query = (
        visible_to(user)
        .where(Contract.id == contract_id)
        .options(
            joinedload(Contract.supplier),
            joinedload(Contract.manager),
            joinedload(Contract.local_area).selectinload(LocalArea.postcodes),
            selectinload(Contract.commitments).joinedload(Commitment.measure),
            selectinload(Contract.commitments).selectinload(Commitment.plan),
        )
    )
    return db.session.scalar(query)


def supplier_name_contains(text: str) -> ColumnElement[bool]:
    """Contracts whose supplier's name contains this text, whatever the case: the lists'
    supplier search, which scales where a drop-down of thousands of suppliers would not."""
    names = select(Organisation.id).where(
        func.lower(Organisation.name).contains(text.strip().lower(), autoescape=True)
    )
    return Contract.supplier_id.in_(names)


def _filtered(user: User, filters: ContractFilters, *, standing: bool = False) -> Select[Contract]:
    """The matching contracts in the order asked for; joined to their stored rating and
    latest return when that order (or the caller, with `standing`) needs them."""
    query = visible_to(user)
    if standing or filters.sort in ("rating", "latest_return"):
        query = _with_standing(query)
    if filters.managed_by is not None:
        query = query.where(Contract.manager_id == filters.managed_by)
    if filters.supplier_id is not None:
        query = query.where(Contract.supplier_id == filters.supplier_id)
    if filters.supplier_name:
        query = query.where(supplier_name_contains(filters.supplier_name))
    if filters.status is ContractStatus.NOT_STARTED:
        query = query.where(Contract.start_on > filters.today)
    elif filters.status is ContractStatus.ACTIVE:
        query = query.where(Contract.start_on <= filters.today, Contract.end_on >= filters.today)
    elif filters.status is ContractStatus.ENDED:
        query = query.where(Contract.end_on < filters.today)
    if filters.measure_id is not None:
        query = query.where(
            exists().where(
                Commitment.contract_id == Contract.id,
                Commitment.measure_id == filters.measure_id,
                Commitment.retired_at.is_(None),
            )
        )
    order = {
        "supplier": (func.lower(Organisation.name), Contract.reference),
        "ends": (Contract.end_on, Contract.reference),
        "value": (Contract.value.desc(), Contract.reference),
        "rating": (
            case(RATING_ORDER, value=ContractState.rating, else_=len(RATING_ORDER)),
            ContractState.mean_pct,
            Contract.reference,
        ),
        "latest_return": (
            case(LATEST_RETURN_ORDER, value=LatestReturn.status, else_=0),
            LatestReturn.financial_year,
            LatestReturn.quarter,
            Contract.reference,
        ),
    }.get(filters.sort, (Contract.reference,))
    if filters.sort == "supplier":
        query = query.join(Organisation, Organisation.id == Contract.supplier_id)
    return query.order_by(*order, Contract.id)


def list_for(user: User, filters: ContractFilters, *, page: int) -> Page[Contract]:
    query = _filtered(user, filters).options(
        joinedload(Contract.supplier), joinedload(Contract.manager)
    )
    return paginate(query, page)


def export_for(user: User, filters: ContractFilters) -> Iterator[tuple[Contract, Standing]]:
    """Every matching contract with its standing, streamed in batches, with what an export
    row needs."""
    query = (
        _filtered(user, filters, standing=True)
        .add_columns(*_standing_columns())
        .options(
            joinedload(Contract.supplier),
            joinedload(Contract.manager),
            selectinload(Contract.commitments).joinedload(Commitment.measure),
        )
    )
    for row in db.session.execute(query.execution_options(yield_per=500)):
        yield row[0], _standing(*row[1:])


def count_commitments(contract_ids: list[int]) -> dict[int, int]:
    query = (
        select(Commitment.contract_id, func.count())
        .where(Commitment.contract_id.in_(contract_ids), Commitment.retired_at.is_(None))
        .group_by(Commitment.contract_id)
    )
    return {contract_id: count for contract_id, count in db.session.execute(query)}


def reference_taken(council_id: int, reference: str, except_id: int | None = None) -> bool:
    query = select(Contract.id).where(
        Contract.council_id == council_id,
        func.lower(Contract.reference) == reference.strip().lower(),
    )
    if except_id is not None:
        query = query.where(Contract.id != except_id)
    return db.session.scalar(query) is not None


def existing_references(council_id: int, references: list[str]) -> set[str]:
    """Which of these references (compared without case) the council already uses."""
    lowered = {reference.lower() for reference in references}
    query = select(func.lower(Contract.reference)).where(
        Contract.council_id == council_id, func.lower(Contract.reference).in_(lowered)
    )
    return set(db.session.scalars(query))


def create(
    *,
    council: Organisation,
    reference: str,
    title: str,
    supplier: Organisation,
    manager: User,
    value: Decimal,
    start_on: date,
    end_on: date,
    is_kpi_contract: bool,
    reporting_starts_on: date | None = None,
    local_area: LocalArea | None = None,
    uses_london_living_wage: bool | None = None,
    by: User | None,
) -> Contract:
    if reference_taken(council.id, reference):
        raise ReferenceInUse(reference)
    contract = Contract(
        council_id=council.id,
        reference=reference.strip(),
        title=title.strip(),
        supplier_id=supplier.id,
        manager_id=manager.id,
        value=value,
        start_on=start_on,
        end_on=end_on,
        reporting_starts_on=reporting_starts_on,
        local_area_id=local_area.id if local_area else None,
        is_kpi_contract=is_kpi_contract,
        uses_london_living_wage=uses_london_living_wage,
    )
    db.session.add(contract)
    db.session.flush()
    audit.record(
        by,
        "created",
        "contract",
        contract.id,
        after=as_dict(contract, *AUDITED),
        contract_id=contract.id,
    )
    return contract


def update(contract: Contract, *, by: User, **changes: Any) -> None:
    """Change some of the AUDITED fields; records before and after if anything changed."""
    if "reference" in changes and reference_taken(
        contract.council_id, changes["reference"], except_id=contract.id
    ):
        raise ReferenceInUse(changes["reference"])
    before = as_dict(contract, *AUDITED)
    for field, value in changes.items():
        if field not in AUDITED:
            raise ValueError(f"{field} is not a contract field")
        setattr(contract, field, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    after = as_dict(contract, *AUDITED)
    if before != after:
        audit.record(
            by,
            "updated",
            "contract",
            contract.id,
            before=before,
            after=after,
            contract_id=contract.id,
        )


# Commitments


def get_commitment(contract: Contract, commitment_id: int) -> Commitment | None:
    """A commitment of a contract already loaded through a scoped query."""
    return next((c for c in contract.commitments if c.id == commitment_id), None)


def add_commitment(
    contract: Contract, measure: Measure, *, target: Decimal, note: str = "", by: User | None
) -> Commitment:
    # The proxy value is copied when the promise is made and never follows later catalogue edits.
    commitment = Commitment(
        measure_id=measure.id,
        target=target,
        note=note.strip(),
        proxy_value=measure.proxy_value,
        proxy_price_year=measure.proxy_price_year,
    )
    # Through the loaded contract, so that what is computed next in this request sees it.
    contract.commitments.append(commitment)
    db.session.flush()
    # Returns still being written gain a line for the new promise; sent ones are history.
    for open_return in db.session.scalars(
        select(Return).where(
            Return.contract_id == contract.id,
            Return.status.in_([ReturnStatus.DRAFT, ReturnStatus.CHANGES_REQUESTED]),
        )
    ):
        open_return.lines.append(ReturnLine(commitment_id=commitment.id))
    audit.record(
        by,
        "created",
        "commitment",
        commitment.id,
        after={**as_dict(commitment, *COMMITMENT_AUDITED), "measure": measure.name},
        contract_id=contract.id,
    )
    return commitment


def change_commitment(
    commitment: Commitment, *, target: Decimal, note: str, by: User, reason: str | None
) -> None:
    before = as_dict(commitment, "target", "note")
    commitment.target = target
    commitment.note = note.strip()
    db.session.flush()
    after = as_dict(commitment, "target", "note")
    if before != after:
        audit.record(
            by,
            "updated",
            "commitment",
            commitment.id,
            before=before,
            after=after,
            contract_id=commitment.contract_id,
            reason=reason or None,
        )


def retire_commitment(commitment: Commitment, *, by: User, reason: str) -> None:
    commitment.retired_at = utcnow()
    commitment.retired_reason = reason.strip()
    audit.record(
        by,
        "retired",
        "commitment",
        commitment.id,
        before={"retired": False},
        after={"retired": True},
        contract_id=commitment.contract_id,
        reason=reason.strip(),
    )


def reinstate_commitment(commitment: Commitment, *, by: User) -> None:
    commitment.retired_at = None
    commitment.retired_reason = None
    audit.record(
        by,
        "reinstated",
        "commitment",
        commitment.id,
        before={"retired": True},
        after={"retired": False},
        contract_id=commitment.contract_id,
    )


def profile_of(commitment: Commitment) -> Plan:
    """The commitment's profile: figure per (financial year, quarter); empty for the even
    spread."""
    return {(p.financial_year, p.quarter): p.planned for p in commitment.plan}


def save_plan(
    commitment: Commitment,
    planned: Plan | None,
    *,
    by: User,
    reason: str | None = None,
) -> bool:
    """Replace the commitment's per-period profile; None goes back to the even spread.
    Records before and after, and says whether anything changed."""
    before = _plan_as_dict(commitment)
    commitment.plan = [
        PlannedFigure(financial_year=year, quarter=quarter, planned=figure)
        for (year, quarter), figure in sorted((planned or {}).items())
    ]
    db.session.flush()
    after = _plan_as_dict(commitment)
    if before == after:
        return False
    versions.moved_on(commitment)  # the profile is rows of its own: an open edit page is stale
    audit.record(
        by,
        "profile changed",
        "commitment",
        commitment.id,
        before=before or None,
        after=after or None,
        contract_id=commitment.contract_id,
        reason=reason or None,
    )
    return True


def _plan_as_dict(commitment: Commitment) -> dict[str, str]:
    return {
        f"{p.financial_year} Q{p.quarter}": str(p.planned.quantize(Decimal("0.01")))
        for p in commitment.plan
    }


def profiled_commitments(kind: MeasureKind, *, batch: int = 500) -> Iterator[Commitment]:
    """Every commitment of this kind that has a profile, with its contract, measure and
    profile: two queries for each batch, whatever the number of commitments."""
    after = 0
    while True:
        query = (
            select(Commitment)
            .join(Commitment.measure)
            .where(
                Measure.kind == kind,
                Commitment.id > after,
                exists().where(PlannedFigure.commitment_id == Commitment.id),
            )
            .options(
                contains_eager(Commitment.measure),
                joinedload(Commitment.contract),
                selectinload(Commitment.plan),
            )
            .order_by(Commitment.id)
            .limit(batch)
        )
        found = list(db.session.scalars(query))
        yield from found
        if len(found) < batch:
            return
        after = found[-1].id


def first_sent_period(contract_id: int) -> Return | None:
    """The earliest return the supplier has sent: reporting cannot start after its period."""
    query = (
        select(Return)
        .where(Return.contract_id == contract_id, Return.status != ReturnStatus.DRAFT)
        .order_by(Return.period_starts_on)
        .limit(1)
    )
    return db.session.scalar(query)


def measures_committed(council_id: int) -> list[Measure]:
    """Measures used by at least one of the council's contracts, for the list filter."""
    query = (
        select(Measure)
        .where(
            Measure.council_id == council_id,
            exists().where(Commitment.measure_id == Measure.id),
        )
        .order_by(Measure.name)
    )
    return list(db.session.scalars(query))


# Bulk import


def import_lookups(council_id: int, references: list[str]) -> Lookups:
    """Everything an import's rows may name, in five queries whatever the file's size."""
    # Every organisation's name is taken, but only the council's own suppliers can be named.
    named = db.session.execute(
        select(
            func.lower(Organisation.name),
            Organisation.id,
            Organisation.kind,
            organisations.supplier_of(council_id),
        )
    ).all()
    managers = db.session.execute(
        select(User.email, User.id).where(
            User.organisation_id == council_id,
            User.role.in_([Role.CONTRACT_MANAGER, Role.ADMINISTRATOR]),
            User.deactivated_at.is_(None),
        )
    )
    catalogue = db.session.execute(
        select(Measure.code, Measure.id, Measure.retired_at, Measure.kind, Measure.unit).where(
            Measure.council_id == council_id
        )
    ).all()
    areas = db.session.execute(
        select(func.lower(LocalArea.name), LocalArea.id).where(LocalArea.council_id == council_id)
    )
    return Lookups(
        suppliers={name: id_ for name, id_, _, ours in named if ours},
        managers={email: id_ for email, id_ in managers},
        measures={
            code: (id_, retired is not None, kind) for code, id_, retired, kind, _ in catalogue
        },
        local_areas={name: id_ for name, id_ in areas},
        existing_references=existing_references(council_id, references),
        councils={name for name, _, kind, _ in named if kind is OrganisationKind.COUNCIL},
        others_suppliers={
            name for name, _, kind, ours in named if kind is OrganisationKind.SUPPLIER and not ours
        },
        most={code: (unit.most, unit) for code, *_, unit in catalogue if unit.most is not None},
    )


def save_import(council_id: int, plan: ImportPlan, *, by: User) -> list[int]:
    """Create every new supplier, contract, commitment and profile of a checked plan; the
    caller commits once. Returns the new contracts' ids."""
    created = []
    wanted = {c.measure_id for row in plan.contracts for c in row.commitments}
    measures = {m.id: m for m in db.session.scalars(select(Measure).where(Measure.id.in_(wanted)))}
    added = {
        supplier.name.lower(): organisations.create(
            name=supplier.name,
            kind=OrganisationKind.SUPPLIER,
            is_sme=supplier.is_sme,
            is_vcse=supplier.is_vcse,
            postcode=supplier.postcode,
            by=by,
        ).id
        for supplier in plan.new_suppliers
    }
    for row in plan.contracts:
        supplier_id = added[row.new_supplier.name.lower()] if row.new_supplier else row.supplier_id
        contract = Contract(
            council_id=council_id,
            reference=row.reference,
            title=row.title,
            supplier_id=supplier_id,
            manager_id=row.manager_id,
            value=row.value,
            start_on=row.start_on,
            end_on=row.end_on,
            reporting_starts_on=row.reporting_starts_on,
            local_area_id=row.local_area_id,
            is_kpi_contract=row.is_kpi_contract,
        )
        db.session.add(contract)
        db.session.flush()
        created.append(contract.id)
        audit.record(
            by,
            "imported",
            "contract",
            contract.id,
            after=as_dict(contract, *AUDITED),
            contract_id=contract.id,
        )
        for planned in row.commitments:
            commitment = add_commitment(
                contract,
                measures[planned.measure_id],
                target=planned.target,
                note=planned.note,
                by=by,
            )
            if planned.profile is not None:
                save_plan(commitment, planned.profile, by=by)
    return created
