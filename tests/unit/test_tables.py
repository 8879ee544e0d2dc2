"""Every table is drawn through macros/table.html, which puts it in its own labelled scrolling
region that takes keyboard focus: a table written by hand could make its page scroll sideways
at 320 pixels (WCAG 1.4.10), as the dashboards, contract pages and people list once did."""

from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).parents[2] / "portal" / "templates"
MACRO = TEMPLATES / "macros" / "table.html"


def test_every_table_goes_through_the_scrolling_table_macro() -> None:
    by_hand = [
        str(path.relative_to(TEMPLATES))
        for path in sorted(TEMPLATES.rglob("*.html"))
        if path != MACRO and "<table" in path.read_text()
    ]
    assert by_hand == [], "draw these tables with {% call table(caption) %} from macros/table.html"
    macro = MACRO.read_text()
    assert 'class="portal-table-scroll" role="region" aria-labelledby="{{ id }}" tabindex="0"' in (
        macro
    )
    assert '<caption class="govuk-table__caption {{ caption_classes }}" id="{{ id }}">' in macro
