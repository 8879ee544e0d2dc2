"""Server-side sessions (sign-out ends them for real), sign-in limits that count only failures,
and password resets that do the same work for every address (issue 12, items 2 to 4)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask
from flask_login.utils import encode_cookie
from sqlalchemy import func, select, update

from portal import create_app
from portal.config import Settings
from portal.data import commit
from portal.data.base import utcnow
from portal.data.models import BrowserSession, OutboxMessage, PasswordResetRequest, UserToken
from portal.extensions import db
from portal.jobs.outbox import work_once
from tests import factories
from tests.conftest import World, sign_in_as
from tests.support import Mailbox, PortalClient

COOKIE = "portal_session"
CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
NEW_PASSWORD = "a much longer passphrase"  # noqa: S105


def sign_in(client: PortalClient, email: str, password: str = factories.PASSWORD, **kwargs):  # noqa: ANN003, ANN201
    return client.submit("/sign-in", {"email": email, "password": password}, **kwargs)


def fresh(app: Flask) -> PortalClient:
    return app.test_client()  # type: ignore[return-value]


def cookie_of(client: PortalClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def copy_of(app: Flask, client: PortalClient) -> PortalClient:
    thief = fresh(app)
    thief.set_cookie(COOKIE, cookie_of(client))
    return thief


# Item 2: sessions


def test_a_cookie_copied_before_sign_out_no_longer_works(app: Flask, world: World) -> None:
    client = fresh(app)
    assert sign_in(client, "sam@acme.example").status_code == 302
    copied = copy_of(app, client)
    assert copied.get("/supplier/").status_code == 200  # the same session, for now
    client.submit("/sign-out", form_page="/supplier/")
    assert client.get("/supplier/").status_code == 302
    assert copied.get("/supplier/").status_code == 302  # the copy is signed out too


def test_the_cookie_carries_only_a_random_id_and_the_database_only_its_hash(
    app: Flask, world: World
) -> None:
    client = fresh(app)
    sign_in(client, "sam@acme.example")
    raw = cookie_of(client)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", raw)  # 32 random bytes, nothing else
    stored = list(db.session.scalars(select(BrowserSession.token_hash)))
    assert raw not in stored and all(len(h) == 64 for h in stored)


def test_signing_in_gives_a_new_session_id(app: Flask, world: World) -> None:
    client = fresh(app)
    client.get("/sign-in")  # an anonymous session, for the CSRF token
    before = cookie_of(client)
    sign_in(client, "sam@acme.example")
    after = cookie_of(client)
    assert after != before
    planted = fresh(app)  # someone who planted the old id learns nothing from the sign-in
    planted.set_cookie(COOKIE, before)
    assert planted.get("/supplier/").status_code == 302


def test_accepting_an_invitation_gives_a_new_session_id(app: Flask, world: World) -> None:
    from portal.data import users
    from portal.data.types import Role, TokenPurpose

    invited = users.invite(
        email="new@acme.example",
        full_name="New Person",
        role=Role.SUPPLIER_USER,
        organisation=world.supplier,
        invited_by=world.admin,
    )
    token = users.issue_token(invited, TokenPurpose.INVITATION, timedelta(days=1))
    commit()
    client = fresh(app)
    client.get(f"/invitations/{token}")
    before = cookie_of(client)
    done = client.submit(
        f"/invitations/{token}", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert done.headers["Location"] == "/supplier/"
    assert cookie_of(client) != before
    assert client.get("/supplier/").status_code == 200


def _age(client: PortalClient, **deltas: timedelta) -> None:
    """Move the client's session back in time: started_at and/or last_seen_at."""
    from portal.data import sessions as store

    row = store.find(cookie_of(client))
    assert row is not None
    db.session.execute(
        update(BrowserSession)
        .where(BrowserSession.id == row.id)
        .values(**{column: utcnow() - delta for column, delta in deltas.items()})
    )
    commit()


