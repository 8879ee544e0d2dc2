"""The log format and the refusal reasons (the lines themselves: tests/integration/test_logging)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from portal import logs, spreadsheets
from portal.config import Settings
from portal.domain import evidence, zips


@pytest.fixture
def restore_json() -> Iterator[None]:
    yield
    logs.configure(Settings(env="test"))


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "console"),
        ({"PORTAL_ENV": "test"}, "json"),
        ({"PORTAL_ENV": "production", "SECRET_KEY": "k" * 64}, "json"),
        ({"LOG_FORMAT": "json"}, "json"),
        ({"PORTAL_ENV": "test", "LOG_FORMAT": "console"}, "console"),
    ],
)
def test_people_read_development_logs_and_machines_the_rest(
    environ: dict[str, str], expected: str
) -> None:
    assert Settings.from_env(environ).logs_as == expected


def test_development_lines_are_for_people(
    capsys: pytest.CaptureFixture[str], restore_json: None
) -> None:
    logs.configure(Settings(env="development", log_level="debug"))
    structlog.get_logger("portal").debug("job finished", job="outbox work", sent=2)
    line = capsys.readouterr().err
    assert "job finished" in line and "job='outbox work'" in line and "sent=2" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_the_level_setting_holds_back_quieter_lines(
    capsys: pytest.CaptureFixture[str], restore_json: None
) -> None:
    logs.configure(Settings(env="test", log_level="WARNING"))
    structlog.get_logger("portal").info("request", status=200)
    logging.getLogger("portal.errors").warning("database unavailable: %s", "gone")
    [line] = capsys.readouterr().err.splitlines()
    assert json.loads(line)["event"] == "database unavailable: gone"


def test_configuring_again_replaces_the_handler_instead_of_adding_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.configure(Settings(env="test"))
    logs.configure(Settings(env="test"))
    structlog.get_logger("portal").info("request")
    assert len(capsys.readouterr().err.splitlines()) == 1


def test_the_development_servers_own_request_lines_are_left_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """They carry the raw path, the query string and the client's address."""
    logs.configure(Settings(env="test"))
    werkzeug = logging.getLogger("werkzeug")
    werkzeug.info('127.0.0.1 - - [27/Nov/2026 10:00:00] "GET /sign-in?email=a@b.example" 200 -')
    werkzeug.warning("Running on http://127.0.0.1:5000")
    [line] = capsys.readouterr().err.splitlines()
    assert json.loads(line)["event"] == "Running on http://127.0.0.1:5000"


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("The selected file is empty", "empty"),
        (evidence.EMPTY, "empty"),
        (evidence.WRONG_TYPE, "not a file type we take"),
        (spreadsheets.NOT_A_TABLE, "not a file type we take"),
        (evidence.MACROS, "macros"),
        ("The selected file must not be password protected", "password protected"),
        ("The selected file must be smaller than 10 MB", "too large"),
        ("The selected file must be smaller than 64 MB unzipped", "too large"),
        (spreadsheets.TOO_MANY_ROWS, "too big a table"),
        (spreadsheets.TOO_MANY_COLUMNS, "too big a table"),
        (spreadsheets.TOO_MANY_CELLS, "too big a table"),
        (f"{spreadsheets.LONG_CELL} (row 1,234)", "too big a table"),
        (zips.PACKED_TOO_TIGHTLY, "packed too tightly"),
        (zips.TOO_MANY_PARTS, "too many parts"),
        ("1 problem needs fixing: nobody has been saved", "rows with problems"),
        ("3 problems need fixing: nobody has been saved", "rows with problems"),
        ("The selected file could not be read as CSV: line contains NUL", "unreadable"),
    ],
)
def test_each_refusal_has_a_reason_in_a_few_words(message: str, reason: str) -> None:
    assert logs.refusal_reason(message) == reason
