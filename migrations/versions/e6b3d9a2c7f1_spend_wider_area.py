"""spend: the wider area a council's spend analysis places suppliers in, and a faster year

Design brief section 5b: a supplier is local (the council's default local area), in a wider
area such as the city region, elsewhere, or unknown. The wider area is one of the council's
named local areas, chosen in its spend settings; none is chosen until someone does. The
payments' year-and-payee index gains the amount, so the analysis adds a year up from the
index alone (about half the time at 42,000 payments a year).

Revision ID: e6b3d9a2c7f1
Revises: d2f7a3c9e1b4
Create Date: 2026-11-28 03:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e6b3d9a2c7f1"
down_revision = "d2f7a3c9e1b4"
branch_labels = None
depends_on = None


def _year_payee_index(columns):
    with op.batch_alter_table("spend_payments", schema=None) as batch_op:
        batch_op.drop_index("ix_spend_payments_council_year_payee")
        batch_op.create_index("ix_spend_payments_council_year_payee", columns, unique=False)


def upgrade():
    _year_payee_index(["council_id", "financial_year", "payee_id", "amount"])
    with op.batch_alter_table("spend_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wider_area_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_spend_settings_wider_area_id_local_areas"),
            "local_areas",
            ["wider_area_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("spend_settings", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_spend_settings_wider_area_id_local_areas"), type_="foreignkey"
        )
        batch_op.drop_column("wider_area_id")
    _year_payee_index(["council_id", "financial_year", "payee_id"])
