"""The measures catalogue. Measures are retired, never deleted."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from portal.data import audit
from portal.data.base import as_dict, utcnow
from portal.data.models import Measure, User
from portal.data.types import MeasureKind, MeasureUnit, WorkforceDerivation
from portal.extensions import db

EDITABLE = (
    "code",
    "name",
    "unit",
    "kind",
    "counting_rule",
    "evidence_guidance",
    "proxy_value",
    "proxy_price_year",
)


class CodeOrNameInUse(ValueError):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def get(council_id: int, measure_id: int) -> Measure | None:
    return db.session.scalar(
        select(Measure).where(Measure.id == measure_id, Measure.council_id == council_id)
    )


def catalogue(council_id: int, *, include_retired: bool = True) -> list[Measure]:
    query = select(Measure).where(Measure.council_id == council_id)
    if not include_retired:
        query = query.where(Measure.retired_at.is_(None))
    return list(db.session.scalars(query.order_by(Measure.retired_at.is_not(None), Measure.name)))


def _check_unique(council_id: int, code: str, name: str, except_id: int | None) -> None:
    for field, column, value in (
        ("code", Measure.code, code.upper()),
        ("name", func.lower(Measure.name), name.lower()),
    ):
        query = select(Measure.id).where(Measure.council_id == council_id, column == value)
        if except_id is not None:
            query = query.where(Measure.id != except_id)
        if db.session.scalar(query) is not None:
            raise CodeOrNameInUse(field)


def create(
    council_id: int,
    *,
    code: str,
    name: str,
    unit: MeasureUnit,
    kind: MeasureKind,
    counting_rule: str,
    evidence_guidance: str,
    proxy_value: Decimal | None = None,
    proxy_price_year: int | None = None,
    derivation: WorkforceDerivation | None = None,
    by: User | None,
) -> Measure:
    _check_unique(council_id, code.strip(), name.strip(), None)
    measure = Measure(
        council_id=council_id,
        code=code.strip().upper(),
        name=name.strip(),
        unit=unit,
        kind=kind,
        derivation=derivation,
        counting_rule=counting_rule.strip(),
        evidence_guidance=evidence_guidance.strip(),
        proxy_value=proxy_value,
        proxy_price_year=proxy_price_year,
    )
    db.session.add(measure)
    db.session.flush()
    audit.record(by, "created", "measure", measure.id, after=as_dict(measure, *EDITABLE))
    return measure


def update(measure: Measure, *, by: User, **changes: object) -> None:
    code = str(changes.get("code", measure.code)).strip().upper()
    name = str(changes.get("name", measure.name)).strip()
    _check_unique(measure.council_id, code, name, measure.id)
    before = as_dict(measure, *EDITABLE)
    for field in EDITABLE:
        if field in changes:
            value = changes[field]
            setattr(measure, field, value.strip() if isinstance(value, str) else value)
    measure.code = code
    after = as_dict(measure, *EDITABLE)
    if before != after:
        audit.record(by, "updated", "measure", measure.id, before=before, after=after)


def retire(measure: Measure, *, by: User) -> None:
    measure.retired_at = utcnow()
    audit.record(
        by, "retired", "measure", measure.id, before={"retired": False}, after={"retired": True}
    )


def reinstate(measure: Measure, *, by: User) -> None:
    measure.retired_at = None
    audit.record(
        by, "reinstated", "measure", measure.id, before={"retired": True}, after={"retired": False}
    )
