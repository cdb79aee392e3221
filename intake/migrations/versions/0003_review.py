"""officer desk: single-use TOTP codes, indexes for the queue, dashboard and reports, append-only audit

Revision ID: 0003_review
Revises: 0002
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_review"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_STATUSES_SQL = "status IN ('submitted', 'processing', 'awaiting_review')"
APPEND_ONLY = "audit_events is append-only: its rows cannot be changed or deleted"


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    # "Received today / this month" and "decided today" on the dashboard and reports.
    op.create_index("ix_contacts_submitted_at", "contacts", ["submitted_at"])
    op.create_index("ix_contacts_decided_at", "contacts", ["decided_at"])
    # The review queue reads open contacts 50 at a time in deadline order from this index
    # instead of sorting every open contact on each page view.
    open_statuses = sa.text(OPEN_STATUSES_SQL)
    op.create_index(
        "ix_contacts_open_by_deadline",
        "contacts",
        ["deadline", "submitted_at", "id"],
        postgresql_where=open_statuses,
        sqlite_where=open_statuses,
    )
    _append_only_audit()


def _append_only_audit() -> None:
    # Enforced by the database, not only by the code, so no bug or script can rewrite history.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY}';
            END
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER audit_events_no_{event}")
    op.drop_index("ix_contacts_open_by_deadline", "contacts")
    op.drop_index("ix_contacts_decided_at", "contacts")
    op.drop_index("ix_contacts_submitted_at", "contacts")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("totp_last_step")
