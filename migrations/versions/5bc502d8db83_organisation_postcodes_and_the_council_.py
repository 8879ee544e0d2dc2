"""organisation postcodes, and the council each email was written for

A supplier added by an import (or by hand) can carry its postcode. Each email records the
council it was written for, so that an administrator reads only their own council's emails;
emails written before this have none and are shown to the administrators who can see their
recipient, as before.

Revision ID: 5bc502d8db83
Revises: 7686385f2f1d
Create Date: 2026-11-27 18:53:05.795695

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5bc502d8db83"
down_revision = "7686385f2f1d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("postcode", sa.String(length=8), nullable=True))

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("council_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_council_id"), ["council_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_messages_council_id_organisations"),
            "organisations",
            ["council_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_messages_council_id_organisations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_outbox_messages_council_id"))
        batch_op.drop_column("council_id")

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("postcode")
