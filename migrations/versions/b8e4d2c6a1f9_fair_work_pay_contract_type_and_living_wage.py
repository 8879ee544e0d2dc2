"""fair work: pay, contract type and guaranteed hours; the real Living Wage table

Workforce entries gain three optional columns (design brief section 5a); old entries keep them
empty. A council says whether it is in London and a contract can override it. The real Living
Wage rates are seeded with the ones the brief lists (payable from 1 May after each autumn's
announcement); administrators keep them from then on.

Revision ID: b8e4d2c6a1f9
Revises: 305e485c4193
Create Date: 2026-11-27 23:50:00.000000

"""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b8e4d2c6a1f9"
down_revision = "305e485c4193"
branch_labels = None
depends_on = None

CONTRACT_TYPES = (
    "permanent",
    "fixed-term",
    "temporary or agency",
    "zero-hours",
    "casual",
    "self-employed",
)
# (UK rate, London rate, announced on); each payable from 1 May of the next year.
KNOWN_RATES = (
    ("8.45", "9.75", date(2016, 10, 31)),
    ("9.00", "10.55", date(2018, 11, 5)),
    ("9.30", "10.75", date(2019, 11, 11)),
    ("12.00", "13.15", date(2023, 10, 25)),
    ("12.60", "13.85", date(2024, 10, 23)),
    ("13.45", "14.80", date(2025, 10, 21)),
)


def upgrade():
    with op.batch_alter_table("workforce_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hourly_pay", sa.Numeric(precision=5, scale=2)))
        # The model's portable enum: a VARCHAR and a CHECK listing the values.
        batch_op.add_column(sa.Column("contract_type", sa.String(length=19)))
        batch_op.create_check_constraint(
            "contract_type",
            "contract_type IN (" + ", ".join(f"'{kind}'" for kind in CONTRACT_TYPES) + ")",
        )
        batch_op.add_column(sa.Column("guaranteed_hours", sa.Numeric(precision=5, scale=2)))
        batch_op.create_check_constraint(
            "hourly_pay_range", "hourly_pay IS NULL OR (hourly_pay >= 1 AND hourly_pay <= 500)"
        )
        batch_op.create_check_constraint(
            "guaranteed_hours_range",
            "guaranteed_hours IS NULL OR (guaranteed_hours >= 0 AND guaranteed_hours <= 60)",
        )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_in_london", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.alter_column("is_in_london", server_default=None)
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uses_london_living_wage", sa.Boolean()))

    rates = op.create_table(
        "living_wage_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("london", sa.Boolean(), nullable=False),
        sa.Column("hourly_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("announced_on", sa.Date(), nullable=False),
        sa.Column("payable_from", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "hourly_rate >= 1 AND hourly_rate <= 500",
            name=op.f("ck_living_wage_rates_hourly_rate_range"),
        ),
        sa.CheckConstraint(
            "payable_from >= announced_on",
            name=op.f("ck_living_wage_rates_payable_after_announced"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_living_wage_rates")),
        sa.UniqueConstraint(
            "london", "payable_from", name=op.f("uq_living_wage_rates_london_payable_from")
        ),
    )
    op.bulk_insert(
        rates,
        [
            {
                "london": london,
                "hourly_rate": Decimal(rate),
                "announced_on": announced_on,
                "payable_from": date(announced_on.year + 1, 5, 1),
                "version": 1,
            }
            for uk, in_london, announced_on in KNOWN_RATES
            for london, rate in ((False, uk), (True, in_london))
        ],
    )


def downgrade():
    op.drop_table("living_wage_rates")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_column("uses_london_living_wage")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("is_in_london")
    with op.batch_alter_table("workforce_entries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_workforce_entries_contract_type"), type_="check")
        batch_op.drop_constraint(op.f("ck_workforce_entries_guaranteed_hours_range"), type_="check")
        batch_op.drop_constraint(op.f("ck_workforce_entries_hourly_pay_range"), type_="check")
        batch_op.drop_column("guaranteed_hours")
        batch_op.drop_column("contract_type")
        batch_op.drop_column("hourly_pay")
