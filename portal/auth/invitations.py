"""Inviting a person: the account, its single-use link and the email, saved together."""

from __future__ import annotations

from datetime import timedelta

from portal.config import current_settings
from portal.data import commit, users
from portal.data.models import Organisation, User
from portal.data.types import Role, TokenPurpose
from portal.notifications import delivery, emails


def invite(
    *, email: str, full_name: str, role: Role, organisation: Organisation, invited_by: User
) -> User:
    """Raises users.EmailInUse if the address already has an account."""
    user = users.invite(
        email=email,
        full_name=full_name,
        role=role,
        organisation=organisation,
        invited_by=invited_by,
    )
    send_link(user, invited_by)
    return user


def send_link(user: User, invited_by: User) -> None:
    """A new invitation link (earlier ones keep working until they expire or one is used)."""
    valid_for = timedelta(days=current_settings().invitation_valid_days)
    token = users.issue_token(user, TokenPurpose.INVITATION, valid_for, created_by=invited_by)
    message = emails.invitation(user, token=token, invited_by=invited_by)
    commit()
    delivery.deliver([message.id])
