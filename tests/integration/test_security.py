"""Security headers, cookies and the strict Content-Security-Policy."""

from __future__ import annotations

import re
from dataclasses import replace

from flask import Flask

from portal import create_app
from portal.config import Settings
from tests.conftest import World
from tests.support import PortalClient


def test_strict_content_security_policy(client: PortalClient) -> None:
    response = client.get("/sign-in")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["script-src"].startswith("'self' 'nonce-")
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    # The only inline script (GOV.UK's js-enabled class) carries this response's nonce.
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)  # type: ignore[union-attr]
    html = response.get_data(as_text=True)
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline_scripts and all(f'nonce="{nonce}"' in attrs for attrs in inline_scripts)
    assert " style=" not in html  # inline styles would be blocked


def test_usual_security_headers(client: PortalClient) -> None:
    headers = client.get("/").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Cache-Control"] == "no-store"
    assert "geolocation=()" in headers["Permissions-Policy"]


def test_session_cookie_is_http_only_and_same_site(client: PortalClient, world: World) -> None:
    token = client.csrf_token("/sign-in")
    response = client.post(
        "/sign-in",
        data={
            "csrf_token": token,
            "email": "cm@northmoor.example",
            "password": "correct horse battery",
        },
    )
    cookie = response.headers["Set-Cookie"]
    assert "portal_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure_and_hsts_is_on(settings: Settings) -> None:
    production = create_app(
        Settings(env="production", secret_key="p" * 64, database_url=settings.database_url)
    )
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    response = production.test_client().get("/accessibility", base_url="https://portal.example")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_development_cookies_work_over_plain_http(app: Flask) -> None:
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_a_crash_shows_the_service_error_page_and_saves_nothing(settings: Settings) -> None:
    from portal.auth.permissions import public
    from portal.data import organisations
    from portal.data.types import OrganisationKind
    from portal.extensions import db

    crashing = create_app(
        Settings(env="production", secret_key="p" * 64, database_url=settings.database_url)
    )

    @public
    def half_done() -> str:
        organisations.create(
            name="Half Done Ltd",
            kind=OrganisationKind.SUPPLIER,
            is_sme=False,
            is_vcse=False,
            by=None,
        )
        raise RuntimeError("boom")

    crashing.add_url_rule("/half-done", view_func=half_done)
    response = crashing.test_client().get("/half-done")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)
    assert "boom" not in response.get_data(as_text=True)
    with crashing.app_context():
        assert not organisations.name_taken("Half Done Ltd")
        db.engine.dispose()


def test_rate_limits_can_live_in_redis(settings: Settings) -> None:
    """With several processes, limits must be shared: Flask-Limiter on the local Redis."""
    import redis

    from portal.extensions import limiter

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        import pytest

        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    shared = create_app(
        replace(
            settings,
            ratelimit_storage_uri="redis://127.0.0.1:6379/15",
            sign_in_ip_rate_limit="3 per minute",
        )
    )
    shared.test_client_class = PortalClient
    limiter.reset()
    client: PortalClient = shared.test_client()  # type: ignore[assignment]
    codes = [
        client.submit("/forgot-password", {"email": f"x{i}@example.org"}).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    # The count is in Redis, where every process sees it.
    keys = redis.Redis(host="127.0.0.1", port=6379, db=15).keys("LIMITS*")
    assert keys
    limiter.reset()
