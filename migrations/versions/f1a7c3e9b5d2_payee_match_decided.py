"""payees: "known only from spend" is a decision that stays

A payee's organisation_confirmed now says a person decided its match: a portal supplier, or
none (a supplier known only from spend). The check that a confirmed payee has a supplier goes,
so that the next load's name matching does not propose again a supplier someone turned down.

Revision ID: f1a7c3e9b5d2
Revises: e6b3d9a2c7f1
Create Date: 2026-11-28 04:15:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "f1a7c3e9b5d2"
down_revision = "e6b3d9a2c7f1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("payees", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_payees_confirmed_has_organisation"), type_="check")


def downgrade():
    # Payees decided as known only from spend become undecided again.
    op.execute("UPDATE payees SET organisation_confirmed = false WHERE organisation_id IS NULL")
    with op.batch_alter_table("payees", schema=None) as batch_op:
        batch_op.create_check_constraint(
            "confirmed_has_organisation",
            "organisation_id IS NOT NULL OR NOT organisation_confirmed",
        )
