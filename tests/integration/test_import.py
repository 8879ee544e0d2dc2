"""Bulk import of contracts: a preview with row-by-row errors, then one transaction."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from portal.data.models import Commitment, Contract
from portal.domain.contract_import import COLUMNS
from portal.extensions import db
from tests.conftest import World, sign_in_as
from tests.support import PortalClient

ROW = [
    "",
    "Grounds maintenance",
    "Acme Grounds Ltd",
    "cm@northmoor.example",
    "250000",
    "01/04/2025",
    "31/03/2028",
    "",
    "",
    "",
    "",
    "",
    "",
]
END, MEASURE, TARGET = (COLUMNS.index(c) for c in ("End date", "Measure code", "Target"))


def rows_for(contracts: int) -> list[list[str]]:
    """Two commitment rows per contract."""
    rows = []
    for number in range(contracts):
        for code, target in (("LOCAL_HIRES", "10"), ("APPRENTICE_STARTS", "2")):
            row = list(ROW)
            row[0], row[MEASURE], row[TARGET] = f"IMP-{number:04d}", code, target
            rows.append(row)
    return rows


def as_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def as_xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client: PortalClient, content: bytes, filename: str = "contracts.csv") -> str:
    response = client.submit(
        "/council/contracts/import",
        {"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_one_bad_row_in_500_refuses_everything_then_the_fixed_file_imports(
    as_manager: PortalClient, world: World
) -> None:
    rows = rows_for(250)
    rows[321][END] = "01/01/2024"  # row 323 in the spreadsheet: ends before it starts
    contracts_before, commitments_before = count(Contract), count(Commitment)
    preview = as_manager.get(upload(as_manager, as_csv(rows))).get_data(as_text=True)
    assert "We checked 500 rows and found 1 problem" in preview
    assert re.search(
        r">323</td>\s*<td[^>]*>End date must be the same as or after the start date", preview
    )
    assert "Import 250 contracts" not in preview
    assert (count(Contract), count(Commitment)) == (contracts_before, commitments_before)

    rows[321][END] = "31/03/2028"
    location = upload(as_manager, as_csv(rows))
    preview = as_manager.get(location).get_data(as_text=True)
    assert "500 rows make 250 contracts with 500 commitments" in preview
    response = as_manager.submit(location)
    assert response.status_code == 302
    assert count(Contract) == contracts_before + 250
    assert count(Commitment) == commitments_before + 500
    # Confirming the same upload again creates nothing more.
    again = as_manager.submit(location, form_page="/council/contracts")
    assert again.status_code == 302 and count(Contract) == contracts_before + 250


def test_every_kind_of_row_error_is_named(as_manager: PortalClient, world: World) -> None:
    rows = rows_for(6)
    rows[0][MEASURE] = "MADE_UP"  # unknown measure
    rows[2][5] = "31/02/2025"  # not a real date
    rows[4][2] = "Nobody Ltd"  # unknown supplier
    rows[6][0] = "NCC-001"  # reference already in the portal
    rows[8][3] = "stranger@example.org"  # not a manager here
    rows[10][1] = "A different title"  # contract details disagree between rows
    preview = as_manager.get(upload(as_manager, as_csv(rows))).get_data(as_text=True)
    for message in [
        "Measure code MADE_UP is not in the catalogue",
        "Start date must be a real date, like 01/04/2025",
        "Supplier &#39;Nobody Ltd&#39; is not in the portal",
        "Contract reference NCC-001 already exists",
        "stranger@example.org is not a contract manager at this council",
        "Row 13 has different contract details for IMP-0005 than row 12",
    ]:
        assert message in preview, message


def test_excel_files_import_too(as_manager: PortalClient, world: World) -> None:
    location = upload(as_manager, as_xlsx(rows_for(3)), "contracts.xlsx")
    assert "6 rows make 3 contracts with 6 commitments" in as_manager.get(location).get_data(
        as_text=True
    )
    as_manager.submit(location)
    assert db.session.scalar(select(Contract).where(Contract.reference == "IMP-0002"))


def test_files_are_judged_by_content_not_name(as_manager: PortalClient, world: World) -> None:
    executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 10
    preview = as_manager.get(upload(as_manager, executable, "contracts.csv"))
    assert "must be a CSV or Excel (.xlsx) file" in preview.get_data(as_text=True)
    fake_xlsx = b"PK\x03\x04not really a workbook"
    preview = as_manager.get(upload(as_manager, fake_xlsx, "contracts.xlsx"))
    assert "must be a CSV or Excel (.xlsx) file" in preview.get_data(as_text=True)


def test_a_wrong_header_says_which_columns_are_missing(
    as_manager: PortalClient, world: World
) -> None:
    preview = as_manager.get(upload(as_manager, b"Reference,Name\nA,B\n")).get_data(as_text=True)
    assert "The header row is missing: Contract reference, Title" in preview


def test_no_file_chosen(as_manager: PortalClient) -> None:
    response = as_manager.submit(
        "/council/contracts/import", {}, content_type="multipart/form-data"
    )
    assert "Select a CSV or Excel file" in response.get_data(as_text=True)


def test_an_upload_is_only_for_the_person_who_made_it(app, world: World) -> None:  # noqa: ANN001
    location = upload(sign_in_as(app, world.manager), as_csv(rows_for(1)))
    colleague = sign_in_as(app, world.other_manager)
    assert colleague.get(location).status_code == 404


def test_the_template_has_the_columns_and_an_example(as_manager: PortalClient) -> None:
    text = as_manager.get("/council/contracts/import/template.csv").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header == COLUMNS
    xlsx = as_manager.get("/council/contracts/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [cell.value for cell in sheet[1]] == COLUMNS and sheet.max_row == 3


def test_an_export_imports_back_as_a_template_would(as_manager: PortalClient, world: World) -> None:
    """Exported text cells that look like formulas are escaped, and read back unescaped."""
    rows = rows_for(1)
    rows[0][1] = rows[1][1] = "=SUM(A1)"
    location = upload(as_manager, as_csv(rows))
    as_manager.submit(location)
    contract = db.session.scalar(select(Contract).where(Contract.reference == "IMP-0000"))
    assert contract is not None and contract.title == "=SUM(A1)"
