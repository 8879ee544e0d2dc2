"""Inviting a person: the account, its single-use link and the email, saved together."""

from __future__ import annotations

from datetime import timedelta

from portal.config import current_settings
from portal.data import commit, users
from portal.data.models import Organisation, User
from portal.data.types import Role, TokenPurpose
from portal.notifications import emails


def invite(
    *, email: str, full_name: str, role: Role, organisation: Organisation, invited_by: User
) -> tuple[User, str]:
    """The new account, and what to tell whoever invited them (see send_link). Raises
    users.EmailInUse if the address already has an account."""
    user = users.invite(
        email=email,
        full_name=full_name,
        role=role,
        organisation=organisation,
        invited_by=invited_by,
    )
    return user, send_link(user, invited_by)


def send_link(user: User, invited_by: User, *, again: bool = False) -> str:
    """A new invitation link (earlier ones keep working until they expire or one is used).
    Returns what to tell whoever sent it. The email is written to the outbox with the link;
    the delivery worker sends it within seconds (no request waits on a mail server)."""
    valid_for = timedelta(days=current_settings().invitation_valid_days)
    token = users.issue_token(user, TokenPurpose.INVITATION, valid_for, created_by=invited_by)
    message = emails.invitation(user, token=token, invited_by=invited_by)
    commit()
    return (
        f"A new invitation to {message.recipient} is being sent"
        if again
        else f"An invitation to {message.recipient} is being sent"
    )
