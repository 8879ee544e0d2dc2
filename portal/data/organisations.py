"""Councils and suppliers."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, func, or_, select

from portal.data import audit
from portal.data.base import as_dict
from portal.data.models import Contract, Organisation, User
from portal.data.pagination import Page, paginate
from portal.data.types import OrganisationKind
from portal.extensions import db

AUDITED = (
    "name",
    "kind",
    "is_sme",
    "is_vcse",
    "postcode",
    "is_in_london",
    "is_living_wage_employer",
)


class NameInUse(ValueError):
    pass


def get(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


# Which suppliers council staff see and may change. Until the portal fully supports several
# councils, a supplier belongs to the councils that have contracts with it (or, before it has
# any, to the council that added it), and only a supplier no other council has contracts with
# may be changed. Every query of suppliers for council staff goes through these two rules.

SHARED_EXPLANATION = (
    "Another council also has contracts with {name}, so nobody at either council can change "
    "its details or its users in the portal. Ask the people who run the portal if something "
    "needs to change."
)


def supplier_seen_by(staff: User) -> ColumnElement[bool]:
    """The suppliers a member of council staff may see."""
    return supplier_of(staff.organisation_id)


def supplier_of(council_id: int) -> ColumnElement[bool]:
    """A council's suppliers: those with a contract with it, and those it added."""
    return and_(
        Organisation.kind == OrganisationKind.SUPPLIER,
        or_(
            Organisation.created_by_council_id == council_id,
            exists().where(
                Contract.supplier_id == Organisation.id, Contract.council_id == council_id
            ),
        ),
    )


def seen_by(staff: User) -> ColumnElement[bool]:
    """The organisations council staff may see: their own council and its suppliers (never
    another council, nor another council's suppliers)."""
    return or_(Organisation.id == staff.organisation_id, supplier_seen_by(staff))


def shared_with_another_council(staff: User, organisation_ids: list[int]) -> set[int]:
    """Of these suppliers, those another council also has contracts with: read-only."""
    if not organisation_ids:
        return set()
    query = (
        select(Contract.supplier_id)
        .where(
            Contract.supplier_id.in_(organisation_ids),
            Contract.council_id != staff.organisation_id,
        )
        .distinct()
    )
    return set(db.session.scalars(query))


def may_change(staff: User, organisation: Organisation) -> bool:
    """Whether council staff may change this organisation's details or users (one they can
    see): their own council, or a supplier no other council has contracts with."""
    if organisation.is_council:
        return organisation.id == staff.organisation_id
    return not shared_with_another_council(staff, [organisation.id])


def get_for_admin(admin: User, organisation_id: int) -> Organisation | None:
    """The administrator's own council or one of its suppliers; anything else is a 404."""
    return db.session.scalar(
        select(Organisation).where(Organisation.id == organisation_id, seen_by(admin))
    )


def get_supplier_for(staff: User, organisation_id: int) -> Organisation | None:
    """A supplier this member of council staff may see; None (a 404) for any other."""
    return db.session.scalar(
        select(Organisation).where(Organisation.id == organisation_id, supplier_seen_by(staff))
    )


def council_of(user: User) -> Organisation:
    """The council a member of staff works for (the deployment's one council, today)."""
    return user.organisation


def supplier_named(staff: User, name: str) -> Organisation | None:
    """The supplier of this name, whatever the case, if this member of council staff may see it."""
    return db.session.scalar(
        select(Organisation).where(
            func.lower(Organisation.name) == name.strip().lower(), supplier_seen_by(staff)
        )
    )


def name_taken(name: str, except_id: int | None = None) -> bool:
    query = select(Organisation.id).where(func.lower(Organisation.name) == name.strip().lower())
    if except_id is not None:
        query = query.where(Organisation.id != except_id)
    return db.session.scalar(query) is not None


def create(
    *,
    name: str,
    kind: OrganisationKind,
    is_sme: bool,
    is_vcse: bool,
    by: User | None,
    postcode: str | None = None,
    is_living_wage_employer: bool = False,
) -> Organisation:
    if name_taken(name):
        raise NameInUse(name)
    organisation = Organisation(
        name=name.strip(),
        kind=kind,
        is_sme=is_sme and kind is OrganisationKind.SUPPLIER,
        is_vcse=is_vcse and kind is OrganisationKind.SUPPLIER,
        is_living_wage_employer=is_living_wage_employer and kind is OrganisationKind.SUPPLIER,
        postcode=postcode or None,
        created_by_council_id=(
            by.organisation_id
            if by is not None and by.is_council_staff and kind is OrganisationKind.SUPPLIER
            else None
        ),
    )
    db.session.add(organisation)
    db.session.flush()
    audit.record(
        by, "created", "organisation", organisation.id, after=as_dict(organisation, *AUDITED)
    )
    return organisation


def update(
    organisation: Organisation,
    *,
    name: str,
    is_sme: bool,
    is_vcse: bool,
    postcode: str | None,
    by: User,
    is_in_london: bool = False,
    is_living_wage_employer: bool = False,
) -> None:
    if name_taken(name, except_id=organisation.id):
        raise NameInUse(name)
    before = as_dict(organisation, *AUDITED)
    organisation.name = name.strip()
    organisation.postcode = postcode or None
    organisation.is_sme = is_sme and not organisation.is_council
    organisation.is_vcse = is_vcse and not organisation.is_council
    organisation.is_in_london = is_in_london and organisation.is_council
    organisation.is_living_wage_employer = is_living_wage_employer and not organisation.is_council
    after = as_dict(organisation, *AUDITED)
    if before != after:
        audit.record(by, "updated", "organisation", organisation.id, before=before, after=after)


def list_organisations(
    viewer: User, *, page: int, kind: OrganisationKind | None = None
) -> Page[Organisation]:
    """The viewer's own council and its suppliers (never other councils sharing the
    deployment, nor suppliers only they deal with)."""
    query = (
        select(Organisation)
        .where(seen_by(viewer))
        .order_by(func.lower(Organisation.name), Organisation.id)
    )
    if kind is not None:
        query = query.where(Organisation.kind == kind)
    return paginate(query, page)


def user_counts(organisation_ids: list[int]) -> dict[int, int]:
    query = (
        select(User.organisation_id, func.count())
        .where(User.organisation_id.in_(organisation_ids))
        .group_by(User.organisation_id)
    )
    return {organisation_id: count for organisation_id, count in db.session.execute(query)}


def suppliers(staff: User) -> list[Organisation]:
    """The suppliers this member of council staff may see, by name (a form's choices)."""
    query = (
        select(Organisation)
        .where(supplier_seen_by(staff))
        .order_by(func.lower(Organisation.name), Organisation.id)
    )
    return list(db.session.scalars(query))



def councils() -> list[Organisation]:
    query = select(Organisation).where(Organisation.kind == OrganisationKind.COUNCIL)
    return list(db.session.scalars(query.order_by(Organisation.id)))
