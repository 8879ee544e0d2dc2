"""The Nu HTML check that runs after the browser tests (tests/browser/html_validity.py): that it
reports an invalid page by its address and line, checks a page reached twice once, and cannot
quietly not run in CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.html_validity import Pages, check_pages

ROOT = Path(__file__).parents[2]
VALID = """<!DOCTYPE html>
<html lang="en"><head><title>Fine</title><script nonce="{nonce}"></script></head>
<body><form method="post"><input type="hidden" name="csrf_token" value="{token}"></form>
<p>Fine</p></body></html>
"""
# Valid to html5lib (it parses), invalid HTML all the same: the kind the checker is there for.
INVALID = VALID.replace("<p>Fine</p>", '<p>Fine</p>\n<div width="3"></div>')


def test_each_error_is_reported_with_the_address_and_line_of_its_page() -> None:
    pages = Pages()
    pages.add(VALID.format(nonce="a", token="b"), "http://portal.test/fine")
    pages.add(INVALID.format(nonce="a", token="b"), "http://portal.test/broken")

    outcome, errors = check_pages(ROOT, pages)

    assert (outcome.pages, outcome.errors) == (2, 1), errors
    assert "http://portal.test/broken (1 error(s)" in errors
    assert "line 5: Attribute “width” not allowed on element “div”" in errors
    assert "/fine" not in errors


def test_a_page_differing_only_in_its_nonce_and_csrf_token_is_checked_once() -> None:
    pages = Pages()
    pages.add(VALID.format(nonce="a", token="b"), "http://portal.test/one")
    pages.add(VALID.format(nonce="c", token="d"), "http://portal.test/one")
    pages.add(INVALID.format(nonce="a", token="b"), "http://portal.test/two")

    assert pages.reached == 3
    assert [(p.url, p.times_reached) for p in pages.by_key.values()] == [
        ("http://portal.test/one", 2),
        ("http://portal.test/two", 1),
    ]


def test_without_the_checker_the_check_skips_outside_ci_and_fails_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = Pages()
    pages.add(VALID.format(nonce="a", token="b"), "http://portal.test/fine")
    monkeypatch.delenv("CI", raising=False)
    with monkeypatch.context() as no_java:
        no_java.setenv("PATH", str(tmp_path))
        with pytest.raises(pytest.skip.Exception, match="no java command"):
            check_pages(ROOT, pages)
    with pytest.raises(pytest.skip.Exception, match="vnu.jar is missing"):
        check_pages(tmp_path, pages)
    with pytest.raises(pytest.skip.Exception, match="no browser test handed a page"):
        check_pages(ROOT, Pages())

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI: .*vnu.jar is missing"):
        check_pages(tmp_path, pages)
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI: no browser test"):
        check_pages(ROOT, Pages())
