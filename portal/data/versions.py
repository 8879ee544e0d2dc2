"""Optimistic locking, one way for every editable object.

Each edited row has a `version` column that SQLAlchemy moves on at every update
(`version_id_col`). An edit form carries the version the person saw; a change is only made when
that is still the stored version, so a second person saving from an older page is refused
instead of silently overwriting the first. A form posted without its version is refused too:
it can never be told apart from a stale one.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import inspect
from sqlalchemy.orm.attributes import flag_modified


class Conflict(Exception):
    """The object changed since the form was loaded (or the form carried no version):
    nothing was saved."""


class Versioned(Protocol):
    version: int


def check(stored: Versioned, expected_version: int | None) -> None:
    """Raise Conflict unless the form was loaded at the stored version."""
    if expected_version is None or expected_version != stored.version:
        raise Conflict()


def moved_on(stored: Any) -> None:
    """Make the next flush UPDATE the object's row, and so move its version, for a change
    held in other rows (a local area's postcodes, a commitment's quarterly profile)."""
    mapper = inspect(stored).mapper
    column = next(
        attribute.key
        for attribute in mapper.column_attrs
        if not attribute.columns[0].primary_key
        and attribute.columns[0] is not mapper.version_id_col
    )
    flag_modified(stored, column)
