"""Enumerations stored in the database (as checked VARCHARs)."""

from enum import StrEnum

# The measure enums are domain concepts, stored here like the rest.
from portal.domain.measures import MeasureKind, MeasureUnit, WorkforceDerivation  # noqa: F401


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
