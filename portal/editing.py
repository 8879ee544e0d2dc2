"""Saving an edit form's change, or telling the person that someone else got there first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from portal.data import commit, rollback, versions
from portal.forms import VersionedForm


def saved(form: VersionedForm, message: str, change: Callable[[], Any]) -> bool:
    """Run a change and commit it; on a version conflict undo it all, put `message` on the
    form (what the person typed stays in it) and return False.

    StaleDataError is the same conflict caught at the database: another save committed between
    our check and our UPDATE (SQLAlchemy's version_id_col matched no row)."""
    try:
        change()
        commit()
    except (versions.Conflict, StaleDataError):
        rollback()
        form.version.errors = [message]
        return False
    return True
