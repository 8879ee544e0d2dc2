"""returns: a fair-work line sent with nobody to count

A 50+ fair-work share has nothing to count in a quarter when nobody aged 50 or over worked on
the contract (issue 14). Such a line is sent, and accepted, without a figure: the line records
it, and a level commitment whose due quarters all had nobody to count has the status
"nothing_to_count" (never a false 0 or a shortfall). Existing lines all had something to count.

Revision ID: c4e8a1f7b2d9
Revises: a7d3e9c1b5f2
Create Date: 2026-11-28 03:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e8a1f7b2d9"
down_revision = "a7d3e9c1b5f2"
branch_labels = None
depends_on = None

STATUSES = ("not_yet_due", "awaiting_review", "on_track", "behind", "off_track")
ACCEPTED_HAS_FIGURE = (
    "CASE WHEN review = 'accepted' THEN accepted_figure IS NOT NULL"
    " ELSE accepted_figure IS NULL END"
)


def _statuses(statuses):
    kinds = ", ".join(f"'{status}'" for status in statuses)
    with op.batch_alter_table("commitment_states", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_commitment_states_status"), type_="check")
        batch_op.alter_column(
            "status",
            existing_type=sa.String(),
            type_=sa.String(max(map(len, statuses))),
            existing_nullable=False,
        )
        batch_op.create_check_constraint("status", f"status IN ({kinds})")


def upgrade():
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("nothing_to_count", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.alter_column("nothing_to_count", server_default=None)
        batch_op.drop_constraint(op.f("ck_return_lines_accepted_figure_iff_accepted"), "check")
        batch_op.create_check_constraint(
            "accepted_figure_iff_accepted",
            "CASE WHEN review = 'accepted' THEN accepted_figure IS NOT NULL OR nothing_to_count"
            " ELSE accepted_figure IS NULL END",
        )
        batch_op.create_check_constraint(
            "nothing_to_count_has_no_figure",
            "NOT nothing_to_count OR (submitted_figure IS NULL AND accepted_figure IS NULL)",
        )
    _statuses((*STATUSES, "nothing_to_count"))


def downgrade():
    # A line sent with nobody to count has no figure to go back to: it becomes a line
    # awaiting review (or a draft's line) again, and its commitment's state is recomputed.
    op.execute(
        "UPDATE commitment_states SET status = 'not_yet_due' WHERE status = 'nothing_to_count'"
    )
    op.execute(
        "UPDATE return_lines SET review = NULL, review_comment = NULL"
        " WHERE nothing_to_count AND review = 'accepted'"
    )
    _statuses(STATUSES)
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_return_lines_nothing_to_count_has_no_figure"), "check")
        batch_op.drop_constraint(op.f("ck_return_lines_accepted_figure_iff_accepted"), "check")
        batch_op.create_check_constraint("accepted_figure_iff_accepted", ACCEPTED_HAS_FIGURE)
        batch_op.drop_column("nothing_to_count")
