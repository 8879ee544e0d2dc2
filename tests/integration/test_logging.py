"""Structured logs (issue 13, item 7), read as they are written: every line on stderr is one
JSON object; one line per request, the request id on the 500 and 503 pages, one summary line per
job run, warnings for refused uploads and rate limits, and nothing personal anywhere."""

from __future__ import annotations

import io
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask

from portal import create_app, logs
from portal.auth.permissions import public
from portal.config import Settings
from portal.data.models import Return
from portal.extensions import db
from tests import factories
from tests.conftest import World, sign_in_as
from tests.integration.test_database_failure import unreachable as unreachable  # noqa: F401
from tests.integration.test_returns import ret as ret  # noqa: F401 (the fixture)
from tests.integration.test_returns import schedule, upload_people
from tests.support import PortalClient

Lines = Callable[[], list[dict[str, Any]]]
EXECUTABLE = b"MZ\x90 This program cannot be run in DOS mode"
REFERENCE = re.compile(r"quote reference <strong[^>]*>([^<]+)</strong>")


@pytest.fixture
def logged(settings: Settings, capsys: pytest.CaptureFixture[str]) -> Lines:
    """The lines written to stderr since the last call, each parsed as JSON (a line that is
    not JSON fails the test)."""
    logs.configure(settings)  # another test may have made a development app (console lines)
    capsys.readouterr()

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in capsys.readouterr().err.splitlines()]

    return lines


def events(lines: list[dict[str, Any]], event: str) -> list[dict[str, Any]]:
    return [line for line in lines if line["event"] == event]


def test_a_request_gives_one_line_with_its_route_not_its_path(
    as_supplier: PortalClient, world: World, ret: Return, logged: Lines
) -> None:
    logged()
    response = as_supplier.get(f"/supplier/returns/{ret.id}?search=sam@acme.example")
    assert response.status_code == 200
    lines = logged()
    [line] = events(lines, "request")
    assert line == {
        "timestamp": line["timestamp"],
        "level": "info",
        "event": "request",
        "logger": "portal",
        "request_id": response.headers["X-Request-Id"],
        "user_id": world.supplier_user.id,
        "method": "GET",
        "route": "/supplier/returns/<int:return_id>",
        "status": 200,
        "duration_ms": line["duration_ms"],
    }
    assert re.fullmatch(r"[0-9a-f]{16}", line["request_id"])
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert "sam@acme.example" not in json.dumps(lines) and str(ret.id) not in line["route"]


def test_nobody_signed_in_and_no_route_are_null(client: PortalClient, logged: Lines) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    [line] = events(logged(), "request")
    assert (line["user_id"], line["route"], line["status"]) == (None, None, 404)


def test_a_plain_incoming_request_id_is_kept_and_any_other_replaced(
    client: PortalClient, logged: Lines
) -> None:
    kept = client.get("/accessibility", headers={"X-Request-Id": "lb-7f3a.01_x"})
    assert kept.headers["X-Request-Id"] == "lb-7f3a.01_x"
    for hostile in ("a" * 65, "two words", '"}{"user_id": 1', "é"):
        replaced = client.get("/accessibility", headers={"X-Request-Id": hostile})
        assert re.fullmatch(r"[0-9a-f]{16}", replaced.headers["X-Request-Id"]), hostile
    ids = [line["request_id"] for line in events(logged(), "request")]
    assert ids[0] == "lb-7f3a.01_x" and len(ids) == 5 and len(set(ids)) == 5


def test_static_files_are_not_logged(client: PortalClient, logged: Lines) -> None:
    assert client.get("/static/dist/portal.css").status_code == 200
    assert events(logged(), "request") == []


