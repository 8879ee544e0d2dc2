"""Error pages that look like the rest of the service and leak nothing."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from portal import logs

log = logging.getLogger(__name__)

PAGES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/404.html",
    409: "errors/409.html",
    410: "errors/404.html",
    413: "errors/413.html",
    429: "errors/429.html",
    500: "errors/500.html",
    503: "errors/500.html",
}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_template("errors/400.html", csrf=True), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        # Unhandled exceptions arrive here as a 500; Flask-SQLAlchemy rolls the session back.
        code = error.code or 500
        if code not in PAGES:
            return error
        if code >= 500:
            return render_failure(code)
        if code == 413:
            logs.upload_too_large()
        if code == 429:
            _log_rate_limit()
        return render_template(PAGES[code], error=error, wait=_rate_limit_wait()), code

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeoutError)
    def database_unavailable(error: Exception) -> tuple[str, int]:
        # A time limit hit (a held lock, a slow query), the database unreachable or every
        # connection busy: the service is unavailable for now, not broken.
        log.warning("database unavailable: %s", str(error).splitlines()[0])
        return render_failure(503)


def render_failure(code: int) -> tuple[str, int]:
    """The 500 and 503 pages, drawn without the database: it may be what failed. The request's
    changes are rolled back, the page is drawn for nobody signed in (loading the user or their
    organisation would query again) and the session is not saved."""
    from portal.extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 (a dead connection cannot roll back; the pool drops it)
        log.warning("rollback failed after a database error", exc_info=True)
    g._login_user = AnonymousUserMixin()  # what Flask-Login's current_user returns from now on
    g.skip_session_save = True
    return render_template(PAGES[code], reference=logs.request_id()), code


def _log_rate_limit() -> None:
    """Flask-Limiter's 429 (the password reset page): the breached limit's rule."""
    from portal.extensions import limiter

    current = limiter.current_limit
    logs.rate_limited(request.endpoint or "", str(current.limit) if current else "")


def _rate_limit_wait() -> str | None:
    """The real wait before a rate-limited request may be made again, in words."""
    import time

    from portal.domain.sessions import wait_in_words
    from portal.extensions import limiter

    current = limiter.current_limit
    if current is None or not current.breached:
        return None
    return wait_in_words(current.window.reset_time - time.time())
