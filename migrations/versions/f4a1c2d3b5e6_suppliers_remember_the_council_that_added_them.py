"""suppliers remember the council that added them

Council staff see only the suppliers their council has contracts with or added itself. A
supplier added before this was recorded is credited to the one council that has contracts with
it; one with no contracts, or with contracts with several councils, is credited to none.

Revision ID: f4a1c2d3b5e6
Revises: e3e33f87ebbe
Create Date: 2026-12-02 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f4a1c2d3b5e6"
down_revision = "e3e33f87ebbe"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by_council_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_organisations_created_by_council_id_organisations"),
            "organisations",
            ["created_by_council_id"],
            ["id"],
        )
    op.execute(
        "UPDATE organisations SET created_by_council_id ="
        " (SELECT MIN(contracts.council_id) FROM contracts"
        "  WHERE contracts.supplier_id = organisations.id)"
        " WHERE kind = 'supplier' AND"
        " (SELECT COUNT(DISTINCT contracts.council_id) FROM contracts"
        "  WHERE contracts.supplier_id = organisations.id) = 1"
    )


def downgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_organisations_created_by_council_id_organisations"), type_="foreignkey"
        )
        batch_op.drop_column("created_by_council_id")
