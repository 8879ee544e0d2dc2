"""Saving an edit form's change, or telling the person that someone else got there first.

The version check itself is portal.data.versions; this is the view side of it, the same for
every edit page: undo everything, put the message on the form's version field (so the error
summary shows it), keep what was typed, and show what is saved now beside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from portal.data import rollback, versions
from portal.formatting import number
from portal.forms import VersionedForm
from portal.template_helpers import format_date


@contextmanager
def refused_if_stale(form: VersionedForm, stored: Any, message: str) -> Iterator[None]:
    """Run the change inside; on a version conflict, undo it all and tell the person. The
    caller checks `form.version.errors` afterwards (or uses `conflicted`).

    StaleDataError is the same conflict caught at the database: another save committed between
    our check and our UPDATE (SQLAlchemy's version_id_col then matches no row)."""
    try:
        yield
    except (versions.Conflict, StaleDataError):
        rollback()
        form.version.errors = [message]
        # Saving again from this page, having seen the current details, is a fresh change.
        if stored is not None:
            form.version.data = str(stored.version)


def conflicted(form: VersionedForm) -> bool:
    return bool(form.version.errors)


def saved_now(form: VersionedForm, stored: Any) -> list[tuple[str, str]]:
    """After a conflict: the stored values of the form's fields that differ from what the
    person typed, as (label, value) to show beside their form. Empty when there was none."""
    if not conflicted(form):
        return []
    rows = []
    for field in form:
        if field.name in ("version", "csrf_token") or not hasattr(stored, field.name):
            continue
        value = getattr(stored, field.name)
        if not isinstance(value, str | Decimal | date | int) or isinstance(value, bool):
            continue
        if value != field.data:
            rows.append((str(field.label.text), _shown(value)))
    return rows


def _shown(value: str | Decimal | date | int) -> str:
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Decimal | int):
        return number(value)
    return value or "(blank)"
