"""Local areas: named lists of postcode districts and sectors."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.data import audit
from portal.data.models import LocalArea, LocalAreaPostcode, User
from portal.extensions import db


def default_for(council_id: int) -> LocalArea | None:
    query = (
        select(LocalArea)
        .options(selectinload(LocalArea.postcodes))
        .where(LocalArea.council_id == council_id, LocalArea.is_default.is_(True))
    )
    return db.session.scalar(query)


def list_for(council_id: int) -> list[LocalArea]:
    query = select(LocalArea).where(LocalArea.council_id == council_id).order_by(LocalArea.name)
    return list(db.session.scalars(query))


def save_default(council_id: int, *, name: str, codes: list[str], by: User | None) -> LocalArea:
    area = default_for(council_id)
    before = {"name": area.name, "codes": area.codes} if area else None
    if area is None:
        area = LocalArea(council_id=council_id, name=name.strip(), is_default=True)
        db.session.add(area)
    area.name = name.strip()
    area.postcodes = [LocalAreaPostcode(code=code) for code in codes]
    db.session.flush()
    after = {"name": area.name, "codes": codes}
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
