"""Ways to hand an email over: SMTP, GOV.UK Notify, or the console/a folder for development.

Each transport's send() returns a reference (a Message-ID or a Notify id) or raises
TransportError with a message worth keeping. close() ends a delivery run.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import sys
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Protocol, TextIO

from portal.config import Settings
from portal.data.models import OutboxMessage


class TransportError(RuntimeError):
    pass


class Transport(Protocol):
    def send(self, message: OutboxMessage) -> str | None: ...

    def close(self) -> None: ...


class _NothingToClose:
    def close(self) -> None:
        pass


def _as_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    email.set_content(message.body)
    return email


class ConsoleTransport(_NothingToClose):
    def __init__(self, sender: str, stream: TextIO | None = None) -> None:
        self.sender = sender
        self.stream = stream or sys.stdout

    def send(self, message: OutboxMessage) -> str | None:
        email = _as_email(message, self.sender)
        self.stream.write(f"\n----- email -----\n{email.as_string()}\n-----------------\n")
        self.stream.flush()
        return str(email["Message-ID"])


class FileTransport(_NothingToClose):
    """Writes each email as an .eml file: handy for development and demos."""

    def __init__(self, sender: str, folder: Path) -> None:
        self.sender = sender
        self.folder = folder

    def send(self, message: OutboxMessage) -> str | None:
        self.folder.mkdir(parents=True, exist_ok=True)
        email = _as_email(message, self.sender)
        path = self.folder / f"{message.id:08d}-{message.kind}.eml"
        path.write_bytes(bytes(email))
        return str(path)


class SmtpTransport:
    """One connection for a whole delivery run, opened on the first email and opened again if
    the server has dropped it: a run of thousands of reminders does not pay for thousands of
    connections and logins."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.connection: smtplib.SMTP | None = None

    def send(self, message: OutboxMessage) -> str | None:
        s = self.settings
        email = _as_email(message, s.mail_from)
        try:
            if self.connection is None:
                self.connection = self._connect()
            try:
                self.connection.send_message(email)
            except smtplib.SMTPServerDisconnected:  # idle too long: the server hung up
                self.connection = self._connect()
                self.connection.send_message(email)
        except (OSError, smtplib.SMTPException) as error:
            self.close()  # whatever state it is in, the next email starts afresh
            raise TransportError(f"SMTP {s.smtp_host}:{s.smtp_port}: {error}") from error
        return str(email["Message-ID"])

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.smtp_security == "ssl":
            smtp = smtplib.SMTP_SSL(
                s.smtp_host,
                s.smtp_port,
                timeout=s.smtp_timeout_seconds,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        try:
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.quit()
            self.connection.close()
            self.connection = None


class NotifyTransport(_NothingToClose):
    """GOV.UK Notify, with one template whose subject is ((subject)) and body ((body))."""

    def __init__(self, settings: Settings) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(
            settings.notify_api_key,
            base_url=settings.notify_base_url,
            timeout=settings.smtp_timeout_seconds,
        )
        self.template_id = settings.notify_template_id

    def send(self, message: OutboxMessage) -> str | None:
        from notifications_python_client.errors import APIError

        try:
            response = self.client.send_email_notification(
                email_address=message.recipient,
                template_id=self.template_id,
                personalisation={"subject": message.subject, "body": message.body},
                reference=message.key[:1000],
            )
        except (APIError, OSError) as error:
            raise TransportError(f"GOV.UK Notify: {error}") from error
        return str(response.get("id")) if isinstance(response, dict) else None


def from_settings(settings: Settings, instance_path: str) -> Transport:
    if settings.mail_transport == "smtp":
        return SmtpTransport(settings)
    if settings.mail_transport == "notify":
        return NotifyTransport(settings)
    if settings.mail_transport == "file":
        folder = Path(settings.mail_file_dir or Path(instance_path) / "outbox")
        return FileTransport(settings.mail_from, folder)
    return ConsoleTransport(settings.mail_from)
