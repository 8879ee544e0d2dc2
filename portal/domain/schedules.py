"""What replacing one list of people with another changes, and how a list is kept aside.

Pure functions: no Flask, no database. A person is known by their worker reference (without
case) and start date, the key a return's people are unique on.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

from portal.domain.counting import WorkforceRecord
from portal.domain.periods import long_date
from portal.formatting import money, number, percent

_Key = tuple[str, date]


def _key(record: WorkforceRecord) -> _Key:
    return (record.worker_reference.casefold(), record.starts_on)


@dataclass(frozen=True)
class Changed:
    before: WorkforceRecord
    after: WorkforceRecord
    fields: tuple[str, ...]  # the record's field names whose values differ


@dataclass(frozen=True)
class ScheduleChange:
    now: int  # people in the list now
    after: int  # people in the list that would replace it
    added: tuple[WorkforceRecord, ...]
    removed: tuple[WorkforceRecord, ...]
    changed: tuple[Changed, ...]

    @property
    def unchanged(self) -> int:
        return self.after - len(self.added) - len(self.changed)

    @property
    def removes_most(self) -> bool:
        """Whether the new list drops more than half of the people there are now."""
        return len(self.removed) * 2 > self.now


def compare(before: Sequence[WorkforceRecord], after: Sequence[WorkforceRecord]) -> ScheduleChange:
    """What replacing `before` with `after` adds, removes and changes, each in reference order."""
    old = {_key(record): record for record in before}
    new = {_key(record): record for record in after}
    changed = []
    for key in sorted(old.keys() & new.keys()):
        fields = tuple(
            field.name
            for field in dataclasses.fields(WorkforceRecord)
            if getattr(old[key], field.name) != getattr(new[key], field.name)
        )
        if fields:
            changed.append(Changed(old[key], new[key], fields))
    return ScheduleChange(
        now=len(before),
        after=len(after),
        added=tuple(new[key] for key in sorted(new.keys() - old.keys())),
        removed=tuple(old[key] for key in sorted(old.keys() - new.keys())),
        changed=tuple(changed),
    )


FIELD_NAMES = {
    "worker_reference": "worker reference",
    "postcode_sector": "postcode sector",
    "age_band": "age band",
    "starts_on": "start date",
    "ends_on": "end date",
    "weekly_hours": "weekly hours",
    "share_on_contract": "share of time on this contract",
    "is_new_hire": "new hire or retained",
    "apprenticeship_level": "apprenticeship level",
    "apprenticeship_standard": "apprenticeship standard",
    "hourly_pay": "basic hourly pay",
    "contract_type": "contract type",
    "guaranteed_hours": "guaranteed weekly hours",
}


def describe(changed: Changed) -> str:
    """What changes for one person, in words: "Weekly hours from 37.5 to 20"."""
    words = "; ".join(
        f"{FIELD_NAMES.get(field, field.replace('_', ' '))} from "
        f"{_shown(field, getattr(changed.before, field))} to "
        f"{_shown(field, getattr(changed.after, field))}"
        for field in changed.fields
    )
    return words[:1].upper() + words[1:]


def _shown(field: str, value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "new hire" if value else "retained"
    if isinstance(value, date):
        return long_date(value)
    if field == "share_on_contract":
        return percent(value)
    if field == "hourly_pay":
        return money(value)
    if isinstance(value, Decimal):
        return number(value)
    return str(getattr(value, "label", value))


# Records kept aside (an upload waiting for confirmation, the list an upload replaced) are stored
# as JSON: each field as text, number, true/false or null, turned back by the field's type.


def to_json(record: WorkforceRecord) -> dict[str, Any]:
    return {name: _plain(getattr(record, name)) for name, _ in _converters()}


def from_json(data: dict[str, Any]) -> WorkforceRecord:
    fields: dict[str, Any] = {
        name: None if (value := data.get(name)) is None else convert(value)
        for name, convert in _converters()
    }
    return WorkforceRecord(**fields)


@cache
def _converters() -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Each field of a record, and what turns its JSON value back into the field's type."""
    hints = typing.get_type_hints(WorkforceRecord)
    return tuple(
        (field.name, _converter(hints[field.name])) for field in dataclasses.fields(WorkforceRecord)
    )


def _converter(hint: Any) -> Callable[[Any], Any]:
    if isinstance(hint, types.UnionType):  # `X | None`: the one type that is not None
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    if hint is date:
        return date.fromisoformat
    return hint  # Decimal, an enum, str, int, bool: each takes its JSON value


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | Decimal):
        return str(value)
    return value
