"""Structured logs: one JSON object a line for a machine to collect, or readable lines in
development (LOG_FORMAT, LOG_LEVEL). The only module that knows the format.

What gets logged: one line per request (its id, the user's id, the route, status and
duration), every unhandled exception with the request's id, one summary line per job run, and
warnings for refused uploads and rate limits. What never does: an email address, a name, a
password, a file's name or contents, a query string, a raw path (reset and invitation links
carry tokens in theirs) or a client's address in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import sys
import time
from types import TracebackType
from typing import IO, Any

import structlog
from flask import Flask, current_app, g, has_request_context, request, session
from flask.logging import default_handler
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import Field

from portal.config import Settings

log = structlog.get_logger("portal")

REQUEST_ID_HEADER = "X-Request-Id"
# A load balancer's or caller's own id is kept only if it is this plain: it goes into every line.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# Added to every line, structlog's own and the standard library's (Flask, SQLAlchemy, ...).
_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,  # the request id, while a request runs
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


class _StderrHandler(logging.StreamHandler):
    """Writes to sys.stderr as it is at the time, so that a test's capture or click's test
    runner sees the lines, as the standard library's last-resort handler does."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> IO[str]:
        return sys.stderr


def configure(settings: Settings) -> None:
    """Send every log line to stderr in the configured format. Called by create_app; a second
    call (another app in the same process) replaces the handler instead of adding one."""
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    renderer: list[Any] = (
        [structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())]
        if settings.logs_as == "console"
        else [_leading, structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    )
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_SHARED,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
        )
    )
    handler.addFilter(_no_werkzeug_request_lines)
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    # Alembic announces each of its plugins as it is imported: noise in every process.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # Flask-Limiter names each breach's key (an email address, a client's address) at info:
    # rate_limited below says which limit without them. Its warnings (storage down) stay.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)
    # Flask gives its app's logger a plain handler of its own if no other was set up first.
    logging.getLogger("portal").removeHandler(default_handler)


def _leading(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """When, how bad and what first, for a person reading the raw lines."""
    first = {
        key: event_dict.pop(key) for key in ("timestamp", "level", "event") if key in event_dict
    }
    return first | event_dict


def _no_werkzeug_request_lines(record: logging.LogRecord) -> bool:
    """`flask run` logs each request with its raw path, query string and client address: the
    request line below replaces it."""
    return not (record.name == "werkzeug" and " - - [" in str(record.msg))


def init_app(app: Flask) -> None:
    """Give each request an id and write its line at the end. First of all the hooks, so the
    id exists for any page another hook draws (the 503 when the session cannot be loaded)."""
    app.before_request(_start_request)
    app.after_request(_end_request)  # after_request hooks run last-registered first: this last
    app.teardown_request(_forget_request)


def _start_request() -> None:
    structlog.contextvars.clear_contextvars()
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else secrets.token_hex(8)
    g.request_started = time.perf_counter()
    structlog.contextvars.bind_contextvars(request_id=g.request_id)


def _end_request(response: Response) -> Response:
    if "request_id" not in g:  # a hook before ours refused the request
        return response
    response.headers[REQUEST_ID_HEADER] = g.request_id
    if request.endpoint != "static":  # static files are not logged
        log.info(
            "request",
            user_id=_user_id(),
            method=request.method,
            route=request.url_rule.rule if request.url_rule else None,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - g.request_started) * 1000, 1),
        )
    return response


def _forget_request(_error: BaseException | None) -> None:
    structlog.contextvars.clear_contextvars()


def _user_id() -> int | None:
    """The signed-in user's id, from the server-side session (no query: the database may be
    what failed)."""
    return getattr(session, "user_id", None) if has_request_context() else None


def request_id() -> str | None:
    """This request's id, which the 500 and 503 pages show for the user to quote."""
    return g.get("request_id") if has_request_context() else None


def request_failed(
    exc_info: tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None],
) -> None:
    """An unhandled exception (in place of Flask's own line, which gives the raw path)."""
    log.error(
        "unhandled exception",
        user_id=_user_id(),
        method=request.method,
        route=request.url_rule.rule if request.url_rule else None,
        exc_info=exc_info,
    )


def upload_refused(kind: str, field: Field) -> None:
    """A warning for an upload refused after it was read (a file field with errors): the
    reason in our own words, never the file's name or what is in it."""
    if not field.errors:
        return  # not refused: something else on the form went wrong
    log.warning(
        "upload refused",
        kind=kind,
        reason=refusal_reason(str(field.errors[0])),
        size_bytes=_size_of(field.data),
        user_id=_user_id(),
    )


def upload_too_large() -> None:
    """A warning for a request refused unread for its size (413)."""
    log.warning(
        "upload refused",
        kind=request.endpoint,
        reason="too large",
        size_bytes=request.content_length,
        user_id=_user_id(),
    )


# Our refusal messages (portal.spreadsheets, portal.domain.evidence and zips, the import plan),
# by the words that tell them apart, first match wins.
_REASONS = (
    ("is empty", "empty"),
    ("password protected", "password protected"),
    ("macros", "macros"),
    ("smaller than", "too large"),
    ("or fewer", "too big a table"),
    ("longer than", "too big a table"),
    ("packed", "packed too tightly"),
    ("too many parts", "too many parts"),
    ("need fixing", "rows with problems"),
    ("needs fixing", "rows with problems"),
    ("must be a", "not a file type we take"),
)


def refusal_reason(message: str) -> str:
    lowered = message.lower()
    return next((reason for words, reason in _REASONS if words in lowered), "unreadable")


def _size_of(upload: Any) -> int | None:
    if not isinstance(upload, FileStorage):
        return None
    stream = upload.stream
    position = stream.tell()
    size = stream.seek(0, 2)
    stream.seek(position)
    return size


def rate_limited(limit: str, rule: str) -> None:
    """A warning for a request refused by a rate limit: which one, the user's id if anyone is
    signed in, and the client's address only as a keyed hash (the same client gives the same
    value, which is enough to see one client hammering)."""
    address = (request.remote_addr or "").encode()
    key = current_app.config["SECRET_KEY"].encode()
    log.warning(
        "rate limited",
        limit=limit,
        rule=rule,
        route=request.url_rule.rule if request.url_rule else None,
        user_id=_user_id(),
        client=hmac.new(key, address, hashlib.sha256).hexdigest()[:16],
    )


def job_finished(job: str, started: float, **counts: Any) -> None:
    """The summary line of a job run: its name, how long it took (from `started`, a
    time.perf_counter() reading) and its counts."""
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    log.info("job finished", job=job, duration_ms=duration_ms, **counts)
