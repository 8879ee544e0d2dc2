"""Every download is named safely, whatever the contract reference holds, and every workbook
opens."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import replace
from email.message import EmailMessage

import pytest
from flask import Flask
from openpyxl import load_workbook
from werkzeug.http import parse_options_header

from portal.data import commit, evidence, returns
from portal.domain.evidence import check_file
from portal.exports import attachment
from portal.spreadsheets import safe_sheet_title
from tests import factories
from tests.conftest import World, sign_in_as

# Each of these in a contract reference broke a download (a 500, or a header with extra
# parameters). The contract form accepts any character here (only its length is limited), and
# older data may hold anything; the contracts are made through the data layer.
REFERENCES = [
    "NCC/2026/001",
    "NCC\\2026\\002",
    "NCC?003",
    "NCC*004",
    "NCC:005",
    "NCC[006]",
    'NCC"; filename="evil.exe',
    "NCC;007",
    "NCC,008",
    "NCC\u200f009\u202etxt.exe",
    "NCC-🌳-010",
    "Договор-011",
    "'NCC-012'",
    "R" * 40,
]
DANGEROUS = set('/\\?*:[]";,') | {"\u200f", "\u202e"}


def _filename(header: str) -> tuple[str, str]:
    """The name an RFC 6266 client reads (filename*, decoded by Werkzeug), and the plain
    fallback that an older client reads (the header without filename*, read by the standard
    library's mail parser)."""
    decoded = parse_options_header(header)[1]["filename"]
    message = EmailMessage()
    message["Content-Disposition"] = ";".join(
        part for part in header.split(";") if not part.strip().startswith("filename*")
    )
    fallback = message.get_filename()
    assert fallback is not None, header
    return decoded, fallback


def _assert_safe(header: str, extension: str) -> None:
    decoded, fallback = _filename(header)
    for name in (decoded, fallback):
        assert not DANGEROUS & set(name), header
        assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in name), header
        assert name.endswith(f".{extension}"), header
    assert fallback.isascii(), header
    assert header.count(";") == 2, header  # attachment; filename=...; filename*=...: no more


@pytest.mark.parametrize("reference", REFERENCES)
def test_every_download_of_a_contract_is_safely_named(
    app: Flask, world: World, reference: str
) -> None:
    contract = factories.contract(world.council, world.supplier, world.manager, reference=reference)
    ret = factories.a_return(contract, world.supplier_user)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    # Stored as older versions stored it: the name as uploaded.
    checked = replace(check_file("x.pdf", pdf, max_bytes=10**6), filename=f"{reference}.pdf")
    named = evidence.attach(ret.id, checked, pdf, commitment_id=None, by=world.supplier_user)
    for line in ret.lines:
        line.figure, line.narrative, line.nil_reason = 0, "n/a", "none"
    returns.submit(ret, by=world.supplier_user, declaration="ok", workforce_records=1, evidence=[])
    commit()
    manager = sign_in_as(app, world.manager)
    supplier = sign_in_as(app, world.supplier_user)
    downloads = [
        (supplier, f"/supplier/returns/{ret.id}/evidence/{named.id}", "pdf"),
        (manager, f"/council/returns/{ret.id}/evidence/{named.id}", "pdf"),
    ]
    for file_format in ("csv", "xlsx"):
        downloads += [
            (manager, f"/council/contracts/{contract.id}/assessment.{file_format}", file_format),
            (manager, f"/council/returns/{ret.id}/people.{file_format}", file_format),
            (manager, f"/council/contracts/{contract.id}/quarters.{file_format}", file_format),
            (supplier, f"/supplier/contracts/{contract.id}/quarters.{file_format}", file_format),
            (manager, f"/council/contracts/export.{file_format}?show=all", file_format),
            (manager, f"/council/returns/export.{file_format}", file_format),
            (manager, f"/council/commitments/export.{file_format}", file_format),
        ]
    for client, url, extension in downloads:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_safe(response.headers["Content-Disposition"], extension)
        if extension == "xlsx":
            workbook = load_workbook(io.BytesIO(response.data), read_only=True)
            assert workbook.sheetnames == [safe_sheet_title(workbook.sheetnames[0])], url
        if extension == "csv":
            assert response.headers["Content-Type"] == "text/csv; charset=utf-8", url


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("NCC/2026/001-people", "NCC-2026-001-people"),
        ("a\\b?c*d:e[f]g", "a-b-c-d-e-f-g"),
        ("'quoted'", "quoted"),
        ("", "Sheet1"),
        ("///", "-"),
        ("R" * 40, "R" * 31),
        ("R" * 30 + "'x", "R" * 30),
    ],
)
def test_sheet_titles_are_ones_excel_accepts(title: str, expected: str) -> None:
    assert safe_sheet_title(title) == expected


def test_a_download_name_keeps_its_letters_and_drops_what_is_unsafe() -> None:
    header = attachment("Договор №5 “final”.csv")
    decoded, fallback = _filename(header)
    assert decoded == "Договор №5 “final”.csv"
    assert fallback == "No5 final.csv"
    assert _filename(attachment("Договор.csv")) == ("Договор.csv", "download.csv")
