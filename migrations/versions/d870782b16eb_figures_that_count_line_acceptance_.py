"""figures that count: line acceptance, reporting start, social value, assessment explanations

Each return line keeps the figure last submitted and the figure the reviewer accepted, so an
accepted line counts even when another line of its return is queried. Existing lines are
brought into line with that rule here; `flask compliance refresh` (which `make migrate` runs
after upgrading) then recomputes the stored states from them.

Revision ID: d870782b16eb
Revises: a0664127b13b
Create Date: 2026-11-27 17:12:29.450327

"""

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

import portal.data.base

# revision identifiers, used by Alembic.
revision = "d870782b16eb"
down_revision = "a0664127b13b"
branch_labels = None
depends_on = None

STATUSES_BEFORE = "'not_yet_due', 'on_track', 'behind', 'off_track'"
STATUSES_AFTER = "'not_yet_due', 'awaiting_review', 'on_track', 'behind', 'off_track'"

returns = sa.table("returns", sa.column("id", sa.Integer), sa.column("status", sa.String))
lines = sa.table(
    "return_lines",
    sa.column("id", sa.Integer),
    sa.column("return_id", sa.Integer),
    sa.column("commitment_id", sa.Integer),
    sa.column("figure", sa.Numeric(12, 2)),
    sa.column("review", sa.String),
    sa.column("submitted_figure", sa.Numeric(12, 2)),
    sa.column("accepted_figure", sa.Numeric(12, 2)),
)
submissions = sa.table(
    "return_submissions",
    sa.column("return_id", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("lines", sa.JSON),
)


def _statuses(kinds, length):
    with op.batch_alter_table("commitment_states", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_commitment_states_status"), type_="check")
        batch_op.alter_column(
            "status", existing_type=sa.String(), type_=sa.String(length), existing_nullable=False
        )
        batch_op.create_check_constraint("status", f"status IN ({kinds})")


def _backfill_lines():
    """Returns sent and then reviewed or not: the figure sent is the working copy's, which
    was locked since. Returns sent back for changes: the working copy may have moved on, so
    what was sent (and, for the lines accepted, accepted) is read from the last submission."""
    bind = op.get_bind()
    sent = sa.select(returns.c.id).where(returns.c.status.in_(["submitted", "accepted"]))
    bind.execute(
        lines.update().where(lines.c.return_id.in_(sent)).values(submitted_figure=lines.c.figure)
    )
    accepted = sa.select(returns.c.id).where(returns.c.status == "accepted")
    bind.execute(
        lines.update()
        .where(lines.c.return_id.in_(accepted), lines.c.review == "accepted")
        .values(accepted_figure=lines.c.figure)
    )
    latest = (
        sa.select(submissions.c.return_id, sa.func.max(submissions.c.number).label("number"))
        .group_by(submissions.c.return_id)
        .subquery()
    )
    sent_back = bind.execute(
        sa.select(submissions.c.return_id, submissions.c.lines)
        .join(
            latest,
            sa.and_(
                latest.c.return_id == submissions.c.return_id,
                latest.c.number == submissions.c.number,
            ),
        )
        .join(returns, returns.c.id == submissions.c.return_id)
        .where(returns.c.status == "changes_requested")
    ).all()
    for return_id, sent_lines in sent_back:
        for sent_line in sent_lines or []:
            figure = sent_line.get("figure")
            figure = Decimal(figure) if figure is not None else None
            where = sa.and_(
                lines.c.return_id == return_id,
                lines.c.commitment_id == sent_line["commitment_id"],
            )
            bind.execute(lines.update().where(where).values(submitted_figure=figure))
            if figure is not None:
                bind.execute(
                    lines.update()
                    .where(where, lines.c.review == "accepted")
                    .values(accepted_figure=figure)
                )
    # Anything else marked accepted without a figure to count cannot be trusted: review again.
    bind.execute(
        lines.update()
        .where(lines.c.review == "accepted", lines.c.accepted_figure.is_(None))
        .values(review=None)
    )


def upgrade():
    op.create_table(
        "assessment_explanations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("period_starts_on", sa.Date(), nullable=False),
        sa.Column("period_ends_on", sa.Date(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("written_by_id", sa.Integer(), nullable=False),
        sa.Column("written_at", portal.data.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "period_ends_on >= period_starts_on",
            name=op.f("ck_assessment_explanations_period_in_order"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_assessment_explanations_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["written_by_id"],
            ["users.id"],
            name=op.f("fk_assessment_explanations_written_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_explanations")),
        sa.UniqueConstraint(
            "contract_id",
            "period_starts_on",
            "period_ends_on",
            name=op.f("uq_assessment_explanations_contract_id_period_starts_on_period_ends_on"),
        ),
    )
    with op.batch_alter_table("commitment_states", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "periods_awaiting_review", sa.Integer(), nullable=False, server_default="0"
            )
        )
        batch_op.add_column(sa.Column("social_value", sa.Numeric(14, 2), nullable=True))
        batch_op.add_column(sa.Column("year_social_value", sa.Numeric(14, 2), nullable=True))
        batch_op.add_column(sa.Column("proxy_price_year", sa.Integer(), nullable=True))
    with op.batch_alter_table("commitment_states", schema=None) as batch_op:
        batch_op.alter_column("periods_awaiting_review", server_default=None)
    _statuses(STATUSES_AFTER, 15)

    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reporting_starts_on", sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            "reporting_starts_within_contract",
            "reporting_starts_on IS NULL"
            " OR (reporting_starts_on >= start_on AND reporting_starts_on <= end_on)",
        )

    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submitted_figure", sa.Numeric(12, 2), nullable=True))
        batch_op.add_column(sa.Column("accepted_figure", sa.Numeric(12, 2), nullable=True))
    _backfill_lines()
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.create_check_constraint(
            "submitted_not_negative", "submitted_figure IS NULL OR submitted_figure >= 0"
        )
        batch_op.create_check_constraint(
            "accepted_figure_iff_accepted",
            "CASE WHEN review = 'accepted' THEN accepted_figure IS NOT NULL"
            " ELSE accepted_figure IS NULL END",
        )


def downgrade():
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_return_lines_accepted_figure_iff_accepted"), "check")
        batch_op.drop_constraint(op.f("ck_return_lines_submitted_not_negative"), "check")
        batch_op.drop_column("accepted_figure")
        batch_op.drop_column("submitted_figure")

    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_contracts_reporting_starts_within_contract"), "check")
        batch_op.drop_column("reporting_starts_on")

    # The earlier rules have no "awaiting review": such a commitment had nothing counted yet.
    op.execute(
        "UPDATE commitment_states SET status = 'not_yet_due' WHERE status = 'awaiting_review'"
    )
    _statuses(STATUSES_BEFORE, 11)
    with op.batch_alter_table("commitment_states", schema=None) as batch_op:
        batch_op.drop_column("proxy_price_year")
        batch_op.drop_column("year_social_value")
        batch_op.drop_column("social_value")
        batch_op.drop_column("periods_awaiting_review")

    op.drop_table("assessment_explanations")
