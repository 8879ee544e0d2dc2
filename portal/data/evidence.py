"""Evidence files and where their bytes live.

The bytes go through a FileStore. The default keeps them in the database, in the same transaction
as the file's record: a crash never leaves one without the other, every app server sees the same
files, and one backup holds everything. Object storage can be added as another FileStore.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select

from portal.data.models import EvidenceBlob, EvidenceFile, User
from portal.domain.evidence import CheckedFile
from portal.extensions import db


class FileStore(Protocol):
    name: str

    def put(self, file: EvidenceFile, content: bytes) -> None: ...

    def get(self, file: EvidenceFile) -> bytes: ...


class DatabaseFileStore:
    name = "database"

    def put(self, file: EvidenceFile, content: bytes) -> None:
        db.session.add(EvidenceBlob(file_id=file.id, content=content))

    def get(self, file: EvidenceFile) -> bytes:
        blob = db.session.get(EvidenceBlob, file.id)
        if blob is None:
            raise LookupError(f"evidence file {file.id} has no content")
        return blob.content


STORES: dict[str, FileStore] = {"database": DatabaseFileStore()}


def attach(
    return_id: int,
    checked: CheckedFile,
    content: bytes,
    *,
    commitment_id: int | None,
    by: User,
    store: FileStore = STORES["database"],
) -> EvidenceFile:
    file = EvidenceFile(
        return_id=return_id,
        commitment_id=commitment_id,
        filename=checked.filename,
        kind=checked.kind.value,
        size=checked.size,
        sha256=checked.sha256,
        storage=store.name,
        uploaded_by_id=by.id,
    )
    db.session.add(file)
    db.session.flush()
    store.put(file, content)
    return file


def files_of(return_id: int) -> list[EvidenceFile]:
    query = (
        select(EvidenceFile)
        .where(EvidenceFile.return_id == return_id)
        .order_by(EvidenceFile.uploaded_at, EvidenceFile.id)
    )
    return list(db.session.scalars(query))


def get(return_id: int, file_id: int) -> EvidenceFile | None:
    return db.session.scalar(
        select(EvidenceFile).where(EvidenceFile.id == file_id, EvidenceFile.return_id == return_id)
    )


def content_of(file: EvidenceFile) -> bytes:
    return STORES[file.storage].get(file)


def remove(file: EvidenceFile) -> None:
    db.session.delete(file)  # the blob goes with it (ON DELETE CASCADE and the ORM cascade)
