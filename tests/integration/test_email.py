"""The outbox and its transports: SMTP to a real server, files, the console; retries on failure."""

from __future__ import annotations

import io
import json
import threading
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect

from portal.config import Settings
from portal.data import commit, outbox
from portal.data.base import utcnow
from portal.data.models import OutboxMessage
from portal.data.types import EmailKind, EmailStatus
from portal.extensions import db
from portal.notifications import delivery
from portal.notifications.transports import ConsoleTransport, FileTransport, SmtpTransport
from tests.support import Mailbox, free_port


def queue(key: str = "k1", recipient: str = "someone@example.org") -> OutboxMessage:
    message = outbox.enqueue(
        key=key,
        kind=EmailKind.PASSWORD_RESET,
        recipient=recipient,
        subject="Hello",
        body="Plain text body",
        user_id=None,
        council_id=None,
    )
    commit()
    return message


def test_smtp_delivery_reaches_the_server(app: Flask, mailbox: Mailbox) -> None:
    message = queue()
    report = delivery.deliver()
    assert (report.sent, report.failed) == (1, 0)
    [received] = mailbox.messages
    assert received["To"] == "someone@example.org" and received["Subject"] == "Hello"
    assert received["From"] == app.config["SETTINGS"].mail_from
    assert mailbox.body(received).strip() == "Plain text body"
    db.session.refresh(message)
    assert message.status is EmailStatus.SENT and message.attempts == 1
    assert message.transport_reference == received["Message-ID"]


def test_a_delivery_run_sends_everything_over_one_connection(app: Flask, mailbox: Mailbox) -> None:
    for number in range(3):
        queue(f"key-{number}", f"person{number}@example.org")
    assert delivery.deliver().sent == 3
    assert len(mailbox.peers) == 3
    assert len(set(mailbox.peers)) == 1  # one client port: one connection


def test_a_dropped_connection_is_opened_again(
    app: Flask, settings: Settings, mailbox: Mailbox
) -> None:
    transport = SmtpTransport(settings)
    transport.send(queue("first"))
    assert transport.connection is not None
    transport.connection.close()  # as if the server had hung up between two emails
    transport.send(queue("second"))
    transport.close()
    assert transport.connection is None
    assert len(mailbox.messages) == 2 and len(set(mailbox.peers)) == 2


def test_a_delivery_run_leaves_the_sessions_other_objects_loaded(
    app: Flask, mailbox: Mailbox
) -> None:
    # Expiring every loaded object at each of a run's commits made a reminder run quadratic.
    waiting, sent = queue("waiting"), queue("sent")
    db.session.refresh(waiting)
    assert delivery.deliver([sent.id]).sent == 1
    assert not inspect(waiting).expired_attributes
    assert db.session().expire_on_commit  # as it was, for everything else


def test_the_same_key_is_queued_once_and_sent_once(app: Flask, mailbox: Mailbox) -> None:
    first = queue("same")
    second = queue("same")
    assert first.id == second.id
    delivery.deliver()
    delivery.deliver()  # a second run finds nothing pending
    assert len(mailbox.messages) == 1


def test_a_failed_delivery_is_kept_and_retried_up_to_the_limit(
    app: Flask, settings: Settings, mailbox: Mailbox
) -> None:
    message = queue()
    nowhere = replace(settings, smtp_port=free_port(), mail_max_attempts=2)
    app.config["SETTINGS"] = nowhere
    try:
        assert delivery.deliver().failed == 1
        db.session.refresh(message)
        assert message.status is EmailStatus.PENDING and message.attempts == 1
        assert "Connection refused" in (message.last_error or "")
        assert message.next_attempt_at is not None
        assert delivery.deliver().failed == 0  # not due again for a minute
        message.next_attempt_at = utcnow() - timedelta(seconds=1)
        commit()
        assert delivery.deliver().failed == 1
        db.session.refresh(message)
        assert message.status is EmailStatus.FAILED and message.attempts == 2
    finally:
        app.config["SETTINGS"] = settings
    assert delivery.deliver().sent == 0  # failed for good: not retried again
    assert mailbox.messages == []


def test_file_transport_writes_an_eml(app: Flask, tmp_path: Path) -> None:
    message = queue()
    reference = FileTransport("portal@example.org", tmp_path).send(message)
    written = Path(str(reference)).read_text()
    assert "Subject: Hello" in written and "Plain text body" in written


def test_console_transport_prints_the_email(app: Flask) -> None:
    stream = io.StringIO()
    ConsoleTransport("portal@example.org", stream).send(queue())
    assert "To: someone@example.org" in stream.getvalue()


class FakeNotify(BaseHTTPRequestHandler):
    """A stand-in for the GOV.UK Notify API on 127.0.0.1: records requests, answers like Notify."""

    received: list[dict[str, object]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeNotify.received.append(
            {"path": self.path, "auth": self.headers["Authorization"], "body": body}
        )
        reply = json.dumps({"id": "notify-id-123", "reference": body.get("reference")}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


def test_notify_transport_calls_the_notify_api(app: Flask, settings: Settings) -> None:
    server = HTTPServer(("127.0.0.1", 0), FakeNotify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeNotify.received.clear()
    app.config["SETTINGS"] = replace(
        settings,
        mail_transport="notify",
        notify_api_key="test-11111111-1111-1111-1111-111111111111-"
        "22222222-2222-2222-2222-222222222222",
        notify_template_id="33333333-3333-3333-3333-333333333333",
        notify_base_url=f"http://127.0.0.1:{server.server_port}",
    )
    try:
        message = queue("notify-key")
        assert delivery.deliver().sent == 1
    finally:
        app.config["SETTINGS"] = settings
        server.shutdown()
    [request] = FakeNotify.received
    assert request["path"] == "/v2/notifications/email"
    assert str(request["auth"]).startswith("Bearer ")  # a signed JWT, as Notify expects
    assert request["body"] == {
        "email_address": "someone@example.org",
        "template_id": "33333333-3333-3333-3333-333333333333",
        "personalisation": {"subject": "Hello", "body": "Plain text body"},
        "reference": "notify-key",
    }
    db.session.refresh(message)
    assert message.status is EmailStatus.SENT and message.transport_reference == "notify-id-123"
