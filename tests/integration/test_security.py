"""Security headers, cookies and the strict Content-Security-Policy."""

from __future__ import annotations

import re

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
