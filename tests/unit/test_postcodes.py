from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.postcodes import (
    InvalidPostcode,
    is_local,
    normalise_area_code,
    normalise_postcode,
    parse_area_codes,
    sector_of,
    sort_area_codes,
)


@pytest.mark.parametrize(
    ("postcode", "sector"),
    [
        ("M4 5AB", "M4 5"),
        ("m45ab", "M4 5"),
        (" M27  4AA ", "M27 4"),
        ("SW1A 1AA", "SW1A 1"),
        ("EC1V 9HX", "EC1V 9"),
        ("B1 1AA", "B1 1"),
    ],
)
def test_only_the_sector_is_kept(postcode: str, sector: str) -> None:
    assert sector_of(postcode) == sector


@pytest.mark.parametrize("postcode", ["", "M4", "M4 5", "45AB M", "MMM4 5AB", "M4 5A1", "M4-5AB"])
def test_invalid_postcodes_are_refused(postcode: str) -> None:
    with pytest.raises(InvalidPostcode):
        sector_of(postcode)


def test_an_organisations_postcode_is_kept_whole_in_its_usual_form() -> None:
    assert normalise_postcode(" m45ab ") == "M4 5AB"
    assert normalise_postcode("sw1a  1aa") == "SW1A 1AA"
    for invalid in ("", "M4", "M4 5", "M4-5AB"):
        with pytest.raises(InvalidPostcode):
            normalise_postcode(invalid)


def test_area_codes_are_districts_or_sectors() -> None:
    assert normalise_area_code(" m1 ") == "M1"
    assert normalise_area_code("m27 4") == "M27 4"
    assert normalise_area_code("M274") == "M27 4"
    with pytest.raises(InvalidPostcode):
        normalise_area_code("M27 4AA")


def test_parse_area_codes_sorts_dedupes_and_reports_bad_entries() -> None:
    assert parse_area_codes("M10, m2\nM1; M1\n\nbad, M27 4") == (
        ["M1", "M2", "M10", "M27 4"],
        ["bad"],
    )


def test_local_means_the_sector_or_its_district_is_listed() -> None:
    area = {"M1", "M27 4"}
    assert is_local("M1 3", area)
    assert is_local("M27 4", area)
    assert not is_local("M27 5", area)
    assert not is_local("M11 1", area)  # M11 is not M1


def test_sorting_reads_naturally() -> None:
    assert sort_area_codes(["M10", "M2", "M1 4", "M1", "B3"]) == ["B3", "M1", "M1 4", "M2", "M10"]


@given(
    area=st.from_regex(r"[A-Z]{1,2}", fullmatch=True),
    district=st.integers(min_value=1, max_value=99),
    sector=st.integers(min_value=0, max_value=9),
    unit=st.from_regex(r"[A-Z]{2}", fullmatch=True),
)
def test_any_well_formed_postcode_reduces_to_its_sector(
    area: str, district: int, sector: int, unit: str
) -> None:
    postcode = f"{area}{district} {sector}{unit}"
    assert sector_of(postcode) == f"{area}{district} {sector}"
    assert sector_of(postcode.lower().replace(" ", "")) == f"{area}{district} {sector}"
