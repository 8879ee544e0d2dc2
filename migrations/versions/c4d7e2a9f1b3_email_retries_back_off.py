"""an email that fails is tried again later and later (next_attempt_at)

Pending emails without a time are due now, so nothing already waiting changes.

Revision ID: c4d7e2a9f1b3
Revises: b8e5d1c3a7f2
Create Date: 2026-11-27 21:55:00.000000

"""

import sqlalchemy as sa
from alembic import op

from portal.data.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = "c4d7e2a9f1b3"
down_revision = "b8e5d1c3a7f2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("next_attempt_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("next_attempt_at")
