"""Crafted spreadsheets sent through the real upload forms: refused on the form, nothing saved;
and a stored contract import is read once, at upload, never again for its preview."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest
from sqlalchemy import func, select

from portal import spreadsheets
from portal.data import commit
from portal.data.models import Contract, ContractImport, Return, WorkforceEntry
from portal.extensions import db
from tests import crafted_files as crafted
from tests.conftest import World
from tests.integration.test_import import as_csv, rows_for, upload
from tests.integration.test_returns import PEOPLE, schedule, upload_people
from tests.integration.test_returns import ret as ret  # noqa: F401 (the fixture)
from tests.support import PortalClient

CSV_OR_EXCEL = "The selected file must be a CSV or Excel (.xlsx) file"
CRAFTED: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "shared-strings": (
        cache(crafted.huge_shared_strings),
        "people.xlsx",
        "The selected file must be smaller than 64 MB unzipped",
    ),
    "dimension": (
        crafted.huge_dimension,
        "people.xlsx",
        "The selected file must have 20,000 rows or fewer below the header (its first sheet is "
        "marked as using 1,048,576 rows: delete the empty rows below your table and save it "
        "again)",
    ),
    "far-row": (
        crafted.far_away_cell,
        "people.xlsx",
        "The selected file must have 20,000 rows or fewer below the header",
    ),
    "far-column": (
        lambda: crafted.far_away_cell("XFD3"),
        "people.xlsx",
        "The selected file must have 100 columns or fewer",
    ),
    "deep": (crafted.deep_xml, "people.xlsx", CSV_OR_EXCEL),
    "entities": (crafted.entity_expansion, "people.xlsx", CSV_OR_EXCEL),
    "csv-field": (
        crafted.csv_with_huge_field,
        "people.csv",
        "The selected file has a cell longer than 5,000 characters",
    ),
    "csv-columns": (
        crafted.csv_with_many_columns,
        "people.csv",
        "The selected file must have 100 columns or fewer",
    ),
}


def form_error(page: str) -> str:
    assert "There is a problem" in page
    found = re.search(
        r'<p id="file-error" class="govuk-error-message">\s*'
        r'<span class="govuk-visually-hidden">Error:</span>([^<]*)</p>',
        page,
    )
    assert found, page
    return html.unescape(found.group(1).strip())


def main_of(page: str) -> str:
    """The page's main content, less the form's one-time token."""
    found = re.search(r"<main.*</main>", page, re.DOTALL)
    assert found
    return re.sub(r'name="csrf_token"[^>]*', "", found.group())


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("kind", CRAFTED)
def test_a_crafted_workforce_file_is_refused_and_the_people_stay(
    kind: str,
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    assert upload_people(as_supplier, ret, schedule(PEOPLE)).status_code == 302
    db.session.refresh(ret)
    version = ret.version
    build, filename, message = CRAFTED[kind]
    response = as_supplier.submit(
        f"/supplier/returns/{ret.id}/workforce/upload",
        {"file": (io.BytesIO(build()), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert form_error(response.get_data(as_text=True)) == message
    db.session.expire_all()
    people = db.session.scalars(
        select(WorkforceEntry.worker_reference).where(WorkforceEntry.return_id == ret.id)
    ).all()
    assert sorted(people) == [row[0] for row in PEOPLE]
    assert db.session.get(Return, ret.id).version == version  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", CRAFTED)
def test_a_crafted_contract_file_is_refused_on_the_form_and_not_kept(
    kind: str, as_manager: PortalClient, world: World
) -> None:
    build, filename, message = CRAFTED[kind]
    response = as_manager.submit(
        "/council/contracts/import",
        {"file": (io.BytesIO(build()), filename.replace("people", "contracts"))},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert form_error(response.get_data(as_text=True)) == message
    assert count(ContractImport) == 0


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times a file is read (spreadsheets.read_table called), wherever from."""
    calls: list[int] = []
    real = spreadsheets.read_table

    def counted(data: bytes) -> list[list[Any]]:
        calls.append(len(data))
        return real(data)

    monkeypatch.setattr(spreadsheets, "read_table", counted)
    yield calls


def test_an_import_is_read_once_at_upload_never_for_its_preview(
    as_manager: PortalClient, world: World, reads: list[int]
) -> None:
    contracts_before = count(Contract)
    location = upload(as_manager, as_csv(rows_for(3)))
    assert len(reads) == 1
    first = main_of(as_manager.get(location).get_data(as_text=True))
    assert "6 rows make 3 contracts with 6 commitments" in first
    # Whatever happens to the stored file, the preview shows the rows read at upload.
    stored = db.session.scalar(select(ContractImport))
    assert stored is not None
    stored.content = b"PK\x03\x04this is not the file that was checked"
    commit()
    assert main_of(as_manager.get(location).get_data(as_text=True)) == first
    assert as_manager.submit(location).status_code == 302
    assert count(Contract) == contracts_before + 3
    assert len(reads) == 1


def test_an_import_stored_before_rows_were_kept_is_read_on_its_first_preview_only(
    as_manager: PortalClient, world: World, reads: list[int]
) -> None:
    location = upload(as_manager, as_csv(rows_for(2)))
    stored = db.session.scalar(select(ContractImport))
    assert stored is not None
    stored.parsed_rows = None  # as the migration leaves an upload from before
    commit()
    del reads[:]
    for _ in range(2):
        page = as_manager.get(location).get_data(as_text=True)
        assert "4 rows make 2 contracts with 4 commitments" in page
    assert len(reads) == 1
    db.session.expire_all()
    assert db.session.scalar(select(ContractImport.parsed_rows)) is not None
