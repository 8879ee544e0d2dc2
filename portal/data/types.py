"""Enumerations stored in the database (as checked VARCHARs)."""

from enum import StrEnum


class OrganisationKind(StrEnum):
    COUNCIL = "council"
    SUPPLIER = "supplier"


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    CONTRACT_MANAGER = "contract_manager"
    SUPPLIER_USER = "supplier_user"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def organisation_kind(self) -> OrganisationKind:
        if self is Role.SUPPLIER_USER:
            return OrganisationKind.SUPPLIER
        return OrganisationKind.COUNCIL


ROLE_LABELS = {
    Role.ADMINISTRATOR: "Administrator",
    Role.CONTRACT_MANAGER: "Contract manager",
    Role.SUPPLIER_USER: "Supplier user",
}


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


class TokenPurpose(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a kind, not a password)


class EmailKind(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a kind, not a password)


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
