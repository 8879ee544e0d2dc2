"""What a measure is: its unit, how its target works, and which rule derives it."""

from enum import StrEnum


class MeasureUnit(StrEnum):
    PEOPLE = "people"
    FTE = "fte"
    WEEKS = "weeks"
    HOURS = "hours"
    POUNDS = "gbp"

    @property
    def label(self) -> str:
        return {"people": "people", "fte": "FTE", "weeks": "weeks", "hours": "hours", "gbp": "£"}[
            self.value
        ]

    @property
    def singular(self) -> str:
        """One of the unit, as in "£250 per week"."""
        return {"people": "person", "fte": "FTE", "weeks": "week", "hours": "hour", "gbp": "£1"}[
            self.value
        ]


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
