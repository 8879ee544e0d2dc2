"""Uploaded contract files, kept between the preview and the manager's confirmation.

The rows are read once, when the file is uploaded, and kept with it: a preview or confirmation
never reads the file again (reading a large workbook is the expensive part).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select

from portal import spreadsheets
from portal.data.base import utcnow
from portal.data.models import ContractImport, User
from portal.extensions import db

__all__ = ["ContractImport", "get_for", "mark_imported", "rows_of", "store"]


# An upload never imported after this long is abandoned: the next upload clears it. Imported
# ones are kept, as the record of what created the contracts.
KEPT_UNIMPORTED_FOR = timedelta(days=1)


def store(user: User, *, filename: str, content: bytes, rows: list[list[Any]]) -> ContractImport:
    """Keep an upload whose rows spreadsheets.read_table has already read, first clearing the
    uploads abandoned for longer than KEPT_UNIMPORTED_FOR (each holds its file's bytes)."""
    db.session.execute(
        delete(ContractImport).where(
            ContractImport.imported_at.is_(None),
            ContractImport.created_at < utcnow() - KEPT_UNIMPORTED_FOR,
        )
    )
    upload = ContractImport(
        council_id=user.organisation_id,
        uploaded_by_id=user.id,
        filename=filename[:255],
        content=content,
        parsed_rows=spreadsheets.table_to_json(rows),
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def rows_of(upload: ContractImport) -> list[list[Any]]:
    """The upload's rows; one stored before rows were kept is read now, once, and they are kept.
    UnreadableFile if it cannot be read."""
    if upload.parsed_rows is None:
        upload.parsed_rows = spreadsheets.table_to_json(spreadsheets.read_table(upload.content))
        db.session.flush()
    return spreadsheets.table_from_json(upload.parsed_rows)


def get_for(user: User, import_id: int) -> ContractImport | None:
    """Only the person who uploaded a file can preview or confirm it."""
    return db.session.scalar(
        select(ContractImport).where(
            ContractImport.id == import_id,
            ContractImport.uploaded_by_id == user.id,
            ContractImport.council_id == user.organisation_id,
        )
    )


def mark_imported(upload: ContractImport, created: int) -> None:
    upload.imported_at = utcnow()
    upload.contracts_created = created
