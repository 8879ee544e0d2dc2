"""One way to write each kind of figure a person reads, on pages and in emails.

Pure: no Flask, no database. Templates reach these through the filters in template_helpers
(`money`, `number`, `quantity`, `count`, `percent`); Python code that writes a sentence calls
them directly, so a figure reads the same wherever it appears.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from portal.domain.measures import MeasureUnit

Figure = Decimal | int | float

_PENNY = Decimal("0.01")

# How each unit reads after a figure of exactly one, and after any other figure. FTE reads the
# same either way ("1 FTE", "2.5 FTE"); pounds are written as money instead.
_UNIT_WORDS: dict[MeasureUnit, tuple[str, str]] = {
    MeasureUnit.PEOPLE: ("person", "people"),
    MeasureUnit.FTE: ("FTE", "FTE"),
    MeasureUnit.WEEKS: ("week", "weeks"),
    MeasureUnit.HOURS: ("hour", "hours"),
}


def _decimal(value: Figure) -> Decimal:
    if isinstance(value, float):
        return Decimal(repr(value))  # 0.1 as written, not its binary expansion
    return value if isinstance(value, Decimal) else Decimal(value)


def _rounded(value: Figure, places: int | None) -> Decimal:
    exact = _decimal(value)
    if places is None:
        return exact
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def number(value: Figure, places: int | None = None) -> str:
    """12,000 and 3.5: thousands separators, and no trailing zeros after the point. With
    `places`, rounded to that many decimal places first (3.333 to 1 place: 3.3)."""
    exact = _rounded(value, places).normalize()
    if exact == exact.to_integral_value():
        return f"{int(exact):,}"
    return f"{exact:,f}"


def money(value: Figure) -> str:
    """£70,216 and £115,096.80: to the penny, with pence shown only when there are any."""
    pence = _decimal(value).quantize(_PENNY, rounding=ROUND_HALF_UP)
    sign = "-" if pence < 0 else ""
    pence = abs(pence)
    if pence == pence.to_integral_value():
        return f"{sign}£{int(pence):,}"
    return f"{sign}£{pence:,.2f}"


def percent(fraction: Figure) -> str:
    """0.6 -> 60%, 1.005 -> 100.5%: a share written as a percentage, exactly."""
    return f"{number(_decimal(fraction) * 100)}%"


def pct(value: Figure) -> str:
    """A delivery percentage (already times 100) to one decimal place, rounded down: a status
    or rating starts at its threshold, so 79.96% reads 79.9% (off track), never 80%."""
    return f"{number(_decimal(value).quantize(Decimal('0.1'), rounding=ROUND_DOWN))}%"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """1 return, 2 returns, 1,200 returns, 0 flags; give the plural when it is not singular + s
    ("1 person", "3 people")."""
    word = singular if n == 1 else (plural if plural is not None else f"{singular}s")
    return f"{n:,} {word}"


def mid_sentence(text: str) -> str:
    """A label as it reads inside a sentence: only its first letter lowered, so names keep
    their capitals ("Paid the real Living Wage" -> "paid the real Living Wage")."""
    return text[:1].lower() + text[1:]


def listing(items: Sequence[str], conjunction: str = "and") -> str:
    """A, B and C: the way a sentence lists things (no Oxford comma, as GOV.UK writes)."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def some_of(references: Sequence[str], shown: int = 20) -> str:
    """ "A-1, A-2, A-3" or, for a long list, its first `shown` and "and 4,980 more": a page
    listing thousands of people in one cell helps nobody."""
    if not references:
        return "Nobody"
    if len(references) <= shown:
        return ", ".join(references)
    return f"{', '.join(references[:shown])} and {len(references) - shown:,} more"


def quantity(value: Figure, unit: MeasureUnit, places: int | None = None) -> str:
    """A figure in its measure's unit: 1 person, 3 people, 30.48 FTE, 1 week, 12 weeks,
    1 hour, £1,200, 95%. With `places`, rounded first (money is always to the penny); the unit
    agrees with the figure as written (0.96 people to 0 places: 1 person)."""
    if unit is MeasureUnit.POUNDS:
        return money(value)
    shown = _rounded(value, places)
    if unit is MeasureUnit.PERCENT:  # already a percentage: 95 reads 95%, with no space
        return f"{number(shown)}%"
    singular, plural = _UNIT_WORDS[unit]
    return f"{number(shown)} {singular if shown == 1 else plural}"
