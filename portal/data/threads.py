"""The thread on each line of a return: the council's queries and reasons for reopening, and
the supplier's replies. Messages are only ever added, each with an audit event."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.data import audit
from portal.data.models import LineMessage, ReturnLine, User
from portal.data.types import MessageRole, Role
from portal.extensions import db


def post(line: ReturnLine, text: str, *, by: User, submission_number: int) -> LineMessage:
    """Add a message to the line's thread, from whichever side `by` is on."""
    role = MessageRole.SUPPLIER if by.role is Role.SUPPLIER_USER else MessageRole.COUNCIL
    message = LineMessage(
        line_id=line.id,
        author_id=by.id,
        role=role,
        text=text.strip(),
        submission_number=submission_number,
    )
    db.session.add(message)
    db.session.flush()
    audit.record(
        by,
        "written",
        "message",
        message.id,
        after={
            "line": line.commitment.measure.name,
            "from": role.value,
            "about submission": submission_number,
            "text": message.text,
        },
        contract_id=line.return_.contract_id,
    )
    return message


def of_return(return_id: int) -> dict[int, list[LineMessage]]:
    """Each line's messages by line id, oldest first, with their authors: one query."""
    query = (
        select(LineMessage)
        .join(ReturnLine, ReturnLine.id == LineMessage.line_id)
        .where(ReturnLine.return_id == return_id)
        .options(joinedload(LineMessage.author).joinedload(User.organisation))
        .order_by(LineMessage.created_at, LineMessage.id)
    )
    threads: dict[int, list[LineMessage]] = defaultdict(list)
    for message in db.session.scalars(query):
        threads[message.line_id].append(message)
    return dict(threads)
