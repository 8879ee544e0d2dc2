"""Typed SQLAlchemy models. Constraints here make bad states impossible, not just unlikely."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.data.base import Base, UTCDateTime, at_most, enum_column, utcnow
from portal.data.types import (
    EmailKind,
    EmailStatus,
    FlagKind,
    FlagSeverity,
    FlagStatus,
    LineReview,
    MeasureKind,
    MeasureUnit,
    MessageRole,
    OrganisationKind,
    PlanStatus,
    Rating,
    ReturnStatus,
    Role,
    Status,
    TokenPurpose,
    WorkforceDerivation,
)
from portal.domain.counting import AgeBand, ContractType, NotKnown
from portal.domain.postcodes import sort_area_codes

Money = Numeric(14, 2)
Quantity = Numeric(12, 2)


class Organisation(Base):
    """A council or a supplier (company, charity, SME)."""

    __tablename__ = "organisations"
    __table_args__ = (
        # Referenced with the kind by users and contracts, so that a supplier user can only
        # belong to a supplier and a contract only to a council.
        UniqueConstraint("id", "kind", name="uq_organisations_id_kind"),
        CheckConstraint(
            "kind = 'supplier' OR (is_sme = false AND is_vcse = false)", name="council_flags"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind, "kind"))
    is_sme: Mapped[bool] = mapped_column(Boolean, default=False)
    is_vcse: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the organisation is, as a full postcode ("M4 5AB"): an address, not a person's.
    postcode: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The council whose staff added this supplier: until it has contracts, only they see it.
    created_by_council_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # A council in London judges pay against the London real Living Wage (section 5a).
    is_in_london: Mapped[bool] = mapped_column(Boolean, default=False)
    # A supplier accredited by the Living Wage Foundation (shown beside its name; issue 14).
    is_living_wage_employer: Mapped[bool] = mapped_column(Boolean, default=False)
    # Moved on by every update: an edit form saved from an older page is refused
    # (portal.data.versions).
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    @property
    def is_council(self) -> bool:
        return self.kind is OrganisationKind.COUNCIL


class User(Base):
    """A person who signs in. Invited users have no password until they accept."""

    __tablename__ = "users"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "organisation_kind"],
            ["organisations.id", "organisations.kind"],
            name="fk_users_organisation_kind",
        ),
        UniqueConstraint("id", "organisation_id", name="uq_users_id_organisation_id"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        CheckConstraint(
            "(role = 'supplier_user') = (organisation_kind = 'supplier')",
            name="role_matches_organisation",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    organisation_id: Mapped[int] = mapped_column(Integer, index=True)
    organisation_kind: Mapped[OrganisationKind] = mapped_column(
        enum_column(OrganisationKind, "organisation_kind")
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Part of the session id: bumping it signs the user out everywhere (reset, deactivation).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Moved on by every update: an edit form saved from an older page is refused
    # (portal.data.versions).
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(
        back_populates="users",
        foreign_keys=[organisation_id],
        primaryjoin="User.organisation_id == Organisation.id",
    )

    # Flask-Login's user protocol
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def has_accepted_invitation(self) -> bool:
        return self.password_hash is not None

    @property
    def is_council_staff(self) -> bool:
        return self.role in (Role.ADMINISTRATOR, Role.CONTRACT_MANAGER)


class UserToken(Base):
    """A single-use, expiring link for an invitation or a password reset. Only its hash is kept."""

    __tablename__ = "user_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose, "purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class BrowserSession(Base):
    """A browser's session. The cookie holds only a random id; this row keeps its hash, the
    session's contents and, once signed in, its user, so that a user's sessions can be listed
    and ended (sign-out, password change, deactivation)."""

    __tablename__ = "browser_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[str] = mapped_column(Text, default="{}")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written at most once a minute (see portal.sessions), not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    browser: Mapped[str] = mapped_column(String(100), default="")  # "Chrome on Windows"
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordResetRequest(Base):
    """Someone asked for a reset link for this address. The request writes only this, whether
    or not the address has an account; the delivery worker turns it into an email (or nothing)
    and deletes it."""

    __tablename__ = "password_reset_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LocalArea(Base):
    """A named list of postcode districts (M1) and sectors (M27 4) that count as local."""

    __tablename__ = "local_areas"
    __table_args__ = (
        UniqueConstraint("council_id", "name"),
        Index(
            "uq_local_areas_one_default_per_council",
            "council_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # Moved on by every update: an edit form saved from an older page is refused
    # (portal.data.versions).
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    postcodes: Mapped[list[LocalAreaPostcode]] = relationship(
        cascade="all, delete-orphan", order_by="LocalAreaPostcode.code"
    )

    @property
    def codes(self) -> list[str]:
        return sort_area_codes(postcode.code for postcode in self.postcodes)


class LocalAreaPostcode(Base):
    __tablename__ = "local_area_postcodes"

    local_area_id: Mapped[int] = mapped_column(
        ForeignKey("local_areas.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(8), primary_key=True)


class Measure(Base):
    """An entry of the council's measures catalogue. Retired, never deleted."""

    __tablename__ = "measures"
    __table_args__ = (
        at_most("counting_rule", 2000),
        at_most("evidence_guidance", 2000),
        UniqueConstraint("council_id", "code"),
        UniqueConstraint("council_id", "name"),
        CheckConstraint("proxy_value IS NULL OR proxy_value >= 0", name="proxy_not_negative"),
        CheckConstraint(
            "(proxy_value IS NULL) = (proxy_price_year IS NULL)", name="proxy_has_price_year"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[MeasureUnit] = mapped_column(enum_column(MeasureUnit, "unit"))
    kind: Mapped[MeasureKind] = mapped_column(enum_column(MeasureKind, "kind"))
    derivation: Mapped[WorkforceDerivation | None] = mapped_column(
        enum_column(WorkforceDerivation, "derivation")
    )
    counting_rule: Mapped[str] = mapped_column(Text)
    evidence_guidance: Mapped[str] = mapped_column(Text)
    proxy_value: Mapped[Decimal | None] = mapped_column(Money)
    proxy_price_year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Moved on by every update: an edit form saved from an older page is refused
    # (portal.data.versions).
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class Contract(Base):
    """A council's contract with a supplier, and the area that counts as local for it."""

    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("council_id", "reference"),
        Index("ix_contracts_council_id_manager_id", "council_id", "manager_id"),
        Index("ix_contracts_council_id_end_on", "council_id", "end_on"),
        ForeignKeyConstraint(
            ["council_id", "council_kind"],
            ["organisations.id", "organisations.kind"],
            name="fk_contracts_council_kind",
        ),
        ForeignKeyConstraint(
            ["supplier_id", "supplier_kind"],
            ["organisations.id", "organisations.kind"],
            name="fk_contracts_supplier_kind",
        ),
        # The contract manager is a user of the council that owns the contract.
        ForeignKeyConstraint(
            ["manager_id", "council_id"],
            ["users.id", "users.organisation_id"],
            name="fk_contracts_manager_council",
        ),
        CheckConstraint("council_kind = 'council'", name="council_is_council"),
        CheckConstraint("supplier_kind = 'supplier'", name="supplier_is_supplier"),
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint("end_on >= start_on", name="ends_after_start"),
        CheckConstraint(
            "reporting_starts_on IS NULL"
            " OR (reporting_starts_on >= start_on AND reporting_starts_on <= end_on)",
            name="reporting_starts_within_contract",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(Integer)
    council_kind: Mapped[OrganisationKind] = mapped_column(
        enum_column(OrganisationKind, "council_kind"), default=OrganisationKind.COUNCIL
    )
    reference: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    supplier_id: Mapped[int] = mapped_column(Integer, index=True)
    supplier_kind: Mapped[OrganisationKind] = mapped_column(
        enum_column(OrganisationKind, "supplier_kind"), default=OrganisationKind.SUPPLIER
    )
    manager_id: Mapped[int] = mapped_column(Integer, index=True)
    value: Mapped[Decimal] = mapped_column(Money)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    # Entered part-way through its life: periods ending before this day need no return.
    reporting_starts_on: Mapped[date | None] = mapped_column(Date)
    local_area_id: Mapped[int | None] = mapped_column(ForeignKey("local_areas.id"))
    is_kpi_contract: Mapped[bool] = mapped_column(Boolean, default=False)
    # Which real Living Wage applies: None = the council's (London or not), else London or not.
    uses_london_living_wage: Mapped[bool | None] = mapped_column(Boolean)
    # Moved on by every update: an edit form saved from an older page is refused
    # (portal.data.versions).
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    supplier: Mapped[Organisation] = relationship(
        foreign_keys=[supplier_id], primaryjoin="Contract.supplier_id == Organisation.id"
    )
    manager: Mapped[User] = relationship(
        foreign_keys=[manager_id], primaryjoin="Contract.manager_id == User.id"
    )
    local_area: Mapped[LocalArea | None] = relationship()
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Commitment.id"
    )


class Commitment(Base):
    """One measure promised in one contract, with a target. The proxy value is frozen."""

    __tablename__ = "commitments"
    __table_args__ = (
        at_most("note", 2000),
        at_most("retired_reason", 2000),
        UniqueConstraint("contract_id", "measure_id"),
        CheckConstraint("target > 0", name="target_positive"),
        CheckConstraint("proxy_value IS NULL OR proxy_value >= 0", name="proxy_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    target: Mapped[Decimal] = mapped_column(Quantity)
    note: Mapped[str] = mapped_column(Text, default="")
    proxy_value: Mapped[Decimal | None] = mapped_column(Money)
    proxy_price_year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Retired commitments stay on record (with their history) but are no longer monitored.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_reason: Mapped[str | None] = mapped_column(Text)
    # Moved on by every update: an edit form saved from an older page is refused
    # (portal.data.versions).
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    contract: Mapped[Contract] = relationship(back_populates="commitments")
    measure: Mapped[Measure] = relationship()
    plan: Mapped[list[PlannedFigure]] = relationship(
        cascade="all, delete-orphan",
        order_by="[PlannedFigure.financial_year, PlannedFigure.quarter]",
    )

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class PlannedFigure(Base):
    """An explicit per-period profile entry, replacing the even spread of a commitment's target.

    Keyed by financial quarter rather than period number, so it survives a change of dates.
    """

    __tablename__ = "planned_figures"
    __table_args__ = (
        CheckConstraint("planned >= 0", name="planned_not_negative"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_1_to_4"),
    )

    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True
    )
    financial_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    quarter: Mapped[int] = mapped_column(Integer, primary_key=True)
    planned: Mapped[Decimal] = mapped_column(Quantity)


class ContractImport(Base):
    """An uploaded file of contracts, kept between its preview and the manager's confirmation."""

    __tablename__ = "contract_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # The file's rows as read once at upload (spreadsheets.table_to_json), so the preview and the
    # confirmation never read the file again. None for uploads from before it was kept.
    parsed_rows: Mapped[list[list[Any]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contracts_created: Mapped[int | None] = mapped_column(Integer)


class OutboxMessage(Base):
    """Every email the portal sends, written in the transaction that causes it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_outbox_messages_status_created_at", "status", "created_at"),
        CheckConstraint(
            "(financial_year IS NULL) = (contract_id IS NULL)"
            " AND (quarter IS NULL) = (contract_id IS NULL)",
            name="about_one_period",
        ),
        Index("ix_outbox_messages_period", "contract_id", "financial_year", "quarter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # makes each email exactly once
    kind: Mapped[EmailKind] = mapped_column(enum_column(EmailKind, "kind"))
    recipient: Mapped[str] = mapped_column(String(320))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The council the email was written for, so that only its administrators read it. None for
    # an email about a supplier user's own account (a password reset), which is no one
    # council's, and for emails written before councils were recorded.
    council_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[EmailStatus] = mapped_column(
        enum_column(EmailStatus, "status"), default=EmailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    transport_reference: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # After a failed attempt, not before this (portal.domain.mail); None: due now.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The return period a reminder, overdue notice, escalation or nudge chases (its key says
    # it too, but a key cannot be looked up by period): the overdue list's "last reminder".
    contract_id: Mapped[int | None] = mapped_column(Integer)
    financial_year: Mapped[int | None] = mapped_column(Integer)
    quarter: Mapped[int | None] = mapped_column(Integer)


class AuditEvent(Base):
    """Who did what to which object, when, with before and after values. Append-only."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[int] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    # The contract an event concerns (itself or one of its commitments): its history in one query.
    contract_id: Mapped[int | None] = mapped_column(Integer, index=True)

    actor: Mapped[User | None] = relationship()


class Return(Base):
    """One contract's evidence for one reporting period.

    The row is the working copy; every submission is also frozen in ReturnSubmission, so a
    resubmission never overwrites what was sent before. `version` makes concurrent edits fail
    loudly instead of silently overwriting each other.
    """

    __tablename__ = "returns"
    __table_args__ = (
        UniqueConstraint("contract_id", "financial_year", "quarter"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_1_to_4"),
        CheckConstraint("period_ends_on >= period_starts_on", name="period_in_order"),
        Index("ix_returns_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    financial_year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    period_starts_on: Mapped[date] = mapped_column(Date)
    period_ends_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ReturnStatus] = mapped_column(
        enum_column(ReturnStatus, "status"), default=ReturnStatus.DRAFT
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Touched by every change (to lines, people or files) so that `version` moves with it.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submission_count: Mapped[int] = mapped_column(Integer, default=0)

    __mapper_args__ = {"version_id_col": version}

    contract: Mapped[Contract] = relationship()
    lines: Mapped[list[ReturnLine]] = relationship(
        back_populates="return_", cascade="all, delete-orphan", order_by="ReturnLine.id"
    )
    submissions: Mapped[list[ReturnSubmission]] = relationship(
        cascade="all, delete-orphan", order_by="ReturnSubmission.number"
    )
    reopenings: Mapped[list[ReturnReopening]] = relationship(
        cascade="all, delete-orphan", order_by="ReturnReopening.submission_number"
    )


class ReturnLine(Base):
    """The figure delivered this period for one commitment, with a narrative.

    `figure` is the supplier's working copy. `submitted_figure` is what was last submitted, and
    `accepted_figure` what the reviewer accepted: it counts as delivered, whatever happens to
    the other lines, until a resubmission changes this line."""

    __tablename__ = "return_lines"
    __table_args__ = (
        at_most("narrative", 2000),
        at_most("nil_reason", 2000),
        at_most("review_comment", 2000),
        UniqueConstraint("return_id", "commitment_id"),
        CheckConstraint("figure IS NULL OR figure >= 0", name="figure_not_negative"),
        CheckConstraint(
            "submitted_figure IS NULL OR submitted_figure >= 0", name="submitted_not_negative"
        ),
        CheckConstraint(
            "CASE WHEN review = 'accepted' THEN accepted_figure IS NOT NULL OR nothing_to_count"
            " ELSE accepted_figure IS NULL END",
            name="accepted_figure_iff_accepted",
        ),
        CheckConstraint(
            "NOT nothing_to_count OR (submitted_figure IS NULL AND accepted_figure IS NULL)",
            name="nothing_to_count_has_no_figure",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"))
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    figure: Mapped[Decimal | None] = mapped_column(Quantity)
    narrative: Mapped[str] = mapped_column(Text, default="")
    nil_reason: Mapped[str | None] = mapped_column(Text)
    review: Mapped[LineReview | None] = mapped_column(enum_column(LineReview, "review"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    submitted_figure: Mapped[Decimal | None] = mapped_column(Quantity)
    accepted_figure: Mapped[Decimal | None] = mapped_column(Quantity)
    # As last sent: a fair-work share with nobody in its group (nobody aged 50 or over on the
    # contract this quarter). Sent and accepted without a figure; never counted as 0.
    nothing_to_count: Mapped[bool] = mapped_column(Boolean, default=False)

    return_: Mapped[Return] = relationship(back_populates="lines")
    commitment: Mapped[Commitment] = relationship()


class FairWorkFigure(Base):
    """One fair-work share of one return, counted from its workforce records whether or not
    the contract has a fair-work commitment ("derived, but stored", as commitment states are):
    pages read these instead of counting every return's people. Written with the derived
    figures on the lines (workflows.returns.refresh_derived), so it is as current as they are.

    The FTE sums let shares be added up across returns and contracts (met ÷ given, given ÷ all);
    `percent` and `coverage` are the return's own, as its line shows them."""

    __tablename__ = "fair_work_figures"
    __table_args__ = (
        CheckConstraint("fte_met <= fte_given AND fte_given <= fte_all", name="fte_in_order"),
        Index("ix_fair_work_figures_contract_id_return_id", "contract_id", "return_id"),
    )

    return_id: Mapped[int] = mapped_column(
        ForeignKey("returns.id", ondelete="CASCADE"), primary_key=True
    )
    derivation: Mapped[WorkforceDerivation] = mapped_column(
        enum_column(WorkforceDerivation, "derivation"), primary_key=True
    )
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # None: not known
    coverage: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # None: nobody in the group
    not_known: Mapped[NotKnown | None] = mapped_column(enum_column(NotKnown, "not_known"))
    fte_met: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    fte_given: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    fte_all: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    counted: Mapped[int] = mapped_column(Integer)  # people whose record gives the figure
    meeting: Mapped[int | None] = mapped_column(Integer)  # None: no rate to judge pay by
    without_data: Mapped[int] = mapped_column(Integer)
    living_wage: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # the rate used, £/hour
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReturnSubmission(Base):
    """What was submitted, frozen, and what the reviewer decided about it."""

    __tablename__ = "return_submissions"
    __table_args__ = (UniqueConstraint("return_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_by_name: Mapped[str] = mapped_column(String(200))
    declaration: Mapped[str] = mapped_column(Text)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    workforce_records: Mapped[int] = mapped_column(Integer, default=0)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    outcome: Mapped[ReturnStatus | None] = mapped_column(enum_column(ReturnStatus, "outcome"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class ReturnReopening(Base):
    """An accepted submission sent back to the supplier: when, by whom, why and which lines.
    The submission itself stays as it was decided; this records what happened to it after."""

    __tablename__ = "return_reopenings"
    # A reopened return needs sending again before it can be accepted, and so reopened, again.
    __table_args__ = (
        UniqueConstraint("return_id", "submission_number"),
        at_most("reason", 2000),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"))
    submission_number: Mapped[int] = mapped_column(Integer)
    reopened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reopened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    commitment_ids: Mapped[list[int]] = mapped_column(JSON)  # the lines sent back

    reopened_by: Mapped[User] = relationship()


class LineMessage(Base):
    """One message in a return line's thread: the council's query or reason for reopening, or
    the supplier's reply. Append-only: a message is never edited or deleted."""

    __tablename__ = "line_messages"
    __table_args__ = (
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        at_most("text", 2000),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(
        ForeignKey("return_lines.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[MessageRole] = mapped_column(enum_column(MessageRole, "role"))
    text: Mapped[str] = mapped_column(Text)
    # The submission the message is about: a query on it, or a reply before the next one.
    submission_number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()


@event.listens_for(LineMessage, "before_update")
def _messages_are_never_edited(*_: Any) -> None:
    raise ValueError("line messages are append-only")


class WorkforceEntry(Base):
    """One anonymised person engaged on the contract in the period: no names, only the sector
    of the home postcode, and an age band."""

    __tablename__ = "workforce_entries"
    __table_args__ = (
        UniqueConstraint("return_id", "worker_reference", "starts_on"),
        Index("ix_workforce_entries_worker_reference", "worker_reference"),
        CheckConstraint("weekly_hours > 0 AND weekly_hours <= 60", name="weekly_hours_range"),
        CheckConstraint("share_on_contract > 0 AND share_on_contract <= 1", name="share_range"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint(
            "(apprenticeship_level IS NULL) = (apprenticeship_standard IS NULL)"
            " AND (apprenticeship_level IS NULL OR apprenticeship_level BETWEEN 2 AND 7)",
            name="apprenticeship_level_and_standard",
        ),
        CheckConstraint(
            "hourly_pay IS NULL OR (hourly_pay >= 1 AND hourly_pay <= 500)",
            name="hourly_pay_range",
        ),
        CheckConstraint(
            "guaranteed_hours IS NULL OR (guaranteed_hours >= 0 AND guaranteed_hours <= 60)",
            name="guaranteed_hours_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"), index=True)
    worker_reference: Mapped[str] = mapped_column(String(50))
    postcode_sector: Mapped[str] = mapped_column(String(8))
    age_band: Mapped[AgeBand] = mapped_column(enum_column(AgeBand, "age_band"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    weekly_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    share_on_contract: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    is_new_hire: Mapped[bool] = mapped_column(Boolean)
    apprenticeship_level: Mapped[int | None] = mapped_column(Integer)
    apprenticeship_standard: Mapped[str | None] = mapped_column(String(200))
    # Fair work (design brief section 5a): optional unless the contract has a fair-work measure.
    hourly_pay: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    contract_type: Mapped[ContractType | None] = mapped_column(
        enum_column(ContractType, "contract_type")
    )
    guaranteed_hours: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))


class KeptSchedule(Base):
    """A list of a return's people kept aside while the return is being prepared: an upload
    waiting for the supplier to confirm it ("pending"), or the list the last confirmed upload
    replaced ("previous"), which can be put back. Both go when the return is submitted."""

    __tablename__ = "kept_schedules"
    __table_args__ = (
        UniqueConstraint("return_id", "kind"),
        CheckConstraint("kind IN ('pending', 'previous')", name="kind_allowed"),
        CheckConstraint("people >= 0", name="people_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    records: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # schedules.to_json of each
    people: Mapped[int] = mapped_column(Integer)
    kept_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EvidenceFile(Base):
    """A document attached to a return (or one of its lines). The bytes live in a FileStore."""

    __tablename__ = "evidence_files"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint(
            "kind IN ('pdf', 'png', 'jpeg', 'csv', 'xlsx', 'docx')", name="kind_allowed"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"), index=True)
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"))
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage: Mapped[str] = mapped_column(String(20), default="database")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    commitment: Mapped[Commitment | None] = relationship()


class EvidenceBlob(Base):
    """The bytes of an evidence file, apart from its record so that lists never load them."""

    __tablename__ = "evidence_blobs"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_files.id", ondelete="CASCADE"), primary_key=True
    )
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Flag(Base):
    """Something a contract manager must look at. Raised once per key; closes itself when its
    condition clears, or is waived with a reason."""

    __tablename__ = "flags"
    __table_args__ = (
        at_most("waived_reason", 2000),
        # Lists and counts of open flags read everything they need from this index.
        Index(
            "ix_flags_status_contract_severity", "status", "contract_id", "severity", "raised_at"
        ),
        CheckConstraint(
            "status != 'waived' OR waived_reason IS NOT NULL", name="waiver_has_reason"
        ),
        CheckConstraint(
            "(escalated_on IS NULL) = (escalated_from IS NULL)", name="escalation_says_from"
        ),
        CheckConstraint("plan_version >= 0", name="plan_version_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[FlagKind] = mapped_column(enum_column(FlagKind, "kind"))
    severity: Mapped[FlagSeverity] = mapped_column(enum_column(FlagSeverity, "severity"))
    status: Mapped[FlagStatus] = mapped_column(
        enum_column(FlagStatus, "status"), default=FlagStatus.OPEN
    )
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"))
    return_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id"))
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    waived_reason: Mapped[str | None] = mapped_column(Text)
    # The supplier's recovery plan: where the conversation with the council stands, and a
    # version that every change to the plan moves on, so two people cannot overwrite each other.
    plan_status: Mapped[PlanStatus] = mapped_column(
        enum_column(PlanStatus, "plan_status"), default=PlanStatus.NONE
    )
    plan_version: Mapped[int] = mapped_column(Integer, default=0)
    # Raised one step (once only) because an action of the accepted plan went past its date;
    # the compliance refresh keeps the step when it sets the severity from the condition.
    escalated_on: Mapped[date | None] = mapped_column(Date)
    escalated_from: Mapped[FlagSeverity | None] = mapped_column(
        enum_column(FlagSeverity, "escalated_from")
    )

    contract: Mapped[Contract] = relationship()
    commitment: Mapped[Commitment | None] = relationship()
    actions: Mapped[list[RecoveryAction]] = relationship(
        cascade="all, delete-orphan", order_by="[RecoveryAction.due_on, RecoveryAction.id]"
    )


class RecoveryAction(Base):
    """One step of a supplier's recovery plan for a flag: what, who, by when."""

    __tablename__ = "recovery_actions"
    __table_args__ = (at_most("action", 2000),)

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("flags.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)  # as the supplier reports it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class CommitmentState(Base):
    """A commitment's compliance, kept current by the facts that change it (design brief 5,
    "Derived, but stored"): pages read this instead of summing every return."""

    __tablename__ = "commitment_states"

    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True
    )
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    expected_to_date: Mapped[Decimal] = mapped_column(Money)
    delivered: Mapped[Decimal] = mapped_column(Money)
    pending: Mapped[Decimal] = mapped_column(Money)
    shortfall: Mapped[Decimal] = mapped_column(Money)
    delivery_pct: Mapped[Decimal | None] = mapped_column(Numeric(9, 2))
    status: Mapped[Status] = mapped_column(enum_column(Status, "status"), index=True)
    forecast: Mapped[Decimal] = mapped_column(Money)
    at_risk: Mapped[bool] = mapped_column(Boolean)
    periods_due: Mapped[int] = mapped_column(Integer)
    periods_awaiting_review: Mapped[int] = mapped_column(Integer, default=0)
    financial_year: Mapped[int] = mapped_column(Integer)
    year_committed: Mapped[Decimal] = mapped_column(Money)
    year_delivered: Mapped[Decimal] = mapped_column(Money)
    # Delivered x the commitment's frozen proxy value, in its price-base year's pounds; the
    # year is copied here (it never changes) so the dashboard's totals need no join.
    social_value: Mapped[Decimal | None] = mapped_column(Money)
    year_social_value: Mapped[Decimal | None] = mapped_column(Money)
    proxy_price_year: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commitment: Mapped[Commitment] = relationship()


class ContractState(Base):
    """A contract's rating and return position, kept current like CommitmentState."""

    __tablename__ = "contract_states"

    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True
    )
    as_of: Mapped[date] = mapped_column(Date)
    rating: Mapped[Rating] = mapped_column(enum_column(Rating, "rating"), index=True)
    mean_pct: Mapped[Decimal | None] = mapped_column(Numeric(9, 2))
    overdue_returns: Mapped[int] = mapped_column(Integer, default=0)
    next_due_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OverduePeriod(Base):
    """A reporting period whose return is overdue (none sent by its due date) as of the
    contract's last compliance refresh. ContractState.overdue_returns counts these rows, and
    they are written in the same step, so the overdue list is one indexed query that agrees
    with the dashboard: a period with no return has no other row to list."""

    __tablename__ = "overdue_periods"
    __table_args__ = (
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_1_to_4"),
        CheckConstraint("period_ends_on >= period_starts_on", name="period_in_order"),
    )

    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True
    )
    financial_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    quarter: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_starts_on: Mapped[date] = mapped_column(Date)
    period_ends_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)

    contract: Mapped[Contract] = relationship()


class AssessmentExplanation(Base):
    """The contract manager's explanation of a contract's performance over an assessment
    period, published with the KPI ratings in a contract performance notice."""

    __tablename__ = "assessment_explanations"
    __table_args__ = (
        at_most("explanation", 5000),
        UniqueConstraint("contract_id", "period_starts_on", "period_ends_on"),
        CheckConstraint("period_ends_on >= period_starts_on", name="period_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    period_starts_on: Mapped[date] = mapped_column(Date)
    period_ends_on: Mapped[date] = mapped_column(Date)
    explanation: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Moved on by every rewrite: a form saved from an older page is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    written_by: Mapped[User] = relationship()


class LivingWageRate(Base):
    """A real Living Wage rate as the Living Wage Foundation announced it, for London or for the
    rest of the UK. Administrators keep the table; the same rates hold for every council."""

    __tablename__ = "living_wage_rates"
    __table_args__ = (
        UniqueConstraint("london", "payable_from"),
        CheckConstraint("hourly_rate >= 1 AND hourly_rate <= 500", name="hourly_rate_range"),
        CheckConstraint("payable_from >= announced_on", name="payable_after_announced"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    london: Mapped[bool] = mapped_column(Boolean)
    hourly_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    announced_on: Mapped[date] = mapped_column(Date)
    payable_from: Mapped[date] = mapped_column(Date)
    # Moved on by every update: an edit form saved from an older page is refused
    # (portal.data.versions).
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


# Spend analysis (design brief section 5b): the council's published spend files, every payment
# in them, and the payees they name.


class SpendSettings(Base):
    """A council's spend analysis settings: the columns its files were last loaded with
    (remembered for the next load and for `flask spend load`), the words that propose a payee
    as a public body, and how many suppliers the headline "top N" takes."""

    __tablename__ = "spend_settings"
    __table_args__ = (CheckConstraint("top_n BETWEEN 1 AND 10000", name="top_n_range"),)

    council_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    # SpendField value -> the header text as the file wrote it ("payment_date": "Date Paid").
    column_names: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # None: the defaults (portal.domain.spend.DEFAULT_PUBLIC_BODY_PATTERNS).
    public_body_patterns: Mapped[list[str] | None] = mapped_column(JSON)
    top_n: Mapped[int] = mapped_column(Integer, default=300)
    # The wider area (such as the city region) between local and elsewhere: one of the
    # council's named local areas; None until one is chosen.
    wider_area_id: Mapped[int | None] = mapped_column(
        ForeignKey("local_areas.id", ondelete="SET NULL")
    )
    # Moved on by every update: an edit form saved from an older page is refused
    # (portal.data.versions).
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class SpendUpload(Base):
    """Spend files uploaded and kept until they are loaded: between the page that shows the
    columns they will be read with and the person's confirmation, and while a file whose dates
    are already loaded waits for the person to say whether to replace them."""

    __tablename__ = "spend_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    files: Mapped[list[SpendUploadFile]] = relationship(
        cascade="all, delete-orphan", order_by="SpendUploadFile.position"
    )


class SpendUploadFile(Base):
    """One file of an upload, its bytes kept as they came."""

    __tablename__ = "spend_upload_files"
    __table_args__ = (
        UniqueConstraint("upload_id", "position"),
        # An empty file is kept too: loading it says so, like any file that cannot be read.
        CheckConstraint("size = length(content)", name="size_of_content"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("spend_uploads.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # the order they are loaded in
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class SpendFile(Base):
    """One spend file as loaded. Its content's hash is kept so that loading it again adds
    nothing. Its counts are of the payments it still has: replacing some of its dates with a
    later file's moves them, and a file left with none is deleted."""

    __tablename__ = "spend_files"
    __table_args__ = (
        UniqueConstraint("council_id", "sha256"),
        # Payments refer to the file with its council, so they cannot cross councils.
        UniqueConstraint("id", "council_id", name="uq_spend_files_id_council_id"),
        CheckConstraint("payments >= 0", name="payments_not_negative"),
        # While a file is being loaded it has no payments (and no dates) yet.
        CheckConstraint(
            "(first_paid_on IS NULL) = (payments = 0) AND (last_paid_on IS NULL) = (payments = 0)",
            name="dates_iff_payments",
        ),
        CheckConstraint("last_paid_on >= first_paid_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the CLI
    payments: Mapped[int] = mapped_column(Integer, default=0)
    net_total: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    first_paid_on: Mapped[date | None] = mapped_column(Date)
    last_paid_on: Mapped[date | None] = mapped_column(Date)

    loaded_by: Mapped[User | None] = relationship()


class Payee(Base):
    """Someone a council's spend files pay, under one or more published names (PayeeName): a
    portal supplier (organisation_id) or a supplier known only from spend. Classification is
    None while nobody has said (shown as unknown); is_public_body None means "not decided", and
    the analysis then proposes it from the name (portal.domain.spend.looks_like_public_body).
    Redacted payments (people) have no payee."""

    __tablename__ = "payees"
    __table_args__ = (
        UniqueConstraint("id", "council_id", name="uq_payees_id_council_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(255))  # the first spelling loaded, to show
    # The portal supplier: proposed by a matching normalised name, until a person decides.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # A person decided the match: this supplier, or none (known only from spend). A decided
    # payee is never proposed a supplier again.
    organisation_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    postcode: Mapped[str | None] = mapped_column(String(8))
    is_sme: Mapped[bool | None] = mapped_column(Boolean)
    is_vcse: Mapped[bool | None] = mapped_column(Boolean)
    is_public_body: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Moved on by every update: an edit form saved from an older page is refused
    # (portal.data.versions).
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id])


class PayeeName(Base):
    """A normalised published name (portal.domain.spend.normalise_supplier_name) and the payee
    it stands for: each name one payee per council, and merging payees moves their names."""

    __tablename__ = "payee_names"
    __table_args__ = (
        ForeignKeyConstraint(
            ["payee_id", "council_id"],
            ["payees.id", "payees.council_id"],
            name="fk_payee_names_payee_council",
            ondelete="CASCADE",
        ),
    )

    council_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    normalised_name: Mapped[str] = mapped_column(String(255), primary_key=True)
    payee_id: Mapped[int] = mapped_column(Integer, index=True)


class SpendPayment(Base):
    """One payment from a spend file. Identical lines in a file are separate payments, so rows
    are never de-duplicated by their values. payee_id None: a redacted payment (a person),
    counted in every total, never a supplier's."""

    __tablename__ = "spend_payments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["file_id", "council_id"],
            ["spend_files.id", "spend_files.council_id"],
            name="fk_spend_payments_file_council",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["payee_id", "council_id"],
            ["payees.id", "payees.council_id"],
            name="fk_spend_payments_payee_council",
        ),
        # The year's analysis: totals by payee (and by service area, expense type) of one year.
        # With the amount, so a year's totals by payee read the index alone.
        Index(
            "ix_spend_payments_council_year_payee",
            "council_id",
            "financial_year",
            "payee_id",
            "amount",
        ),
        # Whether a new file's dates are already loaded, and replacing them.
        Index("ix_spend_payments_council_paid_on", "council_id", "paid_on"),
        CheckConstraint("row_number > 0", name="row_number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    file_id: Mapped[int] = mapped_column(Integer, index=True)
    row_number: Mapped[int] = mapped_column(Integer)  # as the file shows it
    financial_year: Mapped[int] = mapped_column(Integer)  # named after the year it starts in
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)  # negative for a credit note
    supplier_name: Mapped[str] = mapped_column(String(255))  # as published
    payee_id: Mapped[int | None] = mapped_column(Integer, index=True)
    transaction_number: Mapped[str | None] = mapped_column(String(255))
    service_area: Mapped[str | None] = mapped_column(String(255))
    expense_type: Mapped[str | None] = mapped_column(String(255))
    published_supplier_id: Mapped[str | None] = mapped_column(String(255))
