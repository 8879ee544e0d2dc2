"""every edited object has a version

Contracts, commitments, measures, organisations, users, local areas and assessment
explanations get the `version` that
returns already have: SQLAlchemy moves it on at every update, and an edit form saved from an
older page is refused instead of overwriting the newer change. Existing rows start at 1.

Revision ID: c5a9e2f1d3b7
Revises: c4d7e2a9f1b3
Create Date: 2026-11-27 22:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5a9e2f1d3b7"
down_revision = "c4d7e2a9f1b3"
branch_labels = None
depends_on = None

TABLES = (
    "organisations",
    "users",
    "local_areas",
    "measures",
    "contracts",
    "commitments",
    "assessment_explanations",
)


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), nullable=False, server_default="1")
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("version", server_default=None)


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
