"""Sign-in, sessions, invitations, password resets and deactivation, with real email."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import select

from portal.data import commit, users
from portal.data.base import utcnow
from portal.data.models import User, UserToken
from portal.data.types import Role, TokenPurpose
from portal.extensions import db
from portal.jobs.outbox import work_once
from tests import factories
from tests.conftest import World, sign_in_as
from tests.support import Mailbox, PortalClient

NEW_PASSWORD = "a much longer passphrase"  # noqa: S105


def sign_in(client: PortalClient, email: str, password: str = factories.PASSWORD):
    return client.submit("/sign-in", {"email": email, "password": password})


def path_of(link: str) -> str:
    return urlsplit(link).path


def test_sign_in_and_out(client: PortalClient, world: World) -> None:
    response = sign_in(client, "CM@Northmoor.example ")  # any case, stray spaces
    assert response.status_code == 302
    assert response.headers["Location"] == "/council/"
    assert client.get("/council/contracts").status_code == 200
    response = client.submit("/sign-out", form_page="/council/contracts")
    assert response.headers["Location"] == "/sign-in"
    assert client.get("/council/contracts").status_code == 302


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(
    client: PortalClient, world: World
) -> None:
    token = client.csrf_token("/sign-in")
    data = {"csrf_token": token, "email": "cm@northmoor.example", "password": factories.PASSWORD}
    response = client.post("/sign-in?next=/council/suppliers", data=data)
    assert response.headers["Location"] == "/council/suppliers"
    other = sign_in_as_anonymous(client)
    token = other.csrf_token("/sign-in")
    response = other.post("/sign-in?next=//evil.example/x", data={**data, "csrf_token": token})
    assert response.headers["Location"] == "/council/"


def sign_in_as_anonymous(client: PortalClient) -> PortalClient:
    fresh: PortalClient = client.application.test_client()  # type: ignore[assignment]
    return fresh


def test_wrong_password_unknown_email_and_deactivated_look_the_same(
    client: PortalClient, world: World
) -> None:
    users.deactivate(world.other_manager, by=world.admin)
    commit()
    pages = [
        sign_in(client, "cm@northmoor.example", "wrong password here"),
        sign_in(client, "nobody@northmoor.example"),
        sign_in(client, "cm2@northmoor.example"),  # deactivated, right password
    ]
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Enter a correct email address and password" in html
        assert "<title>Error: Sign in" in html
    # What the user typed is kept (but never the password).
    assert 'value="nobody@northmoor.example"' in pages[1].get_data(as_text=True)
    assert "wrong password here" not in pages[0].get_data(as_text=True)


def test_empty_sign_in_form_says_what_to_enter(client: PortalClient) -> None:
    html = client.submit("/sign-in", {"email": "", "password": ""}).get_data(as_text=True)
    assert "Enter your email address" in html and "Enter your password" in html


def test_failed_sign_ins_are_limited_per_email_address(client: PortalClient, world: World) -> None:
    for _ in range(5):
        assert sign_in(client, "cm@northmoor.example", "wrong password here").status_code == 200
    blocked = sign_in(client, "cm@northmoor.example")  # even the right password, for now
    assert blocked.status_code == 429
    assert "You have tried to sign in too many times. Try again in" in blocked.get_data(
        as_text=True
    )
    # Another account from the same address is not locked out by it.
    assert sign_in(client, "admin@northmoor.example").status_code == 302


def test_passwords_are_stored_as_argon2_hashes(app: Flask, world: World) -> None:
    stored = db.session.scalar(select(User.password_hash).where(User.id == world.manager.id))
    assert stored is not None and stored.startswith("$argon2id$")
    assert factories.PASSWORD not in stored


def test_invitation_email_link_creates_the_account_once(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    admin = sign_in_as(app, world.admin)
    response = admin.submit(
        "/admin/users/invite",
        {
            "full_name": "Nia Jones",
            "email": "Nia.Jones@Acme.example",
            "role": "supplier_user",
            "organisation": str(world.other_supplier.id),
        },
    )
    assert response.status_code == 302
    [email] = mailbox.delivered().to("nia.jones@acme.example")
    assert "invited" in email["Subject"]
    body = mailbox.body(email)
    assert "Bolt Facilities Ltd" in body and "supplier user" in body
    link = path_of(mailbox.link_in(email))

    invitee: PortalClient = app.test_client()  # type: ignore[assignment]
    page = invitee.get(link).get_data(as_text=True)
    assert "nia.jones@acme.example" in page
    short = invitee.submit(link, {"password": "too short", "confirm": "too short"})
    assert "Password must be 12 characters or more" in short.get_data(as_text=True)
    mismatch = invitee.submit(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert "Passwords must match" in mismatch.get_data(as_text=True)
    done = invitee.submit(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.headers["Location"] == "/supplier/"
    assert invitee.get("/supplier/contracts").status_code == 200

    # The link is spent.
    assert invitee.get(link).status_code == 410
    # And the new account signs in with its password.
    assert sign_in(app.test_client(), "nia.jones@acme.example", NEW_PASSWORD).status_code == 302


def test_invitation_links_expire(app: Flask, world: World, mailbox: Mailbox) -> None:
    admin = sign_in_as(app, world.admin)
    admin.submit(
        "/admin/users/invite",
        {
            "full_name": "Late Comer",
            "email": "late@acme.example",
            "role": "supplier_user",
            "organisation": str(world.other_supplier.id),
        },
    )
    link = path_of(mailbox.link_in(mailbox.delivered().to("late@acme.example")[0]))
    for token in db.session.scalars(select(UserToken)):
        token.expires_at = utcnow() - timedelta(seconds=1)
    commit()
    response = app.test_client().get(link)
    assert response.status_code == 410
    assert "This link is not valid" in response.get_data(as_text=True)


def test_inviting_an_address_that_has_an_account_is_refused(
    as_admin: PortalClient, world: World, mailbox: Mailbox
) -> None:
    response = as_admin.submit(
        "/admin/users/invite",
        {
            "full_name": "Sam Again",
            "email": "sam@acme.example",
            "role": "supplier_user",
            "organisation": str(world.other_supplier.id),
        },
    )
    html = response.get_data(as_text=True)
    assert "This email address already has an account" in html
    assert 'value="Sam Again"' in html  # what was typed is kept
    assert mailbox.delivered().messages == []


def test_role_and_organisation_must_agree(as_admin: PortalClient, world: World) -> None:
    response = as_admin.submit(
        "/admin/users/invite",
        {
            "full_name": "Wrong Place",
            "email": "wrong@acme.example",
            "role": "contract_manager",
            "organisation": str(world.other_supplier.id),
        },
    )
    assert "Select the council for council staff" in response.get_data(as_text=True)


def test_contract_managers_invite_supplier_users_only(
    as_manager: PortalClient, world: World, mailbox: Mailbox
) -> None:
    url = f"/council/suppliers/{world.other_supplier.id}/invite"
    response = as_manager.submit(url, {"full_name": "Kai Brown", "email": "kai@acme.example"})
    assert response.status_code == 302
    invited = users.get_by_email("kai@acme.example")
    assert invited is not None and invited.role is Role.SUPPLIER_USER
    assert invited.organisation_id == world.other_supplier.id
    assert len(mailbox.delivered().to("kai@acme.example")) == 1
    # Council staff are invited by administrators only.
    assert as_manager.get("/admin/users/invite").status_code == 403


def test_password_reset_never_reveals_whether_an_account_exists(
    client: PortalClient, world: World, mailbox: Mailbox
) -> None:
    known = client.submit("/forgot-password", {"email": "cm@northmoor.example"})
    unknown = client.submit("/forgot-password", {"email": "ghost@northmoor.example"})
    work_once()  # the delivery worker's pass
    assert known.status_code == unknown.status_code == 200
    assert comparable(known, "cm@northmoor.example") == comparable(
        unknown, "ghost@northmoor.example"
    )
    assert len(mailbox.delivered().to("cm@northmoor.example")) == 1
    assert mailbox.delivered().to("ghost@northmoor.example") == []


def comparable(response, address: str) -> str:
    """The page with the address typed and the per-response script nonce taken out."""
    html = response.get_data(as_text=True).replace(address, "ADDRESS")
    return re.sub(r'nonce="[^"]+"', "", html)


def test_password_reset_changes_the_password_and_ends_other_sessions(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    elsewhere = sign_in_as(app, world.manager)
    assert elsewhere.get("/council/contracts").status_code == 200
    client: PortalClient = app.test_client()  # type: ignore[assignment]
    client.submit("/forgot-password", {"email": "cm@northmoor.example"})
    work_once()
    link = path_of(mailbox.link_in(mailbox.delivered().to("cm@northmoor.example")[0]))
    response = client.submit(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.headers["Location"] == "/sign-in"
    assert sign_in(app.test_client(), "cm@northmoor.example").status_code == 200  # old: refused
    assert sign_in(app.test_client(), "cm@northmoor.example", NEW_PASSWORD).status_code == 302
    assert elsewhere.get("/council/contracts").status_code == 302  # signed out everywhere
    assert client.get(link).status_code == 410  # single use


def test_deactivating_a_user_signs_them_out(app: Flask, world: World) -> None:
    victim = sign_in_as(app, world.other_supplier_user)
    assert victim.get("/supplier/contracts").status_code == 200
    admin = sign_in_as(app, world.admin)
    url = f"/admin/users/{world.other_supplier_user.id}/deactivate"
    assert admin.submit(url).status_code == 302
    assert victim.get("/supplier/contracts").status_code == 302
    assert sign_in(app.test_client(), "bo@bolt.example").status_code == 200  # refused
    page = admin.get(f"/admin/users/{world.other_supplier_user.id}").get_data(as_text=True)
    assert "Deactivated" in page
    # And back again.
    admin.submit(
        f"/admin/users/{world.other_supplier_user.id}/reactivate",
        form_page=f"/admin/users/{world.other_supplier_user.id}",
    )
    assert sign_in(app.test_client(), "bo@bolt.example").status_code == 302


def test_administrators_cannot_deactivate_themselves(as_admin: PortalClient, world: World) -> None:
    assert as_admin.get(f"/admin/users/{world.admin.id}/deactivate").status_code == 404


def test_tokens_are_stored_hashed(app: Flask, world: World) -> None:
    raw = users.issue_token(world.manager, TokenPurpose.PASSWORD_RESET, timedelta(hours=1))
    commit()
    stored = list(db.session.scalars(select(UserToken.token_hash)))
    assert raw not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_forms_refuse_posts_without_a_csrf_token(client: PortalClient, world: World) -> None:
    response = client.post(
        "/sign-in", data={"email": "cm@northmoor.example", "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    assert "Nothing was saved" in response.get_data(as_text=True)