def test_the_500_page_shows_the_request_id_of_the_log_lines(
    settings: Settings, world: World, logged: Lines
) -> None:
    crashing = create_app(settings, PROPAGATE_EXCEPTIONS=False)  # as in production
    crashing.test_client_class = PortalClient  # checks the page, as for every other

    @public
    def crash(n: int) -> str:
        raise RuntimeError("boom")

    crashing.add_url_rule("/crash/<int:n>", view_func=crash)
    client = sign_in_as(crashing, world.manager)
    response = client.get("/crash/7")
    assert response.status_code == 500
    [shown] = REFERENCE.findall(response.get_data(as_text=True))
    lines = logged()
    [failure] = events(lines, "unhandled exception")
    [request_line] = events(lines, "request")
    assert shown == response.headers["X-Request-Id"] == failure["request_id"]
    assert request_line["request_id"] == shown and request_line["status"] == 500
    assert failure["level"] == "error" and failure["route"] == "/crash/<int:n>"
    assert failure["user_id"] == world.manager.id
    assert "RuntimeError: boom" in failure["exception"]
    assert "/crash/7" not in json.dumps(lines)  # the route, never the path
    with crashing.app_context():
        db.engine.dispose()


def test_the_503_page_shows_the_request_id_of_the_log_lines(
    unreachable: Flask,  # noqa: F811
    logged: Lines,
) -> None:
    client = unreachable.test_client()
    client.set_cookie("portal_session", secrets.token_urlsafe(32))
    response = client.get("/council/contracts")
    assert response.status_code == 503
    [shown] = REFERENCE.findall(response.get_data(as_text=True))
    lines = logged()
    [request_line] = events(lines, "request")
    assert shown == response.headers["X-Request-Id"] == request_line["request_id"]
    assert request_line["status"] == 503
    warnings = [line for line in lines if line["event"].startswith("database unavailable")]
    assert warnings and all(line["request_id"] == shown for line in warnings)


@pytest.mark.parametrize(
    ("args", "job", "counts"),
    [
        (
            ["compliance", "refresh", "--as-of", "2025-08-01"],
            "compliance refresh",
            {"as_of": "2025-08-01", "contracts": 3, "flags_resolved": 0, "escalated": 0},
        ),
        (
            ["reminders", "send", "--as-of", "2025-08-01"],
            "reminders send",
            {"as_of": "2025-08-01", "dry_run": False, "failed": 0, "given_up": 0},
        ),
        (["outbox", "work", "--once"], "outbox work", {"sent": 0, "failed": 0, "given_up": 0}),
        (["seed-demo", "--if-empty"], "seed-demo", {"loaded": False, "scale": "demo"}),
    ],
)
def test_a_job_run_gives_one_summary_line_with_its_counts(
    app: Flask, world: World, args: list[str], job: str, counts: dict[str, Any]
) -> None:
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()  # what it prints for a person is still there
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    [summary] = events(lines, "job finished")
    assert summary["job"] == job and summary["duration_ms"] >= 0
    assert summary | counts == summary, summary


def test_a_failing_job_still_gives_its_summary_line(app: Flask, world: World) -> None:
    # Nothing stored yet: verify finds a difference for every contract and commitment.
    result = app.test_cli_runner().invoke(args=["compliance", "verify"])
    assert result.exit_code == 1
    [summary] = [json.loads(line) for line in result.stderr.splitlines()]
    assert summary["job"] == "compliance verify"
    assert summary["differences"] == len(result.stdout.splitlines()) > 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"PK\x03\x04 Sam Smith, not a workbook", "not a file type we take"),
        (schedule([["Sam Smith", "M1 1AA", "25-34", "not a date"]]), "rows with problems"),
    ],
)
def test_a_refused_workforce_upload_gives_one_warning(
    as_supplier: PortalClient, ret: Return, logged: Lines, content: bytes, reason: str
) -> None:
    logged()
    page = upload_people(as_supplier, ret, content)
    assert page.status_code == 200  # type: ignore[attr-defined]
    lines = logged()
    [warning] = events(lines, "upload refused")
    assert warning["level"] == "warning"
    assert (warning["kind"], warning["reason"]) == ("workforce", reason)
    assert warning["size_bytes"] == len(content)
    assert "Sam Smith" not in json.dumps(lines) and "people.csv" not in json.dumps(lines)


