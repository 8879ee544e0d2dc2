"""Contracts and their commitments, always loaded through a query scoped to the user."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.data import audit
from portal.data.base import as_dict
from portal.data.models import Commitment, Contract, LocalArea, Measure, Organisation, User
from portal.data.pagination import Page, paginate
from portal.data.types import Role
from portal.extensions import db

AUDITED = (
    "reference",
    "title",
    "supplier_id",
    "manager_id",
    "value",
    "start_on",
    "end_on",
    "local_area_id",
    "is_kpi_contract",
)


def visible_to(user: User) -> Select[Contract]:
    """Every contract query starts here: council staff see their council's, suppliers their own."""
    query = select(Contract)
    if user.role is Role.SUPPLIER_USER:
        return query.where(Contract.supplier_id == user.organisation_id)
    return query.where(Contract.council_id == user.organisation_id)


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
        )
    )
    return db.session.scalar(query)


def list_for(
    user: User, *, page: int, managed_by: int | None = None, supplier_id: int | None = None
) -> Page[Contract]:
    query = visible_to(user).options(joinedload(Contract.supplier), joinedload(Contract.manager))
    if managed_by is not None:
        query = query.where(Contract.manager_id == managed_by)
    if supplier_id is not None:
        query = query.where(Contract.supplier_id == supplier_id)
    return paginate(query.order_by(Contract.reference, Contract.id), page)


def count_commitments(contract_ids: list[int]) -> dict[int, int]:
    query = (
        select(Commitment.contract_id, func.count())
        .where(Commitment.contract_id.in_(contract_ids))
        .group_by(Commitment.contract_id)
    )
    return {contract_id: count for contract_id, count in db.session.execute(query)}


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
    local_area: LocalArea | None = None,
    by: User | None,
) -> Contract:
    contract = Contract(
        council_id=council.id,
        reference=reference.strip(),
        title=title.strip(),
        supplier_id=supplier.id,
        manager_id=manager.id,
        value=value,
        start_on=start_on,
        end_on=end_on,
        local_area_id=local_area.id if local_area else None,
        is_kpi_contract=is_kpi_contract,
    )
    db.session.add(contract)
    db.session.flush()
    audit.record(by, "created", "contract", contract.id, after=as_dict(contract, *AUDITED))
    return contract


def add_commitment(
    contract: Contract, measure: Measure, *, target: Decimal, note: str = "", by: User | None
) -> Commitment:
    # The proxy value is copied when the promise is made and never follows later catalogue edits.
    commitment = Commitment(
        contract_id=contract.id,
        measure_id=measure.id,
        target=target,
        note=note.strip(),
        proxy_value=measure.proxy_value,
        proxy_price_year=measure.proxy_price_year,
    )
    db.session.add(commitment)
    db.session.flush()
    audit.record(
        by,
        "created",
        "commitment",
        commitment.id,
        after=as_dict(commitment, "contract_id", "measure_id", "target", "proxy_value"),
    )
    return commitment
