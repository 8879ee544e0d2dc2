"""Honest failure when the database is slow, locked or gone (issue 13, items 4 and 5): the
portal's own "try again later" page with a 503, never a bare 500 or a worker tied up, /healthz
quick to say so, and recovery by itself once the database is back."""

from __future__ import annotations

import contextlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import click
import psycopg
import pytest
from flask import Flask
from sqlalchemy import text

from portal import create_app, runs_a_command
from portal.config import Settings
from portal.extensions import db
from tests.conftest import World, sign_in_as
from tests.support import PortalClient, free_port

SORRY = "Sorry, there is a problem with the service"


def needs_postgresql(settings: Settings) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite has no lock or statement time limits")


def make_app(settings: Settings) -> Flask:
    application = create_app(settings)
    application.test_client_class = PortalClient
    return application


def test_web_and_command_connections_get_their_own_time_limits(settings: Settings) -> None:
    needs_postgresql(settings)
    web = make_app(replace(settings, db_statement_timeout_ms=7000, db_lock_timeout_ms=2000))
    # The flask command makes the app inside its click context; `flask run` serves requests.
    with click.Context(click.Command("outbox"), info_name="outbox"):
        assert runs_a_command()
        job = make_app(replace(settings, job_statement_timeout_ms=0, job_lock_timeout_ms=60000))
    with click.Context(click.Command("run"), info_name="run"):
        assert not runs_a_command()
    for application, expected in ((web, ("7s", "2s")), (job, ("0", "1min"))):
        with application.app_context():
            limits = (
                db.session.execute(text("SHOW statement_timeout")).scalar(),
                db.session.execute(text("SHOW lock_timeout")).scalar(),
            )
            db.session.remove()
            db.engine.dispose()
        assert limits == expected


def test_a_held_table_lock_gives_the_try_again_page_within_the_lock_timeout(
    settings: Settings, world: World
) -> None:
    needs_postgresql(settings)
    quick = make_app(replace(settings, db_lock_timeout_ms=500))
    manager = sign_in_as(quick, world.manager)
    db.session.commit()  # the test's own session holds no lock on contracts
    conninfo = settings.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as locker:
        locker.execute("SET lock_timeout = '5s'")
        locker.execute("LOCK TABLE contracts IN ACCESS EXCLUSIVE MODE")  # psycopg opened BEGIN
        started = time.monotonic()
        response = manager.get("/council/contracts")
        elapsed = time.monotonic() - started
        locker.rollback()
    assert response.status_code == 503
    assert SORRY in response.text
    assert "Try again later" in response.text
    assert elapsed < 0.5 + 1, f"took {elapsed:.2f} s"
    # The lock gone, the same session works again: nothing was left half-done.
    assert manager.get("/council/contracts").status_code == 200
    with quick.app_context():
        db.engine.dispose()


@pytest.fixture
def unreachable(settings: Settings) -> Iterator[Flask]:
    """The app with its database on a closed port (PostgreSQL need not be running at all)."""
    port = free_port()  # bound and closed again: nothing listens there
    url = f"postgresql+psycopg://portal@127.0.0.1:{port}/portal"
    yield make_app(replace(settings, database_url=url))


def test_healthz_says_503_quickly_when_the_database_is_unreachable(unreachable: Flask) -> None:
    client = unreachable.test_client()
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.text == "database unavailable\n"
    assert elapsed < 2.5, f"took {elapsed:.2f} s"


def test_pages_give_the_try_again_page_when_the_database_is_unreachable(
    unreachable: Flask,
) -> None:
    # A signed-in browser: its session cookie cannot be looked up.
    client = unreachable.test_client()
    client.set_cookie("portal_session", secrets.token_urlsafe(32))
    for path in ("/council/contracts", "/", "/auth/account"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert SORRY in response.text, path  # the portal's page, checked by PortalClient
        assert "Signed in as" not in response.text
    # Nobody signed in: pages that need no data still work.
    assert unreachable.test_client().get("/accessibility").status_code == 200


class Proxy:
    """A TCP relay to PostgreSQL that can be cut and restored: the database going away and
    coming back, as a network failure or a restart looks to the app."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        assert self.listener is not None
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def test_the_app_recovers_by_itself_when_the_database_is_back(
    settings: Settings, world: World
) -> None:
    needs_postgresql(settings)
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    relayed = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    application = make_app(replace(settings, database_url=relayed))
    manager = sign_in_as(application, world.manager)
    client = application.test_client()
    try:
        assert client.get("/healthz").status_code == 200
        assert manager.get("/council/contracts").status_code == 200
        proxy.stop()
        assert client.get("/healthz").status_code == 503
        response = manager.get("/council/contracts")
        assert response.status_code == 503
        assert SORRY in response.text
        proxy.start()
        assert client.get("/healthz").status_code == 200
        assert manager.get("/council/contracts").status_code == 200
    finally:
        proxy.stop()
        with application.app_context():
            db.engine.dispose()
