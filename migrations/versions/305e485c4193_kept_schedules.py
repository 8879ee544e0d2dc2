"""An upload waits for the supplier to confirm it, and the list it replaced is kept

Revision ID: 305e485c4193
Revises: c5a9e2f1d3b7
Create Date: 2026-11-27 23:35:01

A return's people are replaced by an upload only once the supplier has seen what will change;
until the return is submitted, the list the upload replaced can be put back.
"""

import sqlalchemy as sa
from alembic import op

import portal.data.base

revision = "305e485c4193"
down_revision = "c5a9e2f1d3b7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("kept_at", portal.data.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('pending', 'previous')", name=op.f("ck_kept_schedules_kind_allowed")
        ),
        sa.CheckConstraint("people >= 0", name=op.f("ck_kept_schedules_people_not_negative")),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["returns.id"],
            name=op.f("fk_kept_schedules_return_id_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_schedules")),
        sa.UniqueConstraint("return_id", "kind", name=op.f("uq_kept_schedules_return_id_kind")),
    )


def downgrade() -> None:
    op.drop_table("kept_schedules")
