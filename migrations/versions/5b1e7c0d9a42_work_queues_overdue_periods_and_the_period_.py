"""work queues: overdue periods, and the period each reminder in the outbox chases

A period with no return has no row anywhere else, so compliance now stores each overdue
period beside the count of them in contract_states. The table starts empty: `flask
compliance refresh` (which `make migrate` runs after upgrading) fills it, and `flask
compliance verify` reports any contract whose rows disagree with its recomputation.

Reminders, overdue notices, escalations and nudges name their contract and period in their
key; the key cannot be looked up by period, so the period is copied into indexed columns here
for the emails already sent, and written with each new one.

Revision ID: 5b1e7c0d9a42
Revises: 5bc502d8db83
Create Date: 2026-11-28 09:00:00.000000

"""

import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b1e7c0d9a42"
down_revision = "5bc502d8db83"
branch_labels = None
depends_on = None

# "{kind}:{contract}:{financial year}-{quarter}:{stage}:{user}", as portal.domain.reminders
# writes it for an email about a return period (as it stood when this was written).
PERIOD_KEY = re.compile(r"^(?:reminder|overdue|escalation|nudge):(\d+):(\d+)-([1-4]):[^:]+:\d+$")
BATCH = 1000

outbox = sa.table(
    "outbox_messages",
    sa.column("id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("contract_id", sa.Integer),
    sa.column("financial_year", sa.Integer),
    sa.column("quarter", sa.Integer),
)


def _backfill_periods():
    bind = op.get_bind()
    found = []
    for message_id, key in bind.execute(sa.select(outbox.c.id, outbox.c.key)):
        match = PERIOD_KEY.match(key)
        if match:
            contract_id, year, quarter = (int(part) for part in match.groups())
            found.append({"message_id": message_id, "c": contract_id, "y": year, "q": quarter})
    update = (
        outbox.update()
        .where(outbox.c.id == sa.bindparam("message_id"))
        .values(
            contract_id=sa.bindparam("c"),
            financial_year=sa.bindparam("y"),
            quarter=sa.bindparam("q"),
        )
    )
    for start in range(0, len(found), BATCH):
        bind.execute(update, found[start : start + BATCH])


def upgrade():
    op.create_table(
        "overdue_periods",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("financial_year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("period_starts_on", sa.Date(), nullable=False),
        sa.Column("period_ends_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "period_ends_on >= period_starts_on",
            name=op.f("ck_overdue_periods_period_in_order"),
        ),
        sa.CheckConstraint(
            "quarter BETWEEN 1 AND 4", name=op.f("ck_overdue_periods_quarter_1_to_4")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_overdue_periods_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "contract_id", "financial_year", "quarter", name=op.f("pk_overdue_periods")
        ),
    )
    with op.batch_alter_table("overdue_periods", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_overdue_periods_due_on"), ["due_on"], unique=False)

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contract_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("financial_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("quarter", sa.Integer(), nullable=True))
    _backfill_periods()
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_check_constraint(
            "about_one_period",
            "(financial_year IS NULL) = (contract_id IS NULL)"
            " AND (quarter IS NULL) = (contract_id IS NULL)",
        )
        batch_op.create_index(
            "ix_outbox_messages_period",
            ["contract_id", "financial_year", "quarter"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_period")
        batch_op.drop_constraint(op.f("ck_outbox_messages_about_one_period"), type_="check")
        batch_op.drop_column("quarter")
        batch_op.drop_column("financial_year")
        batch_op.drop_column("contract_id")

    with op.batch_alter_table("overdue_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_overdue_periods_due_on"))
    op.drop_table("overdue_periods")
