"""Contract imports keep the rows read at upload, so a preview never reads the file again

Revision ID: 9c4d2e6f1a83
Revises: f4a1c2d3b5e6
Create Date: 2026-11-27 20:45:00

Uploads from before keep NULL parsed rows and are read once, on their first preview.
"""

import sqlalchemy as sa
from alembic import op

revision = "9c4d2e6f1a83"
down_revision = "f4a1c2d3b5e6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contract_imports") as batch_op:
        batch_op.add_column(sa.Column("parsed_rows", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contract_imports") as batch_op:
        batch_op.drop_column("parsed_rows")
