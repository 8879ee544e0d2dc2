"""Uploaded contract files, kept between the preview and the manager's confirmation."""

from __future__ import annotations

from sqlalchemy import select

from portal.data.base import utcnow
from portal.data.models import ContractImport, User
from portal.extensions import db

__all__ = ["ContractImport", "get_for", "mark_imported", "store"]


def store(user: User, *, filename: str, content: bytes) -> ContractImport:
    upload = ContractImport(
        council_id=user.organisation_id,
        uploaded_by_id=user.id,
        filename=filename[:255],
        content=content,
    )
    db.session.add(upload)
    db.session.flush()
    return upload


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
