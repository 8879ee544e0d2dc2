"""flags: an index that covers the lists and counts of open flags

Revision ID: a0664127b13b
Revises: 714328f91dc4
Create Date: 2026-11-25 23:30:51.166055

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "a0664127b13b"
down_revision = "714328f91dc4"
branch_labels = None
depends_on = None

COVERING = ["status", "contract_id", "severity", "raised_at"]


def upgrade():
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flags_status_kind"))
        batch_op.create_index("ix_flags_status_contract_severity", COVERING, unique=False)


def downgrade():
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_status_contract_severity")
        batch_op.create_index(batch_op.f("ix_flags_status_kind"), ["status", "kind"], unique=False)
