"""recovery plans: a conversation with the council, actions marked done, escalation

A flag's recovery plan has a status (none yet, waiting for the council, accepted, changes asked
for) and a version that every change moves on; its actions can be marked done; a flag remembers
that an overdue action of an accepted plan raised it a step. Plans written before the council
could answer them are waiting for its answer. The outbox learns the plan's three emails.

Revision ID: e3e33f87ebbe
Revises: 5b1e7c0d9a42
Create Date: 2026-12-01 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e3e33f87ebbe"
down_revision = "5b1e7c0d9a42"
branch_labels = None
depends_on = None

EMAIL_KINDS_BEFORE = (
    "'invitation', 'password_reset', 'return_submitted', 'changes_requested', 'return_accepted',"
    " 'return_reminder', 'return_overdue', 'escalation', 'changes_nudge', 'weekly_digest',"
    " 'return_reopened'"
)
EMAIL_KINDS_AFTER = EMAIL_KINDS_BEFORE + (
    ", 'recovery_plan_sent', 'recovery_plan_accepted', 'recovery_plan_changes_asked'"
)
PLAN_STATUSES = "'none', 'waiting', 'accepted', 'changes_asked'"
SEVERITIES = "'high', 'medium', 'low'"
FLAG_CHECKS = {
    "plan_status": f"plan_status IN ({PLAN_STATUSES})",
    "escalated_from": f"escalated_from IN ({SEVERITIES})",
    "escalation_says_from": "(escalated_on IS NULL) = (escalated_from IS NULL)",
    "plan_version_not_negative": "plan_version >= 0",
}


def _email_kinds(kinds, length):
    # The outbox's kind is a checked VARCHAR: new kinds of email widen the check and the column.
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_messages_kind"), type_="check")
        batch_op.alter_column("kind", type_=sa.String(length), existing_nullable=False)
        batch_op.create_check_constraint("kind", f"kind IN ({kinds})")


def upgrade():
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("plan_status", sa.String(13), nullable=False, server_default="none")
        )
        batch_op.add_column(
            sa.Column("plan_version", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("escalated_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("escalated_from", sa.String(6), nullable=True))
    # A plan written before the council could answer it is waiting for that answer.
    op.execute(
        "UPDATE flags SET plan_status = 'waiting'"
        " WHERE id IN (SELECT flag_id FROM recovery_actions)"
    )
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.alter_column("plan_status", server_default=None)
        batch_op.alter_column("plan_version", server_default=None)
        for name, condition in FLAG_CHECKS.items():
            batch_op.create_check_constraint(name, condition)

    with op.batch_alter_table("recovery_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("done_on", sa.Date(), nullable=True))

    _email_kinds(EMAIL_KINDS_AFTER, 27)


def downgrade():
    op.execute(f"DELETE FROM outbox_messages WHERE kind NOT IN ({EMAIL_KINDS_BEFORE})")  # noqa: S608
    _email_kinds(EMAIL_KINDS_BEFORE, 17)

    with op.batch_alter_table("recovery_actions", schema=None) as batch_op:
        batch_op.drop_column("done_on")

    # The severity a flag had before an overdue action raised it is its condition's again.
    op.execute("UPDATE flags SET severity = escalated_from WHERE escalated_from IS NOT NULL")
    with op.batch_alter_table("flags", schema=None) as batch_op:
        for name in FLAG_CHECKS:
            batch_op.drop_constraint(op.f(f"ck_flags_{name}"), type_="check")
        batch_op.drop_column("escalated_from")
        batch_op.drop_column("escalated_on")
        batch_op.drop_column("plan_version")
        batch_op.drop_column("plan_status")
