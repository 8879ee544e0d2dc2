"""suppliers: accredited Living Wage employer

A supplier organisation can be marked as accredited by the Living Wage Foundation (issue 14);
council staff see it beside the supplier's name. Every existing organisation starts unmarked.

Revision ID: a7d3e9c1b5f2
Revises: 9a9f50129618
Create Date: 2026-11-28 00:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7d3e9c1b5f2"
down_revision = "9a9f50129618"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "is_living_wage_employer", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.alter_column("is_living_wage_employer", server_default=None)


def downgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("is_living_wage_employer")
