"""The database itself refuses bad states, whatever code writes to it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import CheckConstraint, String, text
from sqlalchemy.exc import IntegrityError

from portal.data import commit, contracts, local_areas, measures
from portal.data.base import Base
from portal.data.models import Commitment, Contract, LocalArea, User
from portal.extensions import db
from tests.conftest import World


def refused(statement: str, **params: object) -> None:
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(text(statement), params)


def test_a_supplier_user_cannot_belong_to_a_council(world: World) -> None:
    refused(
        "UPDATE users SET organisation_id = :council, organisation_kind = 'council' WHERE id = :id",
        council=world.council.id,
        id=world.supplier_user.id,
    )
    # nor can a user claim the wrong kind for their organisation
    refused(
        "UPDATE users SET organisation_kind = 'council' WHERE id = :id", id=world.supplier_user.id
    )


def test_emails_are_stored_in_lower_case(world: World) -> None:
    refused("UPDATE users SET email = 'Sam@Acme.example' WHERE id = :id", id=world.supplier_user.id)


def test_a_contract_belongs_to_a_council_and_a_supplier(world: World) -> None:
    refused(
        "UPDATE contracts SET supplier_id = :council WHERE id = :id",
        council=world.council.id,
        id=world.contract.id,
    )
    refused(
        "UPDATE contracts SET council_id = :supplier WHERE id = :id",
        supplier=world.supplier.id,
        id=world.contract.id,
    )


def test_the_contract_manager_works_for_the_contracts_council(world: World) -> None:
    refused(
        "UPDATE contracts SET manager_id = :other WHERE id = :id",
        other=world.other_council_manager.id,
        id=world.contract.id,
    )


def test_contract_dates_value_and_reference(world: World) -> None:
    refused(
        "UPDATE contracts SET end_on = :d WHERE id = :id", d=date(2020, 1, 1), id=world.contract.id
    )
    refused("UPDATE contracts SET value = -1 WHERE id = :id", id=world.contract.id)
    refused("UPDATE contracts SET reference = 'NCC-002' WHERE id = :id", id=world.contract.id)


def test_commitments_need_a_positive_target_and_one_per_measure(world: World) -> None:
    commitment = world.contract.commitments[0]
    refused("UPDATE commitments SET target = 0 WHERE id = :id", id=commitment.id)
    refused(
        "INSERT INTO commitments (contract_id, measure_id, target, note, created_at) "
        "VALUES (:c, :m, 5, '', CURRENT_TIMESTAMP)",
        c=world.contract.id,
        m=commitment.measure_id,
    )


def test_a_proxy_value_needs_its_price_year(world: World) -> None:
    measure = measures.catalogue(world.council.id)[0]
    refused(
        "UPDATE measures SET proxy_value = 10, proxy_price_year = NULL WHERE id = :id",
        id=measure.id,
    )


def test_one_default_local_area_per_council(world: World) -> None:
    local_areas.save_default(world.council.id, name="Northmoor", codes=["M1"], by=None)
    commit()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(LocalArea(council_id=world.council.id, name="Second", is_default=True))
        db.session.flush()


def test_deleting_a_contract_takes_its_commitments(world: World) -> None:
    contract_id = world.contract.id
    db.session.delete(db.session.get(Contract, contract_id))
    commit()
    assert db.session.query(Commitment).filter_by(contract_id=contract_id).count() == 0


def test_timestamps_come_back_in_utc(world: World) -> None:
    db.session.expire_all()
    user = db.session.get(User, world.admin.id)
    assert user is not None and user.created_at.utcoffset() is not None
    assert user.created_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_money_is_exact(world: World) -> None:
    contract = contracts.get_for(world.manager, world.contract.id)
    assert contract is not None
    contract.value = Decimal("1234567.89")
    commit()
    db.session.expire_all()
    again = contracts.get_for(world.manager, world.contract.id)
    assert again is not None and again.value == Decimal("1234567.89")


# Text the portal writes itself, never a person: bounded by the code that writes it.
WRITTEN_BY_THE_PORTAL = {
    "outbox_messages.body": "an email the portal composed",
    "outbox_messages.last_error": "a mail server's reply",
    "browser_sessions.data": "a session's contents, written by the portal",
    "audit_events.reason": "copied from a column that has its own limit, or the portal's words",
    "flags.summary": "the portal's description of what it found",
    "flags.resolution": "the portal's words for why a flag cleared",
    "return_submissions.declaration": "the declaration text the portal shows",
}


def test_every_text_column_has_a_limit() -> None:
    """A short text is a VARCHAR of its form's length (a limit PostgreSQL enforces and the form
    keeps on SQLite); a long free text has a length check, which both databases enforce."""
    unlimited = []
    for table in Base.metadata.sorted_tables:
        checks = " ".join(
            str(c.sqltext) for c in table.constraints if isinstance(c, CheckConstraint)
        )
        for column in table.columns:
            name = f"{table.name}.{column.name}"
            if not isinstance(column.type, String) or name in WRITTEN_BY_THE_PORTAL:
                continue
            if column.type.length is None and f"length({column.name}) <=" not in checks:
                unlimited.append(name)
    assert unlimited == []


def test_a_typed_text_longer_than_its_form_allows_is_refused_by_the_database(
    world: World,
) -> None:
    measure = measures.catalogue(world.council.id)[0]
    change = "UPDATE measures SET counting_rule = :rule WHERE id = :id"
    refused(change, rule="x" * 2001, id=measure.id)
    db.session.execute(text(change), {"rule": "x" * 2000, "id": measure.id})
