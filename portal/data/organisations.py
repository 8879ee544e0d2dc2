"""Councils and suppliers."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.data import audit
from portal.data.base import as_dict
from portal.data.models import Organisation, User
from portal.data.pagination import Page, paginate
from portal.data.types import OrganisationKind
from portal.extensions import db

AUDITED = ("name", "kind", "is_sme", "is_vcse", "postcode")


class NameInUse(ValueError):
    pass


def get(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def get_for_admin(admin: User, organisation_id: int) -> Organisation | None:
    """The administrator's own council or a supplier; another council is a 404."""
    organisation = get(organisation_id)
    if organisation is None or not _in_reach_of(admin, organisation):
        return None
    return organisation


def _in_reach_of(admin: User, organisation: Organisation) -> bool:
    return (
        organisation.kind is OrganisationKind.SUPPLIER or organisation.id == admin.organisation_id
    )


def get_supplier(organisation_id: int) -> Organisation | None:
    organisation = get(organisation_id)
    return organisation if organisation and organisation.kind is OrganisationKind.SUPPLIER else None


def council_of(user: User) -> Organisation:
    """The council a member of staff works for (the deployment's one council, today)."""
    return user.organisation


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
) -> Organisation:
    if name_taken(name):
        raise NameInUse(name)
    organisation = Organisation(
        name=name.strip(),
        kind=kind,
        is_sme=is_sme and kind is OrganisationKind.SUPPLIER,
        is_vcse=is_vcse and kind is OrganisationKind.SUPPLIER,
        postcode=postcode or None,
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
) -> None:
    if name_taken(name, except_id=organisation.id):
        raise NameInUse(name)
    before = as_dict(organisation, *AUDITED)
    organisation.name = name.strip()
    organisation.postcode = postcode or None
    organisation.is_sme = is_sme and not organisation.is_council
    organisation.is_vcse = is_vcse and not organisation.is_council
    after = as_dict(organisation, *AUDITED)
    if before != after:
        audit.record(by, "updated", "organisation", organisation.id, before=before, after=after)


def list_organisations(
    viewer: User, *, page: int, kind: OrganisationKind | None = None
) -> Page[Organisation]:
    """Suppliers, and the viewer's own council (never other councils sharing the deployment)."""
    query = (
        select(Organisation)
        .where(
            (Organisation.kind == OrganisationKind.SUPPLIER)
            | (Organisation.id == viewer.organisation_id)
        )
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


def suppliers() -> list[Organisation]:
    query = (
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.SUPPLIER)
        .order_by(func.lower(Organisation.name))
    )
    return list(db.session.scalars(query))


def councils() -> list[Organisation]:
    query = select(Organisation).where(Organisation.kind == OrganisationKind.COUNCIL)
    return list(db.session.scalars(query.order_by(Organisation.id)))
