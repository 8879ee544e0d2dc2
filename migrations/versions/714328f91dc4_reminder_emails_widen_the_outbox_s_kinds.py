"""reminder emails: widen the outbox's kinds

Revision ID: 714328f91dc4
Revises: a4046694f085
Create Date: 2026-11-25 21:30:30.392332

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "714328f91dc4"
down_revision = "a4046694f085"
branch_labels = None
depends_on = None


BEFORE = (
    "'invitation', 'password_reset', 'return_submitted', 'changes_requested', 'return_accepted'"
)
AFTER = BEFORE + (
    ", 'return_reminder', 'return_overdue', 'escalation', 'changes_nudge', 'weekly_digest'"
)


def _email_kinds(kinds):
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_messages_kind"), type_="check")
        batch_op.create_check_constraint("kind", f"kind IN ({kinds})")


def upgrade():
    _email_kinds(AFTER)


def downgrade():
    op.execute(f"DELETE FROM outbox_messages WHERE kind NOT IN ({BEFORE})")  # noqa: S608
    _email_kinds(BEFORE)
