"""A return's people page shows one page of people, with the figures counted from all of them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from portal.data import commit, workforce
from portal.data.models import Return
from portal.domain.counting import AgeBand, WorkforceRecord
from tests.integration.test_contracts import queries_for
from tests.integration.test_returns import ret as ret  # noqa: F401 (the fixture)
from tests.support import PortalClient


def people(ret: Return, count: int) -> None:  # noqa: F811
    workforce.replace_all(
        ret.id,
        [
            WorkforceRecord(
                worker_reference=f"P-{number:04d}",
                postcode_sector="M1 1",
                age_band=AgeBand.AGE_25_34 if number % 2 else AgeBand.AGE_50_64,
                starts_on=date(2025, 4, 1),
                ends_on=None,
                weekly_hours=Decimal(37),
                share_on_contract=Decimal(1),
                is_new_hire=number % 3 == 0,
            )
            for number in range(1, count + 1)
        ],
    )
    commit()


def shown(page: str) -> list[str]:
    """The worker references in the people table, in order."""
    table = page.split("People on this contract this quarter", 1)[1]
    return re.findall(r'<td class="govuk-table__cell">(P-\d{4})</td>', table)


def figures(page: str) -> str:
    """The table of what the portal counts from the people (whole return)."""
    found = re.search(r"What the portal counts from them.*?</table>", page, re.DOTALL)
    assert found
    return found.group()


def test_a_long_list_of_people_is_paged_with_the_figures_for_everyone(
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    people(ret, 60)
    url = f"/supplier/returns/{ret.id}/workforce"
    first = as_supplier.get(url).get_data(as_text=True)
    second = as_supplier.get(f"{url}?page=2").get_data(as_text=True)
    assert shown(first) == [f"P-{n:04d}" for n in range(1, 51)]
    assert shown(second) == [f"P-{n:04d}" for n in range(51, 61)]
    assert f'href="{url}?page=2"' in first and "govuk-pagination" in first
    assert "60 people" in first and "60 people" in second
    assert "Showing 1 to 50 of 60" in first and "Showing 51 to 60 of 60" in second
    assert figures(first) == figures(second)
    # New hires are every third person of all 60 (20), not of the page shown.
    assert "P-0003, P-0006" in figures(first) and "P-0060" in figures(second)


def test_the_people_page_makes_the_same_queries_for_60_or_600_people(
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    url = f"/supplier/returns/{ret.id}/workforce"
    people(ret, 60)
    few = queries_for(as_supplier, url)
    people(ret, 600)
    many = queries_for(as_supplier, url)
    assert many == few
    page = as_supplier.get(url).get_data(as_text=True)
    assert len(shown(page)) == 50 and "600 people" in page
    assert len(page) < 120_000


def test_who_counts_names_the_first_twenty_and_says_how_many_more(
    as_supplier: PortalClient,
    ret: Return,  # noqa: F811
) -> None:
    people(ret, 600)
    page = as_supplier.get(f"/supplier/returns/{ret.id}/workforce").get_data(as_text=True)
    # 200 local new hires (every third person), 100 of them 50 or over.
    assert "200 people" in page and "P-0057, P-0060 and 180 more</td>" in page
    assert "100 people" in page and "P-0114, P-0120 and 80 more</td>" in page
