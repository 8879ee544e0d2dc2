"""The delivery worker: what the web requests leave for later.

Password-reset requests become a link and an email for an active user, and nothing for any
other address (the request is deleted either way); then every pending email is delivered.
Spent sessions are purged on the way. Run by `flask outbox work` as a second process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from portal import sessions
from portal.config import current_settings
from portal.data import commit, users
from portal.data import sessions as session_store
from portal.data.base import utcnow
from portal.data.types import TokenPurpose
from portal.notifications import delivery, emails


@dataclass
class PassReport:
    reset_requests: int = 0
    reset_emails: int = 0
    sessions_purged: int = 0
    sent: int = 0
    failed: int = 0


def work_once() -> PassReport:
    report = PassReport()
    settings = current_settings()
    valid_for = timedelta(minutes=settings.password_reset_valid_minutes)
    while addresses := users.take_reset_requests():
        report.reset_requests += len(addresses)
        for address in addresses:
            user = users.get_by_email(address)
            if user is not None and user.is_active:
                token = users.issue_token(user, TokenPurpose.PASSWORD_RESET, valid_for)
                emails.password_reset(user, token=token)
                report.reset_emails += 1
        commit()
    report.sessions_purged = session_store.purge(sessions.limits(settings), utcnow())
    commit()
    delivered = delivery.deliver()
    report.sent, report.failed = delivered.sent, delivered.failed
    return report
