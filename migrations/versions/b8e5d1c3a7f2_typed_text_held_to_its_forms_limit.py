"""typed text held to its form's limit in the database too

Every text column a person types into gets a length check (2,000 characters, 5,000 for an
assessment's explanation), which SQLite enforces as PostgreSQL does. Text already stored longer
than that is cut to the limit first, with an ellipsis, so that the upgrade cannot fail on it.

Revision ID: b8e5d1c3a7f2
Revises: 7c2f9a1d4e55
Create Date: 2026-11-27 21:50:00.000000

"""

import logging

import sqlalchemy as sa
from alembic import op

log = logging.getLogger("alembic.runtime.migration")

# revision identifiers, used by Alembic.
revision = "b8e5d1c3a7f2"
down_revision = "7c2f9a1d4e55"
branch_labels = None
depends_on = None

LIMITS = {
    "measures": {"counting_rule": 2000, "evidence_guidance": 2000},
    "commitments": {"note": 2000, "retired_reason": 2000},
    "return_lines": {"narrative": 2000, "nil_reason": 2000, "review_comment": 2000},
    "return_reopenings": {"reason": 2000},
    "line_messages": {"text": 2000},
    "flags": {"waived_reason": 2000},
    "recovery_actions": {"action": 2000},
    "assessment_explanations": {"explanation": 5000},
}


def upgrade():
    for table, columns in LIMITS.items():
        for column, limit in columns.items():
            # Names and numbers from LIMITS above, never from input.
            cut = op.get_bind().execute(
                sa.text(
                    f"UPDATE {table} SET {column} = substr({column}, 1, {limit - 1}) || '…' "  # noqa: S608
                    f"WHERE length({column}) > {limit}"
                )
            )
            if cut.rowcount:
                log.warning("%s.%s: %s texts cut to %s characters", table, column, cut.rowcount, limit)
        with op.batch_alter_table(table) as batch_op:
            for column, limit in columns.items():
                batch_op.create_check_constraint(
                    f"{column}_at_most_{limit}", f"length({column}) <= {limit}"
                )


def downgrade():
    for table, columns in LIMITS.items():
        with op.batch_alter_table(table) as batch_op:
            for column, limit in columns.items():
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}_at_most_{limit}"), type_="check")
