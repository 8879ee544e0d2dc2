"""spend: the council's published spend files, their payments, and the payees they name

Design brief section 5b (issue 15). A spend file is kept as its hash and counts (loading the
same file again adds nothing); each of its payments is a row, identical lines included; a
payee is a supplier as the files name it, under one or more normalised names, matched to a
portal supplier or known only from spend; redacted payments (people) have none. A council's
settings remember the columns its files were last loaded with. Uploaded files are kept until
they are loaded (the columns confirmed, overlapping dates answered). New tables only.

Revision ID: d2f7a3c9e1b4
Revises: c4e8a1f7b2d9
Create Date: 2026-11-28 03:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

from portal.data.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = "d2f7a3c9e1b4"
down_revision = "c4e8a1f7b2d9"
branch_labels = None
depends_on = None

Money = sa.Numeric(precision=14, scale=2)


def upgrade():
    op.create_table(
        "spend_settings",
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("column_names", sa.JSON(), nullable=True),
        sa.Column("public_body_patterns", sa.JSON(), nullable=True),
        sa.Column("top_n", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("top_n BETWEEN 1 AND 10000", name=op.f("ck_spend_settings_top_n_range")),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["organisations.id"],
            name=op.f("fk_spend_settings_council_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("council_id", name=op.f("pk_spend_settings")),
    )
    op.create_table(
        "payees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("organisation_confirmed", sa.Boolean(), nullable=False),
        sa.Column("postcode", sa.String(length=8), nullable=True),
        sa.Column("is_sme", sa.Boolean(), nullable=True),
        sa.Column("is_vcse", sa.Boolean(), nullable=True),
        sa.Column("is_public_body", sa.Boolean(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "organisation_id IS NOT NULL OR NOT organisation_confirmed",
            name=op.f("ck_payees_confirmed_has_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["council_id"], ["organisations.id"], name=op.f("fk_payees_council_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_payees_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payees")),
        sa.UniqueConstraint("id", "council_id", name="uq_payees_id_council_id"),
    )
    op.create_index(op.f("ix_payees_organisation_id"), "payees", ["organisation_id"])
    op.create_table(
        "payee_names",
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("normalised_name", sa.String(length=255), nullable=False),
        sa.Column("payee_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["organisations.id"],
            name=op.f("fk_payee_names_council_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["payee_id", "council_id"],
            ["payees.id", "payees.council_id"],
            name="fk_payee_names_payee_council",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("council_id", "normalised_name", name=op.f("pk_payee_names")),
    )
    op.create_index(op.f("ix_payee_names_payee_id"), "payee_names", ["payee_id"])
    op.create_table(
        "spend_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["organisations.id"],
            name=op.f("fk_spend_uploads_council_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_spend_uploads_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_uploads")),
    )
    op.create_index(op.f("ix_spend_uploads_uploaded_by_id"), "spend_uploads", ["uploaded_by_id"])
    op.create_table(
        "spend_upload_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "size = length(content)", name=op.f("ck_spend_upload_files_size_of_content")
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["spend_uploads.id"],
            name=op.f("fk_spend_upload_files_upload_id_spend_uploads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_upload_files")),
        sa.UniqueConstraint(
            "upload_id", "position", name=op.f("uq_spend_upload_files_upload_id_position")
        ),
    )
    op.create_table(
        "spend_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("loaded_by_id", sa.Integer(), nullable=True),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.Column("net_total", Money, nullable=False),
        sa.Column("first_paid_on", sa.Date(), nullable=True),
        sa.Column("last_paid_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "(first_paid_on IS NULL) = (payments = 0) AND (last_paid_on IS NULL) = (payments = 0)",
            name=op.f("ck_spend_files_dates_iff_payments"),
        ),
        sa.CheckConstraint(
            "last_paid_on >= first_paid_on", name=op.f("ck_spend_files_dates_in_order")
        ),
        sa.CheckConstraint("payments >= 0", name=op.f("ck_spend_files_payments_not_negative")),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["organisations.id"],
            name=op.f("fk_spend_files_council_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["loaded_by_id"], ["users.id"], name=op.f("fk_spend_files_loaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_files")),
        sa.UniqueConstraint("council_id", "sha256", name=op.f("uq_spend_files_council_id_sha256")),
        sa.UniqueConstraint("id", "council_id", name="uq_spend_files_id_council_id"),
    )
    op.create_table(
        "spend_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("financial_year", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("supplier_name", sa.String(length=255), nullable=False),
        sa.Column("payee_id", sa.Integer(), nullable=True),
        sa.Column("transaction_number", sa.String(length=255), nullable=True),
        sa.Column("service_area", sa.String(length=255), nullable=True),
        sa.Column("expense_type", sa.String(length=255), nullable=True),
        sa.Column("published_supplier_id", sa.String(length=255), nullable=True),
        sa.CheckConstraint("row_number > 0", name=op.f("ck_spend_payments_row_number_positive")),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["organisations.id"],
            name=op.f("fk_spend_payments_council_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["file_id", "council_id"],
            ["spend_files.id", "spend_files.council_id"],
            name="fk_spend_payments_file_council",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["payee_id", "council_id"],
            ["payees.id", "payees.council_id"],
            name="fk_spend_payments_payee_council",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_payments")),
    )
    op.create_index(
        "ix_spend_payments_council_year_payee",
        "spend_payments",
        ["council_id", "financial_year", "payee_id"],
    )
    op.create_index(
        "ix_spend_payments_council_paid_on", "spend_payments", ["council_id", "paid_on"]
    )
    op.create_index(op.f("ix_spend_payments_file_id"), "spend_payments", ["file_id"])
    op.create_index(op.f("ix_spend_payments_payee_id"), "spend_payments", ["payee_id"])


def downgrade():
    # Indexes go with their tables.
    op.drop_table("spend_payments")
    op.drop_table("spend_files")
    op.drop_table("spend_upload_files")
    op.drop_table("spend_uploads")
    op.drop_table("payee_names")
    op.drop_table("payees")
    op.drop_table("spend_settings")
