"""Hand pending outbox messages to the configured transport."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass

from flask import current_app

from portal.config import Settings, current_settings
from portal.data import outbox
from portal.notifications.transports import Transport, TransportError, from_settings


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def transport() -> Transport:
    settings: Settings = current_settings()
    return from_settings(settings, current_app.instance_path)


def deliver(message_ids: list[int] | None = None) -> DeliveryReport:
    """Send these messages, or every pending one (in batches until none is left that this run
    has not tried). Each message is claimed and marked in its own transaction."""
    settings: Settings = current_settings()
    chosen = transport()
    report = DeliveryReport()
    tried: set[int] = set()
    with outbox.delivery_run(), closing(chosen):
        while True:
            batch = (
                message_ids
                if message_ids is not None
                else [i for i in outbox.pending_ids() if i not in tried]
            )
            for message_id in batch:
                tried.add(message_id)
                message = outbox.claim(message_id)
                if message is None:
                    continue
                try:
                    reference = chosen.send(message)
                except TransportError as error:
                    # The kind of error only: its words may name the recipient. They are kept
                    # with the email, for the Emails page.
                    kind = type(error.__cause__ or error).__name__
                    current_app.logger.warning("email %s not delivered: %s", message.id, kind)
                    outbox.mark_failed(message, str(error), settings.mail_max_attempts)
                    report.failed += 1
                else:
                    outbox.mark_sent(message, reference)
                    report.sent += 1
            if message_ids is not None or not batch:
                return report
