"""Pages anyone may read: the start page, the statements, and the council's brand colours."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.wrappers import Response

from portal.auth.permissions import public
from portal.auth.views import home_for
from portal.config import current_settings
from portal.extensions import db

pages = Blueprint("pages", __name__)


@pages.route("/")
@public
def start() -> str | Response:
    if current_user.is_authenticated:
        return redirect(home_for(current_user.role))
    return render_template("pages/start.html", title=current_settings().service_name)


@pages.route("/accessibility")
@public
def accessibility() -> str:
    return render_template("pages/accessibility.html", title="Accessibility statement")


@pages.route("/cookies")
@public
def cookies() -> str:
    return render_template("pages/cookies.html", title="Cookies")


@pages.route("/privacy")
@public
def privacy() -> str:
    return render_template("pages/privacy.html", title="Privacy notice")


@pages.route("/brand.css")
@public
def brand_css() -> Response:
    """The council's colour, a setting, served as CSS so no inline style is needed."""
    colour = current_settings().brand_colour  # validated as #rrggbb at start-up
    css = f":root {{ --portal-brand-colour: {colour}; }}\n"
    response = current_app.response_class(css, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@pages.route("/healthz")
@public
def healthz() -> Response:
    """For the load balancer: the app answers and the database is reachable. Unreachable, it
    says so with a 503 within the connect timeout (DB_CONNECT_TIMEOUT_SECONDS)."""
    try:
        db.session.execute(text("SELECT 1"))
    except (OperationalError, PoolTimeoutError):
        db.session.rollback()
        return current_app.response_class(
            "database unavailable\n", status=503, mimetype="text/plain"
        )
    return current_app.response_class("ok\n", mimetype="text/plain")
