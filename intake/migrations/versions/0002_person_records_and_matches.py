"""person records (the person index) and person matches

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:30:04.803006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import intake.models.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=128), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=True),
        sa.Column("family_name", sa.String(length=100), nullable=True),
        sa.Column("other_names", sa.String(length=300), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=16), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("postcode", sa.String(length=16), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("nhs_number", sa.String(length=16), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("open_case_ref", sa.String(length=64), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("row_hash", sa.String(length=32), nullable=False),
        sa.Column("imported_at", intake.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", intake.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("key_names", sa.String(length=64), nullable=True),
        sa.Column("key_given_dob", sa.String(length=64), nullable=True),
        sa.Column("key_family_dob", sa.String(length=64), nullable=True),
        sa.Column("key_family_area", sa.String(length=64), nullable=True),
        sa.Column("key_given_area", sa.String(length=64), nullable=True),
        sa.Column("key_dob_area", sa.String(length=64), nullable=True),
        sa.Column("key_street", sa.String(length=64), nullable=True),
        sa.Column("household_key", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_records")),
        sa.UniqueConstraint("source", "record_id", name=op.f("uq_person_records_source_record_id")),
    )
    with op.batch_alter_table("person_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_records_household_key"), ["household_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_records_key_dob_area"), ["key_dob_area"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_records_key_family_area"), ["key_family_area"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_records_key_family_dob"), ["key_family_dob"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_records_key_given_area"), ["key_given_area"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_records_key_given_dob"), ["key_given_dob"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_records_key_names"), ["key_names"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_records_key_street"), ["key_street"], unique=False
        )

    op.create_table(
        "person_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_person_id", sa.Integer(), nullable=False),
        sa.Column("person_record_id", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=16), nullable=False),
        sa.Column("agreements", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", intake.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", intake.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('proposed', 'confirmed', 'rejected')", name=op.f("ck_person_matches_status")
        ),
        sa.ForeignKeyConstraint(
            ["contact_person_id"],
            ["contact_people.id"],
            name=op.f("fk_person_matches_contact_person_id_contact_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_person_matches_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_record_id"],
            ["person_records.id"],
            name=op.f("fk_person_matches_person_record_id_person_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_matches")),
        sa.UniqueConstraint(
            "contact_person_id",
            "person_record_id",
            name=op.f("uq_person_matches_contact_person_id_person_record_id"),
        ),
    )
    with op.batch_alter_table("person_matches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_matches_contact_person_id"), ["contact_person_id"], unique=False
        )
        batch_op.create_index(
            "ix_person_matches_record_status", ["person_record_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("person_matches", schema=None) as batch_op:
        batch_op.drop_index("ix_person_matches_record_status")
        batch_op.drop_index(batch_op.f("ix_person_matches_contact_person_id"))

    op.drop_table("person_matches")
    with op.batch_alter_table("person_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_records_key_street"))
        batch_op.drop_index(batch_op.f("ix_person_records_key_names"))
        batch_op.drop_index(batch_op.f("ix_person_records_key_given_dob"))
        batch_op.drop_index(batch_op.f("ix_person_records_key_given_area"))
        batch_op.drop_index(batch_op.f("ix_person_records_key_family_dob"))
        batch_op.drop_index(batch_op.f("ix_person_records_key_family_area"))
        batch_op.drop_index(batch_op.f("ix_person_records_key_dob_area"))
        batch_op.drop_index(batch_op.f("ix_person_records_household_key"))

    op.drop_table("person_records")
