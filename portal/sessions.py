"""Server-side sessions: the cookie carries only a random id, the database the rest.

A small table of our own rather than Flask-Session: we need to list a user's sessions and end
them all (sign-out everywhere, password change, deactivation), which needs the user on the row,
and an idle timeout as well as the absolute one.

Every request looks its session up; a session that is missing, ended, too old or (once signed
in) idle is replaced by an empty one, so its holder is signed out and their CSRF token is gone.
Writes happen only when the contents change, and last_seen_at at most once a minute.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, Request, Response, g, session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from flask_login import login_user, logout_user
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import CallbackDict

from portal.config import Settings, current_settings
from portal.data import sessions as store
from portal.data import users
from portal.data.base import utcnow
from portal.data.models import User
from portal.domain.sessions import SessionLimits, describe_browser, needs_touch
from portal.extensions import db


class ServerSession(CallbackDict[str, Any], SessionMixin):
    def __init__(self, initial: dict[str, Any] | None = None, *, row: Any = None) -> None:
        def on_update(self: ServerSession) -> None:
            self.modified = True

        super().__init__(initial, on_update)
        self.record_id: int | None = row.id if row is not None else None
        self.user_id: int | None = row.user_id if row is not None else None
        self.last_seen_at = row.last_seen_at if row is not None else None
        self.modified = False
        self.renew = False  # a new id at the next save (sign-in)
        self.touch_now = False  # write last_seen_at now ("Stay signed in")
        self.stale_cookie = False  # the request's cookie named no live session
        self.lookup_error: Exception | None = None  # the database failed to find it

    @property
    def new(self) -> bool:  # type: ignore[override]
        return self.record_id is None


def limits(settings: Settings) -> SessionLimits:
    return SessionLimits(
        absolute=timedelta(hours=settings.session_hours),
        idle=timedelta(minutes=settings.session_idle_minutes),
    )


class ServerSessionInterface(SessionInterface):
    serializer = TaggedJSONSerializer()  # what Flask's cookie sessions use: tuples, Markup...

    def open_session(self, app: Flask, request: Request) -> ServerSession | None:
        if request.path.startswith(f"{app.static_url_path}/"):
            return None  # static files: no session, no query (Flask uses a null session)
        raw = request.cookies.get(self.get_cookie_name(app))
        if not raw:
            return ServerSession()
        try:
            row = store.find(raw[:100])
        except OperationalError as error:
            # Raised here, Flask would answer with its bare 500 (this runs before any error
            # handler applies): keep the error for raise_lookup_error to raise in the request.
            db.session.rollback()
            unknown = ServerSession()
            unknown.lookup_error = error
            return unknown
        if row is not None and limits(app.config["SETTINGS"]).is_live(
            started_at=row.started_at,
            last_seen_at=row.last_seen_at,
            ended_at=row.ended_at,
            signed_in=row.user_id is not None,
            now=utcnow(),
        ):
            return ServerSession(self.serializer.loads(row.data), row=row)
        fresh = ServerSession()
        fresh.stale_cookie = True
        return fresh

    def save_session(
        self,
        app: Flask,
        session: SessionMixin,
        response: Response,
    ) -> None:
        assert isinstance(session, ServerSession)
        if g.get("skip_session_save") or session.lookup_error is not None:
            return  # a failed request (portal.errors.render_failure): nothing of it is kept
        name = self.get_cookie_name(app)
        now = utcnow()
        if session.record_id is not None:
            response.vary.add("Cookie")
        create = session.renew or (session.record_id is None and session.modified and session)
        if create:
            # Whatever the view left uncommitted would be rolled back at teardown anyway: roll
            # it back first, so that saving the session never commits half of a failed change.
            db.session.rollback()
            if session.record_id is not None:
                store.end(session.record_id, now)
            raw, row = store.create(
                data=self.serializer.dumps(dict(session)),
                user_id=session.user_id,
                browser=describe_browser(request_user_agent()),
                now=now,
            )
            db.session.commit()
            session.record_id, session.renew = row.id, False
            response.set_cookie(
                name,
                raw,
                expires=self.get_expiration_time(app, session),
                httponly=self.get_cookie_httponly(app),
                domain=self.get_cookie_domain(app),
                path=self.get_cookie_path(app),
                secure=self.get_cookie_secure(app),
                samesite=self.get_cookie_samesite(app),
            )
            return
        if session.record_id is not None and (
            session.modified
            or session.touch_now
            or session.last_seen_at is None
            or needs_touch(session.last_seen_at, now)
        ):
            db.session.rollback()
            data = self.serializer.dumps(dict(session)) if session.modified else None
            store.save(session.record_id, data=data, now=now)
            db.session.commit()
            return
        if session.stale_cookie and session.record_id is None:
            response.delete_cookie(
                name, domain=self.get_cookie_domain(app), path=self.get_cookie_path(app)
            )


def request_user_agent() -> str:
    from flask import request

    return request.headers.get("User-Agent", "")[:1000]


def init_app(app: Flask) -> None:
    app.session_interface = ServerSessionInterface()
    app.before_request(raise_lookup_error)


def raise_lookup_error() -> None:
    """before_request: a session that could not be looked up gets the portal's "try again
    later" page (portal.errors), never a page drawn as if nobody were signed in."""
    error = getattr(session, "lookup_error", None)
    if error is not None:
        raise error


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the user only if this session row was started for them, so that
    nothing but a sign-in (never a remember-me cookie) makes a session signed in."""
    user = users.load_session_user(user_id)
    if user is None or getattr(session, "user_id", None) != user.id:
        return None
    return user


def start(user: User) -> None:
    """Sign in: a new session id (no fixation), bound to this user."""
    current: Any = session
    current.clear()
    current.renew = True
    current.user_id = user.id
    current.permanent = True
    login_user(user)


def end() -> None:
    """Sign out: this session row ends, so a copy of its cookie opens nothing."""
    current: Any = session
    if current.record_id is not None:
        store.end(current.record_id, utcnow())
    logout_user()
    current.clear()
    current.record_id = current.user_id = None
    current.renew = False
    current.stale_cookie = True  # the browser forgets the old id unless a new one is set


def end_others(user: User) -> int:
    current: Any = session
    return store.end_all_for(user.id, utcnow(), except_id=current.record_id)


def keep_alive() -> None:
    current: Any = session
    current.touch_now = True


def active_sessions(user: User) -> list[Any]:
    return store.active_for(user.id, limits(current_settings()), utcnow())


def current_record_id() -> int | None:
    return getattr(session, "record_id", None)
