"""UK postcodes: validating them, and the districts and sectors that define a local area.

Only the sector (outward code plus the first digit of the inward code, e.g. "M4 5") of a
worker's home postcode is ever stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Outward code: area (1-2 letters), district (digit, then an optional digit or letter).
_OUTWARD = r"[A-Z]{1,2}[0-9][0-9A-Z]?"
POSTCODE = re.compile(rf"^({_OUTWARD}) ?([0-9])([A-Z]{{2}})$")
DISTRICT = re.compile(rf"^{_OUTWARD}$")
SECTOR = re.compile(rf"^({_OUTWARD}) ?([0-9])$")


class InvalidPostcode(ValueError):
    pass


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().upper())


def sector_of(postcode: str) -> str:
    """'m4 5ab' -> 'M4 5'. Raises InvalidPostcode for anything that is not a full postcode."""
    match = POSTCODE.match(_squash(postcode))
    if not match:
        raise InvalidPostcode(postcode)
    return f"{match.group(1)} {match.group(2)}"


def normalise_postcode(postcode: str) -> str:
    """'m45ab' -> 'M4 5AB': an organisation's full postcode, in its canonical form. Raises
    InvalidPostcode for anything that is not a full postcode."""
    match = POSTCODE.match(_squash(postcode))
    if not match:
        raise InvalidPostcode(postcode)
    return f"{match.group(1)} {match.group(2)}{match.group(3)}"


def normalise_area_code(code: str) -> str:
    """A district ('M1') or a sector ('M27 4'), in its canonical form."""
    squashed = _squash(code)
    if DISTRICT.match(squashed):
        return squashed
    match = SECTOR.match(squashed)
    if match:
        return f"{match.group(1)} {match.group(2)}"
    raise InvalidPostcode(code)


def parse_area_codes(text: str) -> tuple[list[str], list[str]]:
    """Codes separated by commas or new lines -> (sorted unique valid codes, invalid entries)."""
    valid: set[str] = set()
    invalid: list[str] = []
    for entry in re.split(r"[,;\n]+", text):
        if not entry.strip():
            continue
        try:
            valid.add(normalise_area_code(entry))
        except InvalidPostcode:
            invalid.append(entry.strip())
    return sort_area_codes(valid), invalid


def sort_area_codes(codes: Iterable[str]) -> list[str]:
    """M1, M2, M10, M27 4: in the order people read them, not as strings."""
    return sorted(codes, key=_area_sort_key)


def _area_sort_key(code: str) -> tuple[str, int, str]:
    match = re.match(r"^([A-Z]+)([0-9]+)(.*)$", code)
    assert match
    return match.group(1), int(match.group(2)), match.group(3)


def is_local(sector: str, area_codes: set[str]) -> bool:
    """A sector is local if it, or its district, is listed in the area."""
    return sector in area_codes or sector.split(" ")[0] in area_codes