def test_refused_evidence_gives_one_warning_with_its_reason(
    as_supplier: PortalClient, ret: Return, logged: Lines
) -> None:
    logged()
    as_supplier.submit(
        f"/supplier/returns/{ret.id}/evidence",
        {"file": (io.BytesIO(EXECUTABLE), "Sam Smith payslip.exe")},
        content_type="multipart/form-data",
    )
    lines = logged()
    [warning] = events(lines, "upload refused")
    assert (warning["kind"], warning["reason"]) == ("evidence", "not a file type we take")
    assert warning["size_bytes"] == len(EXECUTABLE)
    assert "Sam Smith" not in json.dumps(lines)


def test_a_refused_contract_import_gives_one_warning(
    as_manager: PortalClient, logged: Lines
) -> None:
    logged()
    as_manager.submit(
        "/council/contracts/import",
        {"file": (io.BytesIO(b""), "contracts.csv")},
        content_type="multipart/form-data",
    )
    [warning] = events(logged(), "upload refused")
    assert (warning["kind"], warning["reason"], warning["size_bytes"]) == (
        "contract import",
        "empty",
        0,
    )


def sign_in(client: PortalClient, email: str, password: str) -> Any:
    return client.submit("/sign-in", {"email": email, "password": password})


def test_a_rate_limited_sign_in_gives_one_warning_without_the_address(
    client: PortalClient, world: World, logged: Lines
) -> None:
    for _ in range(5):
        assert sign_in(client, "cm@northmoor.example", "wrong password here").status_code == 200
    logged()
    assert sign_in(client, "cm@northmoor.example", factories.PASSWORD).status_code == 429
    lines = logged()
    [warning] = events(lines, "rate limited")
    assert warning["level"] == "warning"
    assert (warning["limit"], warning["rule"]) == ("sign-in-failures-email", "5 per 1 minute")
    assert warning["route"] == "/sign-in" and warning["user_id"] is None
    assert re.fullmatch(r"[0-9a-f]{16}", warning["client"])
    assert "northmoor" not in json.dumps(lines) and "127.0.0.1" not in json.dumps(lines)


def test_the_password_reset_limit_gives_one_warning(
    settings: Settings, world: World, logged: Lines
) -> None:
    strict = create_app(replace(settings, sign_in_ip_rate_limit="2 per minute"))
    strict.test_client_class = PortalClient
    client: PortalClient = strict.test_client()  # type: ignore[assignment]
    codes = [
        client.submit("/forgot-password", {"email": f"x{i}@example.org"}).status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]
    lines = logged()
    [warning] = events(lines, "rate limited")
    assert (warning["limit"], warning["rule"]) == ("auth.forgot_password", "2 per 1 minute")
    assert "example.org" not in json.dumps(lines) and "127.0.0.1" not in json.dumps(lines)
    with strict.app_context():
        db.engine.dispose()


def test_nothing_personal_is_ever_logged(client: PortalClient, world: World, logged: Lines) -> None:
    """A session of signing in by email, failing, resetting and posting forms: neither the
    email address, the password nor the person's name appears in any line."""
    manager = world.manager
    email, name, password = manager.email, manager.full_name, factories.PASSWORD
    logged()
    sign_in(client, email, "wrong password here")
    client.submit("/forgot-password", {"email": email})
    client.get(f"/sign-in?email={email}")
    assert sign_in(client, email.upper(), password).status_code == 302
    client.get("/council/contracts?q=" + name)
    client.get("/account")
    client.submit("/sign-out", form_page="/council/contracts")
    lines = logged()
    assert len(events(lines, "request")) >= 10
    assert {line["user_id"] for line in events(lines, "request")} == {None, manager.id}
    text = json.dumps(lines).lower()
    for personal in (email, name, password, "wrong password here", "northmoor.example"):
        assert personal.lower() not in text, personal
