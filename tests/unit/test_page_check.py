"""The page check itself (tests/support.py): what it refuses, and what it lets through."""

from __future__ import annotations

import html5lib
import pytest

from tests.support import (
    PageError,
    check_selects,
    check_text,
    check_title_segments,
    plural_after_one,
    showing_hostile_text,
    untrue_text,
)


@pytest.mark.parametrize(
    "text",
    ["1 returns", "It was due 1 days ago", "1 new flags", "(1 people)", "1\nweeks", "1 Contracts"],
)
def test_a_plural_after_one_is_refused(text: str) -> None:
    assert untrue_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "1 return",
        "Q1 returns",
        "£1 returns",
        "2021 returns",
        "0.1 weeks",
        "1,000 returns",
        "11 days",
        "Showing 1 to 1 of 1",
        "1 person recorded",
        "Submission 1 of the Q1 2025/26 return",
    ],
)
def test_a_number_that_is_not_one_passes(text: str) -> None:
    assert untrue_text(text) == []


def page(body: str) -> object:
    return html5lib.parse(f"<title>T</title><body>{body}</body>", namespaceHTMLElements=False)


def test_cells_and_blocks_are_not_read_as_one_phrase() -> None:
    check_text(page("<dl><dd>1</dd><dt>Returns waiting for review</dt></dl>"), "/")
    with pytest.raises(PageError, match="plural after 1: '1 returns'"):
        check_text(page("<p><strong>1</strong> returns</p>"), "/")


def test_escaped_markup_is_refused_unless_a_test_posted_it() -> None:
    shown = page("<dd>3 people&lt;br&gt;&lt;span class='govuk-body-s'&gt;Hired&lt;/span&gt;</dd>")
    with pytest.raises(PageError, match="escaped markup shown as text: '<br'"):
        check_text(shown, "/check")
    hostile = page("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    with showing_hostile_text("<script>alert(1)</script>"):
        check_text(hostile, "/")
        with pytest.raises(PageError):
            check_text(shown, "/check")  # only the payload it names is allowed
    with pytest.raises(PageError):
        check_text(hostile, "/")  # and only inside the block
    check_text(page("<p>a &lt; b and 2 &gt; 1</p>"), "/")  # comparisons are not markup


def test_a_link_ending_in_1_before_a_new_paragraph_is_not_a_plural_after_one() -> None:
    assert (
        plural_after_one("Review it here:\r\n\r\nhttps://x/council/returns/1\r\n\r\nLocal people")
        == []
    )
    assert plural_after_one("at /returns/1 returns") == []
    assert plural_after_one("you have 1\nreturns to send") == ["1\nreturns"]


def test_a_title_that_repeats_a_part_is_refused() -> None:
    with pytest.raises(PageError, match="repeats 'Social value tracker'"):
        check_title_segments(
            "Social value tracker - Social value tracker - Northmoor City Council", "/"
        )
    with pytest.raises(PageError, match="repeats"):
        check_title_segments("Error: Users - Users - Council", "/")
    check_title_segments("Social value tracker - Northmoor City Council", "/")
    check_title_segments("Error: Add a person - Social value tracker - Council", "/")


def test_a_select_must_offer_each_value_once_with_one_selected() -> None:
    two_open = page(
        '<select name="status"><option value="open" selected>Open or acknowledged</option>'
        '<option value="open" selected>Open</option></select>'
    )
    with pytest.raises(PageError, match="status offers the same value twice: 'open'"):
        check_selects(two_open, "/flags")
    two_selected = page(
        '<select name="kind"><option value="a" selected>A</option>'
        '<option value="b" selected>B</option></select>'
    )
    with pytest.raises(PageError, match="kind has 2 options selected"):
        check_selects(two_selected, "/")
    # An option without a value submits its text.
    by_text = page("<select name='q'><option>Any</option><option value='Any'>Any</option></select>")
    with pytest.raises(PageError, match="same value twice"):
        check_selects(by_text, "/")
    check_selects(
        page(
            '<select name="kind"><option value="">Any</option>'
            '<option value="a" selected>A</option></select>'
            '<select name="many" multiple><option value="a" selected>A</option>'
            '<option value="b" selected>B</option></select>'
        ),
        "/",
    )
