"""Error pages that look like the rest of the service and leak nothing."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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
        return render_template(PAGES[code], error=error, wait=_rate_limit_wait()), code


def _rate_limit_wait() -> str | None:
    """The real wait before a rate-limited request may be made again, in words."""
    import time

    from portal.domain.sessions import wait_in_words
    from portal.extensions import limiter

    current = limiter.current_limit
    if current is None or not current.breached:
        return None
    return wait_in_words(current.window.reset_time - time.time())
