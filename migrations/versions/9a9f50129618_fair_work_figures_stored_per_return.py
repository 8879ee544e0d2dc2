"""fair work: the four fair-work shares stored per return

Each return's fair-work shares ("derived, but stored", as commitment states are), with the FTE
and headcounts behind them and the real Living Wage rate used, so that pages and exports add
them up without counting every return's people. Written whenever a return's derived figures
are; returns that exist already get theirs from `flask compliance refresh` (it counts those
without any), and `flask compliance verify` reports any return still without them. A backfill
here would have to copy the counting rules into the migration, frozen.

Revision ID: 9a9f50129618
Revises: 3f8b6d2a9c41
Create Date: 2026-11-28 00:29:39.802714

"""

import sqlalchemy as sa
from alembic import op

import portal.data.base

# revision identifiers, used by Alembic.
revision = "9a9f50129618"
down_revision = "3f8b6d2a9c41"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "fair_work_figures",
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column(
            "derivation",
            sa.Enum(
                "local_hires",
                "local_fte",
                "apprenticeship_starts",
                "apprenticeship_weeks",
                "older_worker_hires",
                "living_wage",
                "secure_work",
                "older_living_wage",
                "older_secure_work",
                name="derivation",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("coverage", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column(
            "not_known",
            sa.Enum(
                "no_rate", "no_data", name="not_known", native_enum=False, create_constraint=True
            ),
            nullable=True,
        ),
        sa.Column("fte_met", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("fte_given", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("fte_all", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("meeting", sa.Integer(), nullable=True),
        sa.Column("without_data", sa.Integer(), nullable=False),
        sa.Column("living_wage", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("updated_at", portal.data.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "fte_met <= fte_given AND fte_given <= fte_all",
            name=op.f("ck_fair_work_figures_fte_in_order"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_fair_work_figures_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["returns.id"],
            name=op.f("fk_fair_work_figures_return_id_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("return_id", "derivation", name=op.f("pk_fair_work_figures")),
    )
    with op.batch_alter_table("fair_work_figures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fair_work_figures_contract_id_return_id", ["contract_id", "return_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("fair_work_figures", schema=None) as batch_op:
        batch_op.drop_index("ix_fair_work_figures_contract_id_return_id")

    op.drop_table("fair_work_figures")
