"""Security headers, the session user loader and route access enforcement."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import LoginManager

from portal.auth.permissions import public, refuse_undeclared_routes
from portal.config import Settings
from portal.extensions import login_manager, talisman

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


# Downloads of uploaded files: nothing in them may run, even if a browser opens one.
sandboxed_download = talisman(
    content_security_policy="sandbox; default-src 'none'", content_security_policy_nonce_in=[]
)


def init_app(app: Flask, settings: Settings) -> None:
    talisman.init_app(
        app,
        force_https=False,  # TLS ends at the load balancer; HSTS below tells browsers to stay
        strict_transport_security=settings.is_production,
        strict_transport_security_max_age=31536000,
        session_cookie_secure=settings.is_production,
        session_cookie_http_only=True,
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
        x_content_type_options=True,
    )
    _init_login(login_manager)
    app.before_request(refuse_undeclared_routes)
    public(app.view_functions["static"])

    @app.after_request
    def no_caching_of_private_pages(response: Response) -> Response:
        # Pages and downloads alike hold someone's data; only static assets (and responses
        # that chose their own caching, like brand.css) may be kept.
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


def _init_login(manager: LoginManager) -> None:
    from portal import sessions

    manager.login_view = "auth.sign_in"
    manager.login_message = "Sign in to continue"
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(sessions.load_user)
