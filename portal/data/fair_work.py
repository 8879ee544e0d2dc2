"""The fair-work figures stored per return: one place for each of their queries and writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.orm import joinedload

from portal.data.base import utcnow
from portal.data.models import FairWorkFigure, Return
from portal.data.types import ReturnStatus, WorkforceDerivation
from portal.domain.counting import Share
from portal.extensions import db

_FIELDS = (
    "percent",
    "coverage",
    "not_known",
    "fte_met",
    "fte_given",
    "fte_all",
    "counted",
    "meeting",
    "without_data",
)


def store(
    ret: Return, shares: Mapping[WorkforceDerivation, Share], living_wage: Decimal | None
) -> int:
    """Keep the return's shares as counted now; writes only what differs. Returns how many
    figures changed."""
    stored = {
        figure.derivation: figure
        for figure in db.session.scalars(
            select(FairWorkFigure).where(FairWorkFigure.return_id == ret.id)
        )
    }
    changed = 0
    for derivation, share in shares.items():
        values = {name: getattr(share, name) for name in _FIELDS} | {"living_wage": living_wage}
        figure = stored.get(derivation)
        if figure is None:
            figure = FairWorkFigure(return_id=ret.id, derivation=derivation)
            figure.contract_id = ret.contract_id
            db.session.add(figure)
        elif all(getattr(figure, name) == value for name, value in values.items()):
            continue
        for name, value in values.items():
            setattr(figure, name, value)
        figure.updated_at = utcnow()
        changed += 1
    return changed


def add_all(
    counted: Sequence[tuple[Return, Mapping[WorkforceDerivation, Share], Decimal | None]],
) -> None:
    """store, for returns known to have none stored, in one statement: for thousands of
    returns at once, without the cost of an ORM object each."""
    now = utcnow()
    rows = [
        {name: getattr(share, name) for name in _FIELDS}
        | {
            "return_id": ret.id,
            "derivation": derivation,
            "contract_id": ret.contract_id,
            "living_wage": living_wage,
            "updated_at": now,
        }
        for ret, shares, living_wage in counted
        for derivation, share in shares.items()
    ]
    if rows:
        db.session.execute(insert(FairWorkFigure), rows)


# The quarters a contract's pages show: what the supplier has sent (a draft is still moving).
SENT = (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED)


def sent_for_contract(
    contract_id: int,
) -> list[tuple[Return, dict[WorkforceDerivation, FairWorkFigure]]]:
    """The contract's submitted and accepted returns, oldest first, each with its stored
    shares: one query, however many returns."""
    rows = db.session.execute(
        select(Return, FairWorkFigure)
        .join(FairWorkFigure, FairWorkFigure.return_id == Return.id)
        .where(Return.contract_id == contract_id, Return.status.in_(SENT))
        .order_by(Return.period_starts_on)
    )
    found: dict[int, tuple[Return, dict[WorkforceDerivation, FairWorkFigure]]] = {}
    for ret, figure in rows:
        found.setdefault(ret.id, (ret, {}))[1][figure.derivation] = figure
    return list(found.values())


def _without_figures() -> ColumnElement[bool]:
    return ~select(FairWorkFigure.return_id).where(FairWorkFigure.return_id == Return.id).exists()


def returns_without(contract_ids: Sequence[int], *, limit: int) -> Sequence[Return]:
    """A batch of the contracts' returns with no stored fair-work figures yet."""
    query = (
        select(Return)
        .options(joinedload(Return.contract))
        .where(Return.contract_id.in_(contract_ids), _without_figures())
        .order_by(Return.id)
        .limit(limit)
    )
    return db.session.scalars(query).all()


def count_returns_without() -> int:
    return (
        db.session.scalar(select(func.count()).select_from(Return).where(_without_figures())) or 0
    )
