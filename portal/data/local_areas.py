"""Local areas: named lists of postcode districts and sectors. Each council has one default."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from portal.data import audit, versions
from portal.data.models import LocalArea, LocalAreaPostcode, User
from portal.extensions import db


class NameInUse(ValueError):
    pass


def default_for(council_id: int) -> LocalArea | None:
    query = (
        select(LocalArea)
        .options(selectinload(LocalArea.postcodes))
        .where(LocalArea.council_id == council_id, LocalArea.is_default.is_(True))
    )
    return db.session.scalar(query)


def get(council_id: int, area_id: int) -> LocalArea | None:
    query = (
        select(LocalArea)
        .options(selectinload(LocalArea.postcodes))
        .where(LocalArea.council_id == council_id, LocalArea.id == area_id)
    )
    return db.session.scalar(query)


def list_for(council_id: int) -> list[LocalArea]:
    query = (
        select(LocalArea)
        .options(selectinload(LocalArea.postcodes))
        .where(LocalArea.council_id == council_id)
        .order_by(LocalArea.is_default.desc(), LocalArea.name)
    )
    return list(db.session.scalars(query))


def save(
    council_id: int,
    area: LocalArea | None,
    *,
    name: str,
    codes: list[str],
    make_default: bool,
    by: User | None,
) -> LocalArea:
    """Create (area None) or update a local area; making it the default unsets the old one."""
    clash = select(LocalArea.id).where(
        LocalArea.council_id == council_id, func.lower(LocalArea.name) == name.strip().lower()
    )
    if area is not None:
        clash = clash.where(LocalArea.id != area.id)
    if db.session.scalar(clash) is not None:
        raise NameInUse(name)
    before = _state(area) if area is not None else None
    if make_default and not (area and area.is_default):
        db.session.execute(
            update(LocalArea)
            .where(LocalArea.council_id == council_id, LocalArea.is_default.is_(True))
            # The old default's edit page is out of date now: its version moves on too.
            .values(is_default=False, version=LocalArea.version + 1)
        )
    if area is None:
        area = LocalArea(council_id=council_id, is_default=False)
        db.session.add(area)
    else:
        versions.moved_on(area)  # its postcodes are rows of their own
    area.is_default = area.is_default or make_default
    area.name = name.strip()
    area.postcodes = [LocalAreaPostcode(code=code) for code in codes]
    db.session.flush()
    after = _state(area)
    if before != after:
        audit.record(
            by,
            "updated" if before else "created",
            "local_area",
            area.id,
            before=before,
            after=after,
        )
    return area


def save_default(council_id: int, *, name: str, codes: list[str], by: User | None) -> LocalArea:
    return save(
        council_id, default_for(council_id), name=name, codes=codes, make_default=True, by=by
    )


def _state(area: LocalArea) -> dict[str, object]:
    return {"name": area.name, "default": area.is_default, "codes": area.codes}
