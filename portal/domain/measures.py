"""What a measure is: its unit, how its target works, and which rule derives it."""

from decimal import Decimal
from enum import StrEnum


class MeasureUnit(StrEnum):
    PEOPLE = "people"
    FTE = "fte"
    WEEKS = "weeks"
    HOURS = "hours"
    POUNDS = "gbp"
    PERCENT = "percent"  # a share of the contract's FTE (the fair-work measures)

    @property
    def label(self) -> str:
        return _UNIT_LABELS[self]

    @property
    def singular(self) -> str:
        """One of the unit, as in "£250 per week"."""
        return _UNIT_SINGULARS[self]

    @property
    def most(self) -> Decimal | None:
        """The largest figure or target the unit allows: a share is at most 100%."""
        return Decimal(100) if self is MeasureUnit.PERCENT else None


_UNIT_LABELS = {
    MeasureUnit.PEOPLE: "people",
    MeasureUnit.FTE: "FTE",
    MeasureUnit.WEEKS: "weeks",
    MeasureUnit.HOURS: "hours",
    MeasureUnit.POUNDS: "£",
    MeasureUnit.PERCENT: "%",
}
_UNIT_SINGULARS = {
    MeasureUnit.PEOPLE: "person",
    MeasureUnit.FTE: "FTE",
    MeasureUnit.WEEKS: "week",
    MeasureUnit.HOURS: "hour",
    MeasureUnit.POUNDS: "£1",
    MeasureUnit.PERCENT: "percentage point",
}


class MeasureKind(StrEnum):
    CUMULATIVE = "cumulative"  # a total over the contract life
    LEVEL = "level"  # a level to hold in every period

    @property
    def label(self) -> str:
        return {"cumulative": "Total over the contract", "level": "Level held each period"}[
            self.value
        ]


class WorkforceDerivation(StrEnum):
    """Which counting rule derives a people measure from workforce records."""

    LOCAL_HIRES = "local_hires"
    LOCAL_FTE = "local_fte"
    APPRENTICESHIP_STARTS = "apprenticeship_starts"
    APPRENTICESHIP_WEEKS = "apprenticeship_weeks"
    OLDER_WORKER_HIRES = "older_worker_hires"
    # Fair work (design brief section 5a): shares of FTE, in %, that may be not known.
    LIVING_WAGE = "living_wage"
    SECURE_WORK = "secure_work"
    OLDER_LIVING_WAGE = "older_living_wage"
    OLDER_SECURE_WORK = "older_secure_work"

    @property
    def is_share(self) -> bool:
        """A fair-work share: a % of FTE, not a count, and not known without the data."""
        return self in FAIR_WORK

    @property
    def is_older_share(self) -> bool:
        """A fair-work share of the workers aged 50 and over."""
        return self in (
            WorkforceDerivation.OLDER_LIVING_WAGE,
            WorkforceDerivation.OLDER_SECURE_WORK,
        )


FAIR_WORK = (
    WorkforceDerivation.LIVING_WAGE,
    WorkforceDerivation.SECURE_WORK,
    WorkforceDerivation.OLDER_LIVING_WAGE,
    WorkforceDerivation.OLDER_SECURE_WORK,
)