def test_an_idle_session_ends_after_the_idle_timeout(app: Flask, world: World) -> None:
    client = sign_in_as(app, world.supplier_user)
    _age(client, last_seen_at=timedelta(minutes=29))
    assert client.get("/supplier/").status_code == 200  # busy enough
    _age(client, last_seen_at=timedelta(minutes=32))
    response = client.get("/supplier/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_a_busy_session_ends_at_the_absolute_limit(app: Flask, world: World) -> None:
    client = sign_in_as(app, world.supplier_user)
    _age(client, started_at=timedelta(hours=7, minutes=59))
    assert client.get("/supplier/").status_code == 200
    _age(client, started_at=timedelta(hours=8, minutes=1))
    assert client.get("/supplier/").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute_but_every_request_counts(
    app: Flask, world: World
) -> None:
    client = sign_in_as(app, world.supplier_user)
    client.get("/supplier/")  # the first page stores a CSRF token: a write of its own
    _age(client, last_seen_at=timedelta(seconds=20))
    from portal.data import sessions as store

    seen = store.find(cookie_of(client)).last_seen_at  # type: ignore[union-attr]
    client.get("/supplier/")
    db.session.expire_all()
    assert store.find(cookie_of(client)).last_seen_at == seen  # type: ignore[union-attr]
    _age(client, last_seen_at=timedelta(minutes=20))
    client.get("/supplier/")
    db.session.expire_all()
    later = store.find(cookie_of(client)).last_seen_at  # type: ignore[union-attr]
    assert utcnow() - later < timedelta(seconds=5)


def test_stay_signed_in_extends_the_session(app: Flask, world: World) -> None:
    client = sign_in_as(app, world.supplier_user)
    page = client.get("/supplier/").get_data(as_text=True)
    assert 'data-idle-seconds="1800"' in page and "Stay signed in" in page
    token = client.csrf_token("/supplier/")
    _age(client, last_seen_at=timedelta(minutes=29))
    response = client.post("/session/keep-alive", headers={"X-CSRFToken": token})
    assert response.status_code == 204
    _age_check = db.session.scalar(
        select(func.count())
        .select_from(BrowserSession)
        .where(BrowserSession.last_seen_at > utcnow() - timedelta(seconds=5))
    )
    assert _age_check == 1
    assert client.post("/session/keep-alive").status_code == 400  # CSRF still guards it
    assert fresh(app).post("/session/keep-alive").status_code in (400, 302)


def test_the_timeout_warning_is_only_for_signed_in_users(client: PortalClient) -> None:
    assert "timeout-warning" not in client.get("/sign-in").get_data(as_text=True)


def test_signed_out_for_being_idle_says_why(app: Flask, world: World) -> None:
    client = sign_in_as(app, world.supplier_user)
    token = client.csrf_token("/supplier/")
    response = client.post("/sign-out", data={"csrf_token": token, "reason": "idle"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You have been signed out because you had not used the service for 30 minutes" in page


def test_a_password_reset_ends_every_session_of_the_user(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    phone, laptop = sign_in_as(app, world.manager), sign_in_as(app, world.manager)
    other_user = sign_in_as(app, world.admin)
    client = fresh(app)
    client.submit("/forgot-password", {"email": "cm@northmoor.example"})
    work_once()
    link = urlsplit(mailbox.link_in(mailbox.to("cm@northmoor.example")[0])).path
    client.submit(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert phone.get("/council/").status_code == 302
    assert laptop.get("/council/").status_code == 302
    assert other_user.get("/council/").status_code == 200


def test_deactivation_ends_every_session_of_the_user(app: Flask, world: World) -> None:
    # Bolt's user: Bolt deals with one council only, so its administrator may deactivate them.
    bo = world.other_supplier_user
    victim = sign_in_as(app, bo)
    admin = sign_in_as(app, world.admin)
    assert admin.submit(f"/admin/users/{bo.id}/deactivate").status_code == 302
    assert victim.get("/supplier/").status_code == 302
    ended = db.session.scalars(
        select(BrowserSession.ended_at).where(BrowserSession.user_id == bo.id)
    )
    assert all(at is not None for at in ended)


def test_a_remember_me_cookie_opens_no_session(app: Flask, world: World) -> None:
    client = fresh(app)
    client.set_cookie("remember_token", encode_cookie(world.supplier_user.get_id()))
    assert client.get("/supplier/").status_code == 302


def test_account_page_lists_sessions_and_signs_out_every_other_device(
    app: Flask, world: World
) -> None:
    here = fresh(app)
    sign_in(here, "sam@acme.example", headers={"User-Agent": CHROME_ON_WINDOWS})
    elsewhere = fresh(app)
    sign_in(elsewhere, "sam@acme.example")
    someone_else = sign_in_as(app, world.other_supplier_user)
    page = here.get("/account")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'href="/account"' in here.get("/supplier/").get_data(as_text=True)  # in the header
    assert "Chrome on Windows" in html and "This device" in html
    assert html.count('class="govuk-table__row"') == 3  # the header row and two sessions
    assert elsewhere.get("/supplier/").status_code == 200
    done = here.submit("/account/sign-out-other-devices", form_page="/account")
    assert done.status_code == 302
    assert "You have signed out of every other device" in here.get("/account").get_data(
        as_text=True
    )
    assert elsewhere.get("/supplier/").status_code == 302
    assert here.get("/supplier/").status_code == 200
    assert someone_else.get("/supplier/").status_code == 200
    assert "You are not signed in on any other device" in here.get("/account").get_data(
        as_text=True
    )
    # A POST without the CSRF token is refused.
    assert here.post("/account/sign-out-other-devices").status_code == 400


def test_the_worker_purges_sessions_that_can_no_longer_be_used(app: Flask, world: World) -> None:
    idle = sign_in_as(app, world.supplier_user)
    _age(idle, last_seen_at=timedelta(hours=1))
    busy = sign_in_as(app, world.supplier_user)
    busy.submit("/sign-out", form_page="/supplier/")
    live = sign_in_as(app, world.manager)
    work_once()
    remaining = list(db.session.scalars(select(BrowserSession.user_id)))
    assert world.manager.id in remaining and world.supplier_user.id not in remaining
    assert live.get("/council/").status_code == 200


# Item 3: sign-in limits


def test_twenty_five_correct_sign_ins_in_a_row_all_succeed(app: Flask, world: World) -> None:
    client = fresh(app)
    for attempt in range(25):
        response = sign_in(client, "cm@northmoor.example")
        assert response.status_code == 302, f"sign-in {attempt + 1} refused"
        client.submit("/sign-out", form_page="/council/")


def _app_with(settings: Settings, **changes: object) -> Flask:
    other = create_app(replace(settings, **changes))  # type: ignore[arg-type]
    other.test_client_class = PortalClient
    return other


def test_failures_up_to_the_limit_then_a_refusal_naming_the_real_wait(
    settings: Settings, world: World
) -> None:
    strict = _app_with(settings, sign_in_rate_limit="3 per hour")
    client = fresh(strict)
    for _ in range(3):
        assert sign_in(client, "cm@northmoor.example", "wrong password here").status_code == 200
    refused = sign_in(client, "cm@northmoor.example")  # the right password waits too
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert re.search(r"Try again in (1 hour|59 minutes)<", html), html
    assert 3500 < int(refused.headers["Retry-After"]) <= 3600
    assert "<title>Error: Sign in" in html


def test_a_successful_sign_in_clears_the_failures(app: Flask, world: World) -> None:
    client = fresh(app)
    for _ in range(4):
        assert sign_in(client, "cm@northmoor.example", "wrong password here").status_code == 200
    assert sign_in(client, "cm@northmoor.example").status_code == 302
    client.submit("/sign-out", form_page="/council/")
    for _ in range(4):
        again = sign_in(client, "cm@northmoor.example", "wrong password here")
        assert again.status_code == 200  # not 429: the count started again
    assert sign_in(client, "cm@northmoor.example").status_code == 302


def _fail_from(client: PortalClient, address: str, n: int) -> int:
    return sign_in(
        client,
        f"nobody{n}@example.org",
        "wrong password here",
        headers={"X-Forwarded-For": address},
    ).status_code


def test_behind_a_trusted_proxy_each_client_address_is_limited_separately(
    settings: Settings, world: World
) -> None:
    proxied = _app_with(settings, trusted_proxies=1, sign_in_ip_rate_limit="3 per minute")
    client = fresh(proxied)
    assert [_fail_from(client, "203.0.113.1", n) for n in range(4)] == [200, 200, 200, 429]
    assert _fail_from(client, "203.0.113.2", 9) == 200  # another client behind the balancer


def test_without_trusted_proxies_forwarded_addresses_are_ignored(
    settings: Settings, world: World
) -> None:
    direct = _app_with(settings, trusted_proxies=0, sign_in_ip_rate_limit="3 per minute")
    client = fresh(direct)
    assert [_fail_from(client, "203.0.113.1", n) for n in range(3)] == [200, 200, 200]
    assert _fail_from(client, "203.0.113.2", 9) == 429  # a made-up header changes nothing


# Item 4: password resets


def test_asking_for_a_reset_sends_nothing_by_itself_then_the_worker_sends_it(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    client = fresh(app)
    page = client.submit("/forgot-password", {"email": "CM@northmoor.example"})
    assert page.status_code == 200
    assert mailbox.messages == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(UserToken)) == 0
    assert list(db.session.scalars(select(PasswordResetRequest.email))) == ["cm@northmoor.example"]

    report = work_once()
    assert report.reset_emails == 1 and report.sent == 1
    [email] = mailbox.to("cm@northmoor.example")
    link = urlsplit(mailbox.link_in(email)).path
    assert client.get(link).status_code == 200
    done = client.submit(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.headers["Location"] == "/sign-in"
    assert sign_in(fresh(app), "cm@northmoor.example", NEW_PASSWORD).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PasswordResetRequest)) == 0


def test_an_unknown_address_gets_nothing_and_leaves_no_record(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    fresh(app).submit("/forgot-password", {"email": "ghost@northmoor.example"})
    work_once()
    assert mailbox.messages == []
    assert db.session.scalar(select(func.count()).select_from(PasswordResetRequest)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(UserToken)) == 0


def test_the_worker_command_runs_one_pass(app: Flask, world: World, mailbox: Mailbox) -> None:
    fresh(app).submit("/forgot-password", {"email": "cm@northmoor.example"})
    result = app.test_cli_runner().invoke(args=["outbox", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 reset request: 1 email written; 1 email sent, 0 failed" in result.output
    assert len(mailbox.to("cm@northmoor.example")) == 1


def test_too_many_reset_requests_say_the_real_wait(app: Flask, world: World) -> None:
    client = fresh(app)
    for _ in range(5):
        assert (
            client.submit("/forgot-password", {"email": "cm@northmoor.example"}).status_code == 200
        )
    refused = client.submit("/forgot-password", {"email": "cm@northmoor.example"})
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert re.search(r"try again in (\d+ seconds|1 minute)\.", html), html[html.index("<main") :]
