from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.evidence import (
    CheckedFile,
    FileKind,
    RefusedFile,
    check_file,
    detect_kind,
    safe_filename,
)

MB = 1024 * 1024
WRONG_TYPE = "The selected file must be a PDF, PNG, JPEG, CSV, XLSX or DOCX"


# --- Real small files, built here so the tests show exactly what each one contains ---------------


def make_pdf() -> bytes:
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def make_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte, then one red pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def make_jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def make_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Worker reference", "Hours"])
    sheet.append(["W001", 37.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def make_docx() -> bytes:
    return make_zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/content-types"/>',
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document/>',
        }
    )


def add_entries(zipped: bytes, extra: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    return make_zip(entries | extra)


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00"
HTML = b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n"


# --- Accepted files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind", "safe_name"),
    [
        ("report.pdf", make_pdf(), FileKind.PDF, "report.pdf"),
        ("chart.png", make_png(), FileKind.PNG, "chart.png"),
        ("site photo.jpeg", make_jpeg(), FileKind.JPEG, "site photo.jpg"),
        ("Payroll Q1.xlsx", make_xlsx(), FileKind.XLSX, "Payroll Q1.xlsx"),
        (
            "Apprenticeship agreement.docx",
            make_docx(),
            FileKind.DOCX,
            "Apprenticeship agreement.docx",
        ),
        ("hours.csv", b"worker,hours\nW001,37.5\n", FileKind.CSV, "hours.csv"),
    ],
)
def test_accepted_files(name: str, content: bytes, kind: FileKind, safe_name: str) -> None:
    checked = check_file(name, content, max_bytes=MB)
    assert checked == CheckedFile(
        kind=kind,
        filename=safe_name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    assert detect_kind(content) is kind


@pytest.mark.parametrize(
    ("name", "content", "safe_name"),
    [
        ("photo.pdf", make_png(), "photo.png"),
        ("scan.docx", make_pdf(), "scan.pdf"),
        ("figures.pdf", make_xlsx(), "figures.xlsx"),
        ("letter.xlsx", make_docx(), "letter.docx"),
        ("no extension", make_jpeg(), "no extension.jpg"),
        ("REPORT.PDF", make_pdf(), "REPORT.pdf"),
    ],
)
def test_the_content_decides_the_extension(name: str, content: bytes, safe_name: str) -> None:
    assert check_file(name, content, max_bytes=MB).filename == safe_name


def test_file_kinds_describe_themselves() -> None:
    assert [kind.mimetype for kind in FileKind] == [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]
    assert [kind.extension for kind in FileKind] == [
        ".pdf",
        ".png",
        ".jpg",
        ".csv",
        ".xlsx",
        ".docx",
    ]
    assert [kind.label for kind in FileKind] == [
        "PDF",
        "PNG image",
        "JPEG image",
        "CSV",
        "Excel spreadsheet",
        "Word document",
    ]
    assert FileKind("jpeg") is FileKind.JPEG and FileKind.JPEG == "jpeg"


# --- Refused files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", EXE),
        ("invoice.pdf", ELF),
        ("invoice.pdf", HTML),
        ("invoice.csv", HTML),
        ("image.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("image.png", b'<svg xmlns="http://www.w3.org/2000/svg" width="1,1"/>'),
        ("animation.png", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9"),
        ("legacy.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40),
        ("archive.docx", make_zip({"readme.txt": b"hello", "run.exe": EXE})),
        ("sheet.xlsx", make_zip({"xl/workbook.xml": b"<workbook/>"})),  # no content types
        (
            "both.docx",
            make_zip(
                {"[Content_Types].xml": b"", "xl/workbook.xml": b"", "word/document.xml": b""}
            ),
        ),
        ("broken.xlsx", b"PK\x03\x04" + b"\x14\x00" * 20),
        ("broken.xlsx", make_xlsx()[:-200]),
        ("notes.pdf", b"Some notes about the contract\nwith no delimiters at all\n"),
        ("hours.csv", bytes(range(256)) * 4),  # binary junk with NUL bytes
        ("hours.csv", bytes(range(1, 32)) * 10 + b"a,b\n"),  # no NUL, but control characters
        ("hours.csv", b"a,b\n\x81\x8d\x8f\x90\x9d"),  # neither UTF-8 nor cp1252
        ("hours.csv", "a,b\n1,2\n".encode("utf-16")),  # UTF-16 has NUL bytes
    ],
)
def test_other_files_are_refused(name: str, content: bytes) -> None:
    with pytest.raises(RefusedFile) as error:
        check_file(name, content, max_bytes=MB)
    assert str(error.value) == WRONG_TYPE
    assert detect_kind(content) is None


def test_empty_files_are_refused() -> None:
    with pytest.raises(RefusedFile, match="^The selected file is empty$"):
        check_file("hours.csv", b"", max_bytes=MB)
    with pytest.raises(RefusedFile, match="^The selected file is empty$"):
        check_file("hours.csv", b" \r\n\t\n", max_bytes=MB)
    assert detect_kind(b"") is None
    assert detect_kind(b"\t\n") is None


def test_files_over_the_limit_are_refused() -> None:
    content = make_pdf() + b"\x00" * (5 * MB)
    with pytest.raises(RefusedFile) as error:
        check_file("big.pdf", content, max_bytes=5 * MB)
    assert str(error.value) == "The selected file must be smaller than 5 MB"
    assert check_file("exact.pdf", content[: 5 * MB], max_bytes=5 * MB).size == 5 * MB


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("budget.xlsx", add_entries(make_xlsx(), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"})),
        ("budget.xlsm", add_entries(make_xlsx(), {"XL/VBAPROJECT.BIN": b"\xd0\xcf\x11\xe0"})),
        ("letter.docx", add_entries(make_docx(), {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})),
    ],
)
def test_office_files_with_macros_are_refused(name: str, content: bytes) -> None:
    with pytest.raises(RefusedFile, match="^The selected file must not contain macros$"):
        check_file(name, content, max_bytes=MB)
    assert detect_kind(content) is None


def zeros_in_a_workbook(megabytes: int) -> bytes:
    """A small zip that declares a huge workbook part: zeros compress about 1000 to 1."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/media/image1.bin", "w", force_zip64=True) as part:
            for _ in range(megabytes):
                part.write(bytes(MB))
    return buffer.getvalue()


def test_zip_bombs_are_refused_relative_to_the_upload_limit() -> None:
    content = zeros_in_a_workbook(30)
    assert len(content) < MB
    with pytest.raises(
        RefusedFile, match="^The selected file must be smaller than 20 MB unzipped$"
    ):
        check_file("bomb.xlsx", content, max_bytes=MB)
    # The same file is fine where uploads of 2 MB (so 40 MB unzipped) are allowed.
    assert check_file("big.xlsx", content, max_bytes=2 * MB).kind is FileKind.XLSX


def test_zip_bombs_are_refused_over_200_mb_whatever_the_upload_limit() -> None:
    content = zeros_in_a_workbook(201)
    with pytest.raises(
        RefusedFile, match="^The selected file must be smaller than 200 MB unzipped$"
    ):
        check_file("bomb.xlsx", content, max_bytes=100 * MB)
    assert detect_kind(content) is None


def test_zips_with_too_many_entries_are_refused() -> None:
    entries = {"[Content_Types].xml": b"", "word/document.xml": b""}
    entries |= {f"word/media/{number}.xml": b"" for number in range(9_998)}
    assert check_file("ok.docx", make_zip(entries), max_bytes=5 * MB).kind is FileKind.DOCX
    too_many = make_zip(entries | {"word/media/one-more.xml": b""})
    with pytest.raises(RefusedFile, match="^The selected file has too many parts to check$"):
        check_file("parts.docx", too_many, max_bytes=5 * MB)


# --- CSV ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "worker,postcode\nW001,M4 5AB\nW002,Zoë\n".encode(),
        "\ufeffworker,postcode\nW001,M4 5AB\n".encode(),  # Excel's "CSV UTF-8" has a BOM
        "worker;amount\nW001;£100\nW002;café\n".encode("cp1252"),  # Excel's plain "CSV" on Windows
        b"worker\thours\r\nW001\t37.5\r\n",
        b"\r\n\r\nworker,hours\r\nW001,37.5",  # blank lines before the header
    ],
)
def test_csv_is_recognised_by_its_content(content: bytes) -> None:
    assert detect_kind(content) is FileKind.CSV
    assert check_file("upload.pdf", content, max_bytes=MB).filename == "upload.csv"


@pytest.mark.parametrize("name", ["hours.csv", "hours.txt", "HOURS.CSV", "hours.csv "])
def test_one_column_text_is_csv_only_when_the_name_says_so(name: str) -> None:
    content = b"hours\n37.5\n40\n"
    assert detect_kind(content) is None
    assert check_file(name, content, max_bytes=MB).kind is FileKind.CSV
    with pytest.raises(RefusedFile, match=WRONG_TYPE):
        check_file("hours.pdf", content, max_bytes=MB)


def test_a_few_control_characters_are_tolerated_in_csv() -> None:
    # 1 in 100 is allowed; 2 in 100 is not.
    line = b"a,b\n" + b"x" * 95
    assert detect_kind(line + b"\x07") is FileKind.CSV
    assert detect_kind(line[:-1] + b"\x07\x07") is None


# --- Safe file names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe_name"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\x\\payroll Q1.pdf", "payroll Q1.pdf"),
        ("<script>.pdf", "script.pdf"),
        ("\"quoted\" 'name'.pdf", "quoted name.pdf"),
        ("..", "evidence.pdf"),
        ("...pdf", "evidence.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("report..final...pdf", "report.final.pdf"),
        ("report. .pdf", "report.pdf"),
        ("", "evidence.pdf"),
        ("!!!@@@###", "evidence.pdf"),
        ("  \t ", "evidence.pdf"),
        ("report\n\t  Q1\x00\x1b.pdf", "report Q1.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.pdf"),  # a right-to-left override to hide ".exe"
        ("Ｐａｙｒｏｌｌ／Q1.pdf", "Q1.pdf"),  # full-width letters and solidus, NFKC
        ("Überstunden – März.pdf", "Überstunden März.pdf"),
        ("給与明細.pdf", "給与明細.pdf"),
        ("report.v1.2", "report.v1.2.pdf"),  # ".2" is not an extension
        ("archive.tar.gz", "archive.tar.pdf"),
        ("budget (final)_v2-3.pdf", "budget (final)_v2-3.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("nul.tar.gz", "_nul.tar.pdf"),
        ("console.pdf", "console.pdf"),
    ],
)
def test_safe_filename(name: str, safe_name: str) -> None:
    assert safe_filename(name, FileKind.PDF) == safe_name


def test_long_names_are_cut_before_the_extension() -> None:
    assert safe_filename("a" * 300 + ".pdf", FileKind.DOCX) == "a" * 100 + ".docx"
    assert safe_filename("a" * 99 + " b.pdf", FileKind.PDF) == "a" * 99 + ".pdf"
    assert safe_filename("é" * 300, FileKind.PNG) == "é" * 100 + ".png"


@given(name=st.text(), kind=st.sampled_from(FileKind))
def test_safe_filename_is_always_safe(name: str, kind: FileKind) -> None:
    safe = safe_filename(name, kind)
    assert "/" not in safe and "\\" not in safe and ".." not in safe
    assert not safe.startswith(".")
    assert safe.endswith(kind.extension)
    assert len(safe) > len(kind.extension)
    assert len(safe) <= 100 + len(kind.extension)
    assert safe_filename(safe, kind) == safe  # idempotent


@given(
    name=st.text(alphabet=st.sampled_from("./\\.. \x00\u202e\uff0f\u2024abc"), max_size=40),
    kind=st.sampled_from(FileKind),
)
def test_safe_filename_resists_path_tricks(name: str, kind: FileKind) -> None:
    safe = safe_filename(name, kind)
    assert "/" not in safe and "\\" not in safe and ".." not in safe
    assert not safe.startswith(".") and safe.endswith(kind.extension)


@given(content=st.binary(max_size=300), prefix=st.sampled_from([b"", b"PK\x03\x04", b"%PDF-"]))
def test_any_content_is_either_checked_or_refused(content: bytes, prefix: bytes) -> None:
    try:
        checked = check_file("upload.bin", prefix + content, max_bytes=MB)
    except RefusedFile:
        assert detect_kind(prefix + content) is None or len(prefix + content) == 0
    else:
        assert checked.kind is detect_kind(prefix + content)
