"""The social value commitment tracker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import logs
from portal.config import Settings, engine_options

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Portal(Flask):
    def log_exception(self, exc_info: Any) -> None:
        logs.request_failed(exc_info)  # Flask's own line names the raw path (it may hold a token)


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    settings = settings or Settings.from_env()
    logs.configure(settings)
    app = Portal(
        __name__,
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    Path(app.instance_path).mkdir(exist_ok=True)
    database_url = settings.sqlalchemy_url(app.instance_path)
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(settings, database_url, job=runs_a_command()),
        TESTING=settings.env == "test",
        SESSION_COOKIE_NAME="portal_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.is_production,
        PERMANENT_SESSION_LIFETIME=settings.session_hours * 3600,
        # Larger requests are refused (413) before they are read: evidence plus form overhead.
        MAX_CONTENT_LENGTH=(max(settings.evidence_max_mb, 10) + 1) * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=settings.session_hours * 3600,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_HEADERS_ENABLED=True,
    )
    app.config.update(overrides)
    if settings.trusted_proxies:
        # Behind N proxies, the client's address is the Nth from the right in X-Forwarded-For;
        # with none trusted, those headers are ignored (a client could write anything there).
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n
        )

    from portal import request_input

    logs.init_app(app)  # first: every request gets its id before anything can refuse it
    request_input.init_app(app)  # its converter must be in place before any route
    _init_extensions(app, settings)
    _init_templates(app)
    _register_blueprints(app)

    from portal import cli, errors

    errors.init_app(app)
    cli.init_app(app)
    return app


def runs_a_command() -> bool:
    """Whether this app is made for a `flask` command (a job, a migration, the delivery worker),
    which gets the job time limits. The flask command makes the app inside its click context;
    gunicorn and the tests make it outside one, and `flask run` inside its own "run" context:
    those serve requests and get the web limits."""
    import click

    context = click.get_current_context(silent=True)
    return context is not None and context.info_name != "run"


def _init_extensions(app: Flask, settings: Settings) -> None:
    from portal import security, sessions
    from portal.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    # Batch mode lets later migrations alter tables on SQLite too.
    migrate.init_app(
        app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    sessions.init_app(app)
    security.init_app(app, settings)


@event.listens_for(Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _init_templates(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from portal import template_helpers

    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("portal"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    WTFormsHelpers(app)
    template_helpers.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from portal.admin.views import admin
    from portal.auth.views import auth
    from portal.council import (  # noqa: F401 (routes join the council blueprint)
        payees,
        performance,
        queues,
        spend,
        spend_loading,
    )
    from portal.council.views import council
    from portal.pages.views import pages
    from portal.supplier.views import supplier

    for blueprint in (pages, auth, council, supplier, admin):
        app.register_blueprint(blueprint)
