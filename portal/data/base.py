"""Declarative base with a constraint naming convention, and a UTC timestamp type."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ColumnElement, DateTime, Enum, MetaData, and_
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Named constraints let Alembic alter and drop them the same way on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def at_most(column: str, limit: int) -> CheckConstraint:
    """Text a person types is held to what its form allows in the database too: SQLite ignores
    a VARCHAR's length, so the limit is a check, which both databases enforce."""
    return CheckConstraint(f"length({column}) <= {limit}", name=f"{column}_at_most_{limit}")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum: type[StrEnum], name: str) -> Enum:
    """A portable enum: a VARCHAR with a named CHECK constraint listing the values."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def among(columns: Sequence[Any], keys: Collection[tuple[Any, ...]]) -> ColumnElement[bool]:
    """Rows whose columns hold one of these tuples, and maybe a few more that mix their
    parts: one IN list a column, which an index on the columns serves on SQLite too (a
    row-value IN list makes SQLite read the whole table). The caller keeps the exact keys."""
    return and_(
        *(column.in_(sorted({key[n] for key in keys})) for n, column in enumerate(columns))
    )


def as_dict(obj: Any, *names: str) -> dict[str, Any]:
    """Plain JSON-able values of some attributes, for the audit trail."""
    result: dict[str, Any] = {}
    for name in names:
        value = getattr(obj, name)
        if isinstance(value, StrEnum):
            value = value.value
        elif isinstance(value, Decimal):
            value = str(value.quantize(Decimal("0.01")))  # as stored: 2 decimal places
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        result[name] = value
    return result
