"""Optimistic locking, one way for every editable object.

Each edited row has a `version` column that SQLAlchemy moves on at every update
(`version_id_col`). An edit form carries the version the person saw; a change is only made when
that is still the stored version, so a second person saving from an older page is refused
instead of silently overwriting the first. A form posted without its version is refused too:
it can never be told apart from a stale one.
"""

from __future__ import annotations

from typing import Protocol


class Conflict(Exception):
    """The object changed since the form was loaded (or the form carried no version):
    nothing was saved."""


class Versioned(Protocol):
    version: int


def check(stored: Versioned, expected_version: int | None) -> None:
    """Raise Conflict unless the form was loaded at the stored version."""
    if expected_version is None or expected_version != stored.version:
        raise Conflict()
