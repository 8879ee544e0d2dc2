"""Enumerations stored in the database (as checked VARCHARs)."""

from enum import StrEnum

from portal.domain.compliance import Rating, Status  # noqa: F401

# The measure enums are domain concepts, stored here like the rest.
from portal.domain.measures import MeasureKind, MeasureUnit, WorkforceDerivation  # noqa: F401
from portal.domain.recovery import FlagSeverity, PlanStatus  # noqa: F401
from portal.domain.reviews import LineReview  # noqa: F401


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
    RETURN_SUBMITTED = "return_submitted"
    CHANGES_REQUESTED = "changes_requested"
    RETURN_ACCEPTED = "return_accepted"
    RETURN_REMINDER = "return_reminder"
    RETURN_OVERDUE = "return_overdue"
    ESCALATION = "escalation"
    CHANGES_NUDGE = "changes_nudge"
    WEEKLY_DIGEST = "weekly_digest"
    RETURN_REOPENED = "return_reopened"
    RECOVERY_PLAN_SENT = "recovery_plan_sent"
    RECOVERY_PLAN_ACCEPTED = "recovery_plan_accepted"
    RECOVERY_PLAN_CHANGES_ASKED = "recovery_plan_changes_asked"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class ReturnStatus(StrEnum):
    """A return's life: draft -> submitted -> accepted, or -> changes requested -> submitted."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "submitted": "Submitted",
            "changes_requested": "Changes requested",
            "accepted": "Accepted",
        }[self.value]

    @property
    def is_editable(self) -> bool:
        return self in (ReturnStatus.DRAFT, ReturnStatus.CHANGES_REQUESTED)


class MessageRole(StrEnum):
    """Which side wrote a message in a return line's thread."""

    COUNCIL = "council"
    SUPPLIER = "supplier"


class FlagKind(StrEnum):
    SHORTFALL = "shortfall"
    AT_RISK = "at_risk"
    OVERDUE_RETURN = "overdue_return"
    QUERIED_EVIDENCE = "queried_evidence"
    DOUBLE_COUNTING = "double_counting"
    NO_SUPPLIER_USERS = "no_supplier_users"

    @property
    def label(self) -> str:
        return {
            "shortfall": "Shortfall",
            "at_risk": "At risk of missing the target",
            "overdue_return": "Overdue return",
            "queried_evidence": "Queried evidence",
            "double_counting": "Same worker claimed twice",
            "no_supplier_users": "Supplier has no users",
        }[self.value]


class FlagStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    WAIVED = "waived"

    @property
    def is_closed(self) -> bool:
        return self in (FlagStatus.RESOLVED, FlagStatus.WAIVED)
