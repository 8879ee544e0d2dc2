"""fair work: a percent unit, the four fair-work derivations, and their measures

Measures gain the unit "percent" and the derivations that count the fair-work shares (design
brief section 5a). A council gets its catalogue when it is created, so councils that exist
already are given the four fair-work measures here, as the catalogue has them today (a
snapshot: later edits to the catalogue are not migrations), each recorded in the audit trail.
A council that already has a measure with one of these codes or names keeps its own instead.

Revision ID: 3f8b6d2a9c41
Revises: b8e4d2c6a1f9
Create Date: 2026-11-27 23:40:00.000000

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3f8b6d2a9c41"
down_revision = "b8e4d2c6a1f9"
branch_labels = None
depends_on = None

UNITS = ("people", "fte", "weeks", "hours", "gbp")
DERIVATIONS = (
    "local_hires",
    "local_fte",
    "apprenticeship_starts",
    "apprenticeship_weeks",
    "older_worker_hires",
)
FAIR_WORK = ("living_wage", "secure_work", "older_living_wage", "older_secure_work")

MEASURES = [
    {
        "code": "LIVING_WAGE",
        "name": "FTE paid at least the real Living Wage",
        "derivation": "living_wage",
        "counting_rule": "The % of the contract's full-time equivalent (FTE) in the period that is paid "
        "at least the real Living Wage in force for the period (the London rate where "
        "the work is done in London): basic hourly pay before tax, without overtime or "
        "bonuses. Counted over the FTE whose hourly pay is given; the share of FTE "
        "with pay given (the coverage) is shown beside it. With no pay given, there is "
        "no figure, never 0%. FTE is counted as for local people employed: weekly "
        "hours (at most 37) ÷ 37 × share of time on the contract × days engaged ÷ days "
        "in the period.",
        "evidence_guidance": "Anonymised workforce records from your HR system: your own worker "
        "reference (never a name), home postcode, age band, start and end dates, "
        "weekly hours and share of time on this contract. Keep the payroll extract "
        "that backs them. For fair work, each person's basic hourly pay (before "
        "tax, without overtime or bonuses), contract type and guaranteed weekly "
        "hours, from the payroll.",
    },
    {
        "code": "SECURE_WORK",
        "name": "FTE in secure work",
        "derivation": "secure_work",
        "counting_rule": "The % of the contract's full-time equivalent (FTE) in the period that is in "
        "secure work: not on a zero-hours or casual contract, and guaranteed at least "
        "16 hours a week. Counted over the FTE whose contract type and guaranteed "
        "hours are given (a zero-hours or casual contract is insecure whatever its "
        "hours); the share of FTE with them given (the coverage) is shown beside it. "
        "With none of them given, there is no figure, never 0%. FTE is counted as for "
        "local people employed: weekly hours (at most 37) ÷ 37 × share of time on the "
        "contract × days engaged ÷ days in the period.",
        "evidence_guidance": "Anonymised workforce records from your HR system: your own worker "
        "reference (never a name), home postcode, age band, start and end dates, "
        "weekly hours and share of time on this contract. Keep the payroll extract "
        "that backs them. For fair work, each person's basic hourly pay (before "
        "tax, without overtime or bonuses), contract type and guaranteed weekly "
        "hours, from the payroll.",
    },
    {
        "code": "OLDER_LIVING_WAGE",
        "name": "Older workers' FTE paid at least the real Living Wage (50+)",
        "derivation": "older_living_wage",
        "counting_rule": "The % of the FTE of workers aged 50 or over at their start date that is paid "
        "at least the real Living Wage in force for the period (the London rate where "
        "the work is done in London): basic hourly pay before tax, without overtime or "
        "bonuses. Counted over the FTE whose hourly pay is given; the share of FTE "
        "with pay given (the coverage) is shown beside it. With no pay given, there is "
        "no figure, never 0%. FTE is counted as for local people employed: weekly "
        "hours (at most 37) ÷ 37 × share of time on the contract × days engaged ÷ days "
        "in the period.",
        "evidence_guidance": "Anonymised workforce records from your HR system: your own worker "
        "reference (never a name), home postcode, age band, start and end dates, "
        "weekly hours and share of time on this contract. Keep the payroll extract "
        "that backs them. For fair work, each person's basic hourly pay (before "
        "tax, without overtime or bonuses), contract type and guaranteed weekly "
        "hours, from the payroll.",
    },
    {
        "code": "OLDER_SECURE_WORK",
        "name": "Older workers' FTE in secure work (50+)",
        "derivation": "older_secure_work",
        "counting_rule": "The % of the FTE of workers aged 50 or over at their start date that is in "
        "secure work: not on a zero-hours or casual contract, and guaranteed at least "
        "16 hours a week. Counted over the FTE whose contract type and guaranteed "
        "hours are given (a zero-hours or casual contract is insecure whatever its "
        "hours); the share of FTE with them given (the coverage) is shown beside it. "
        "With none of them given, there is no figure, never 0%. FTE is counted as for "
        "local people employed: weekly hours (at most 37) ÷ 37 × share of time on the "
        "contract × days engaged ÷ days in the period.",
        "evidence_guidance": "Anonymised workforce records from your HR system: your own worker "
        "reference (never a name), home postcode, age band, start and end dates, "
        "weekly hours and share of time on this contract. Keep the payroll extract "
        "that backs them. For fair work, each person's basic hourly pay (before "
        "tax, without overtime or bonuses), contract type and guaranteed weekly "
        "hours, from the payroll.",
    },
]

measures = sa.table(
    "measures",
    sa.column("id", sa.Integer),
    sa.column("council_id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("unit", sa.String),
    sa.column("kind", sa.String),
    sa.column("derivation", sa.String),
    sa.column("counting_rule", sa.Text),
    sa.column("evidence_guidance", sa.Text),
    sa.column("created_at", sa.DateTime),
    sa.column("version", sa.Integer),
)
audit_events = sa.table(
    "audit_events",
    sa.column("occurred_at", sa.DateTime),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.Integer),
    sa.column("after", sa.JSON),
    sa.column("reason", sa.Text),
)
commitments = sa.table("commitments", sa.column("measure_id", sa.Integer))
organisations = sa.table("organisations", sa.column("id", sa.Integer), sa.column("kind", sa.String))


def _quoted(values):
    return ", ".join(f"'{value}'" for value in values)


def _allow(units, derivations):
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_measures_unit"), type_="check")
        batch_op.drop_constraint(op.f("ck_measures_derivation"), type_="check")
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.alter_column(
            "unit",
            existing_type=sa.String(length=max(map(len, UNITS))),
            type_=sa.String(length=max(map(len, units))),
        )
        batch_op.create_check_constraint("unit", f"unit IN ({_quoted(units)})")
        batch_op.create_check_constraint("derivation", f"derivation IN ({_quoted(derivations)})")


def upgrade():
    _allow((*UNITS, "percent"), (*DERIVATIONS, *FAIR_WORK))
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        # Rows written with their ids (a restore, a test's fixtures) leave the sequence behind:
        # start it after the highest id so the new measures never collide.
        connection.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('measures', 'id'), "
                "(SELECT COALESCE(MAX(id), 0) + 1 FROM measures), false)"
            )
        )
    now = datetime.now(UTC)
    councils = connection.execute(
        sa.select(organisations.c.id).where(organisations.c.kind == "council")
    ).scalars()
    for council_id in list(councils):
        taken = connection.execute(
            sa.select(measures.c.code, measures.c.name).where(measures.c.council_id == council_id)
        ).all()
        codes = {code.upper() for code, _ in taken}
        names = {name.lower() for _, name in taken}
        for measure in MEASURES:
            if measure["code"] in codes or measure["name"].lower() in names:
                continue
            row = measure | {"unit": "percent", "kind": "level"}
            measure_id = connection.execute(
                measures.insert()
                .values(council_id=council_id, created_at=now, version=1, **row)
                .returning(measures.c.id)
            ).scalar_one()
            connection.execute(
                audit_events.insert().values(
                    occurred_at=now,
                    action="created",
                    object_type="measure",
                    object_id=measure_id,
                    after={
                        "code": row["code"],
                        "name": row["name"],
                        "unit": "percent",
                        "kind": "level",
                        "counting_rule": row["counting_rule"],
                        "evidence_guidance": row["evidence_guidance"],
                        "proxy_value": None,
                        "proxy_price_year": None,
                    },
                    reason="Added to the catalogue with the fair-work measures",
                )
            )


def downgrade():
    connection = op.get_bind()
    fair = sa.or_(measures.c.unit == "percent", measures.c.derivation.in_(FAIR_WORK))
    in_use = connection.execute(
        sa.select(sa.func.count())
        .select_from(commitments.join(measures, measures.c.id == commitments.c.measure_id))
        .where(fair)
    ).scalar_one()
    if in_use:
        some = "1 commitment is" if in_use == 1 else f"{in_use} commitments are"
        raise RuntimeError(
            f"{some} on percent or fair-work measures: downgrading would lose them. Remove "
            "those commitments first."
        )
    connection.execute(measures.delete().where(fair))
    _allow(UNITS, DERIVATIONS)
