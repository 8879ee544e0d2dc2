"""How the fair-work shares read, wherever people see them: the contract page, the supplier's
check page and the exports (design brief section 5a). Works on a stored FairWorkFigure and on a
freshly counted Share alike: both have percent, coverage, not_known and the headcounts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from portal.data.types import ReturnStatus
from portal.domain.counting import NotKnown
from portal.domain.measures import WorkforceDerivation
from portal.formatting import pct


class ShareFigures(Protocol):
    @property
    def percent(self) -> Decimal | None: ...
    @property
    def coverage(self) -> Decimal | None: ...
    @property
    def not_known(self) -> NotKnown | None: ...
    @property
    def counted(self) -> int: ...
    @property
    def meeting(self) -> int | None: ...


@dataclass(frozen=True)
class Kind:
    derivation: WorkforceDerivation
    name: str
    meaning: str
    given: str  # what a record must give to count: "pay given"
    older: bool


KINDS = (
    Kind(
        WorkforceDerivation.LIVING_WAGE,
        "Paid the real Living Wage",
        "The share of FTE paid at least the real Living Wage for the quarter, of the FTE whose "
        "hourly pay is given.",
        "pay given",
        older=False,
    ),
    Kind(
        WorkforceDerivation.SECURE_WORK,
        "In secure work",
        "The share of FTE neither on zero-hours or casual contracts nor guaranteed fewer than "
        "16 hours a week, of the FTE whose contract type and hours are given.",
        "contract given",
        older=False,
    ),
    Kind(
        WorkforceDerivation.OLDER_LIVING_WAGE,
        "Paid the real Living Wage, aged 50 and over",
        "The same as paid the real Living Wage, for workers aged 50 and over.",
        "pay given",
        older=True,
    ),
    Kind(
        WorkforceDerivation.OLDER_SECURE_WORK,
        "In secure work, aged 50 and over",
        "The same as in secure work, for workers aged 50 and over.",
        "contract given",
        older=True,
    ),
)
KIND_OF = {kind.derivation: kind for kind in KINDS}


@dataclass(frozen=True)
class Quarter:
    """One sent return's shares, as the contract page and its export show them."""

    label: str
    status: ReturnStatus
    living_wage: Decimal | None  # the rate the quarter was judged against
    shares: list[tuple[Kind, ShareFigures]]


def value(figures: ShareFigures) -> str:
    """ "84.1%" (rounded down, so a share never reads as meeting a level it misses), or
    "Not known", or "Nobody to count" when nobody in the group worked on the contract."""
    if figures.percent is not None:
        return pct(figures.percent)
    if figures.coverage is None and figures.not_known is not NotKnown.NO_RATE:
        return "Nobody to count"
    return "Not known"


def detail(kind: Kind, figures: ShareFigures) -> str:
    """The words under the figure: its coverage and people, or why it is not known."""
    if figures.not_known is NotKnown.NO_RATE:
        return "no real Living Wage rate in the portal for the quarter"
    if figures.coverage is None:
        return "nobody aged 50 or over" if kind.older else "nobody on the contract"
    coverage = f"{kind.given} for {pct(figures.coverage)} of FTE"
    if figures.percent is None:
        return coverage
    people = "person" if figures.counted == 1 else "people"
    return f"{figures.meeting} of {figures.counted} {people}; {coverage}"
