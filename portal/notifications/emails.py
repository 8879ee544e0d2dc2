"""One function per kind of email. Each renders a plain-text body and writes it to the outbox.

The caller commits, then delivers: an email exists only if the change that caused it was saved.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app, render_template, url_for

from portal.config import Settings
from portal.data import outbox
from portal.data.models import OutboxMessage, User
from portal.data.types import EmailKind


def _settings() -> Settings:
    return current_app.config["SETTINGS"]


def _absolute(endpoint: str, **values: Any) -> str:
    return _settings().base_url.rstrip("/") + url_for(endpoint, **values)


def _fingerprint(token: str) -> str:
    """Identifies one link in the outbox key without revealing it."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def invitation(user: User, *, token: str, invited_by: User) -> OutboxMessage:
    settings = _settings()
    body = render_template(
        "emails/invitation.txt",
        user=user,
        invited_by=invited_by,
        link=_absolute("auth.accept_invitation", token=token),
        valid_days=settings.invitation_valid_days,
        settings=settings,
    )
    return outbox.enqueue(
        key=f"invitation:{user.id}:{_fingerprint(token)}",
        kind=EmailKind.INVITATION,
        recipient=user.email,
        subject=f"You have been invited to {settings.council_name}'s {settings.service_name}",
        body=body,
        user_id=user.id,
    )


def password_reset(user: User, *, token: str) -> OutboxMessage:
    settings = _settings()
    body = render_template(
        "emails/password_reset.txt",
        user=user,
        link=_absolute("auth.reset_password", token=token),
        valid_minutes=settings.password_reset_valid_minutes,
        settings=settings,
    )
    return outbox.enqueue(
        key=f"password_reset:{user.id}:{_fingerprint(token)}",
        kind=EmailKind.PASSWORD_RESET,
        recipient=user.email,
        subject=f"Reset your password for {settings.service_name}",
        body=body,
        user_id=user.id,
    )
