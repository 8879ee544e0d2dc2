"""line threads and reopening accepted returns

Each return line gets a thread of messages (the council's queries, the supplier's replies);
the review comments already given become the first messages of their lines' threads, from the
submissions that recorded them. An accepted submission can be reopened: the reopening is kept
beside it, and the supplier is emailed (a new kind in the outbox).

Revision ID: 7686385f2f1d
Revises: d870782b16eb
Create Date: 2026-12-01 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import portal.data.base

# revision identifiers, used by Alembic.
revision = "7686385f2f1d"
down_revision = "d870782b16eb"
branch_labels = None
depends_on = None

KINDS_BEFORE = (
    "'invitation', 'password_reset', 'return_submitted', 'changes_requested', "
    "'return_accepted', 'return_reminder', 'return_overdue', 'escalation', 'changes_nudge', "
    "'weekly_digest'"
)
KINDS_AFTER = KINDS_BEFORE + ", 'return_reopened'"

lines = sa.table(
    "return_lines",
    sa.column("id", sa.Integer),
    sa.column("return_id", sa.Integer),
    sa.column("commitment_id", sa.Integer),
)
submissions = sa.table(
    "return_submissions",
    sa.column("return_id", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("lines", sa.JSON),
    sa.column("review", sa.JSON),
    sa.column("decided_by_id", sa.Integer),
    sa.column("decided_at", portal.data.base.UTCDateTime(timezone=True)),
)
messages = sa.table(
    "line_messages",
    sa.column("line_id", sa.Integer),
    sa.column("author_id", sa.Integer),
    sa.column("role", sa.String),
    sa.column("text", sa.Text),
    sa.column("submission_number", sa.Integer),
    sa.column("created_at", portal.data.base.UTCDateTime(timezone=True)),
)


def _email_kinds(kinds):
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_messages_kind"), type_="check")
        batch_op.create_check_constraint("kind", f"kind IN ({kinds})")


def _comments_into_threads():
    """Each comment a reviewer gave, on the submission they gave it. A line accepted before and
    sent again unchanged carried its old comment into the next review: not said twice."""
    bind = op.get_bind()
    line_ids = {
        (return_id, commitment_id): line_id
        for line_id, return_id, commitment_id in bind.execute(
            sa.select(lines.c.id, lines.c.return_id, lines.c.commitment_id)
        )
    }
    decided = bind.execute(
        sa.select(submissions)
        .where(submissions.c.review.is_not(None), submissions.c.decided_by_id.is_not(None))
        .order_by(submissions.c.return_id, submissions.c.number)
    ).all()
    rows = []
    for submission in decided:
        carried = {
            line["commitment_id"] for line in submission.lines or [] if line.get("accepted_before")
        }
        for item in submission.review or []:
            line_id = line_ids.get((submission.return_id, item["commitment_id"]))
            text = (item.get("comment") or "").strip()
            if line_id is None or not text or item["commitment_id"] in carried:
                continue
            rows.append(
                {
                    "line_id": line_id,
                    "author_id": submission.decided_by_id,
                    "role": "council",
                    "text": text,
                    "submission_number": submission.number,
                    "created_at": submission.decided_at,
                }
            )
    if rows:
        bind.execute(messages.insert(), rows)


def upgrade():
    op.create_table(
        "line_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("council", "supplier", name="role", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("submission_number", sa.Integer(), nullable=False),
        sa.Column("created_at", portal.data.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(text) > 0", name=op.f("ck_line_messages_text_not_empty")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_line_messages_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["return_lines.id"],
            name=op.f("fk_line_messages_line_id_return_lines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_messages")),
    )
    with op.batch_alter_table("line_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_line_messages_line_id"), ["line_id"], unique=False)

    op.create_table(
        "return_reopenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("submission_number", sa.Integer(), nullable=False),
        sa.Column("reopened_at", portal.data.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reopened_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("commitment_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reopened_by_id"], ["users.id"], name=op.f("fk_return_reopenings_reopened_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["returns.id"],
            name=op.f("fk_return_reopenings_return_id_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_reopenings")),
        sa.UniqueConstraint(
            "return_id",
            "submission_number",
            name=op.f("uq_return_reopenings_return_id_submission_number"),
        ),
    )
    _email_kinds(KINDS_AFTER)
    _comments_into_threads()


def downgrade():
    # The comments stay on the lines (review_comment); replies and reopenings go.
    op.execute(f"DELETE FROM outbox_messages WHERE kind NOT IN ({KINDS_BEFORE})")  # noqa: S608
    _email_kinds(KINDS_BEFORE)
    op.drop_table("return_reopenings")
    with op.batch_alter_table("line_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_line_messages_line_id"))
    op.drop_table("line_messages")
