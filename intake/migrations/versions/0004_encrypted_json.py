"""encrypt the JSON and text columns that quote the referrer (flow state, NLP evidence, rating
reasons, channel state), the rating change reason, a child's disability, attachment names and
TOTP secrets

Revision ID: 0004_encrypted_json
Revises: 0003_review
Create Date: 2026-11-24 10:00:00

Existing rows are encrypted in place with the cipher the caller configured (`frontdoor db
upgrade` configures it from FRONTDOOR_ENCRYPTION_KEYS / SECRET_KEY, like the app). The downgrade
decrypts them back to clear JSON and text, so it needs the same keys.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic import op

from intake import crypto

revision: str = "0004_encrypted_json"
down_revision: str | None = "0003_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500


@dataclass(frozen=True)
class Change:
    """One column that becomes encrypted, with its type and nullability before."""

    table: str
    column: str
    before: Any
    nullable: bool


# The stored JSON text is encrypted as it is, so it decrypts to the same value.
CHANGES = (
    Change("contacts", "flow_state", sa.JSON(), nullable=False),
    Change("contacts", "extraction", sa.JSON(), nullable=True),
    Change("contacts", "rating_reasons", sa.JSON(), nullable=False),
    Change("contacts", "rating_change_reason", sa.Text(), nullable=True),
    Change("conversations", "state", sa.JSON(), nullable=False),
    Change("contact_people", "disability", sa.String(length=300), nullable=True),
    Change("attachments", "filename", sa.String(length=255), nullable=False),
    Change("users", "totp_secret", sa.String(length=64), nullable=True),
)


def _tables() -> dict[str, list[Change]]:
    tables: dict[str, list[Change]] = {}
    for change in CHANGES:
        tables.setdefault(change.table, []).append(change)
    return tables


def upgrade() -> None:
    _refuse_sqlite_foreign_keys()
    for table, changes in _tables().items():
        # Types first: PostgreSQL's json type would refuse a Fernet token.
        retyped = [c for c in changes if not isinstance(c.before, sa.Text)]
        if retyped:
            with op.batch_alter_table(table) as batch:
                for change in retyped:
                    batch.alter_column(
                        change.column,
                        existing_type=change.before,
                        type_=sa.Text(),
                        existing_nullable=change.nullable,
                        postgresql_using=f"{change.column}::text",
                    )
        _rewrite(table, {c.column: _encrypter(c) for c in changes})


def downgrade() -> None:
    _refuse_sqlite_foreign_keys()
    for table, changes in _tables().items():
        # Values first: PostgreSQL checks each one is JSON as the type changes back.
        _rewrite(table, {c.column: crypto.decrypt for c in changes})
        retyped = [c for c in changes if not isinstance(c.before, sa.Text)]
        if retyped:
            with op.batch_alter_table(table) as batch:
                for change in retyped:
                    batch.alter_column(
                        change.column,
                        existing_type=sa.Text(),
                        type_=change.before,
                        existing_nullable=change.nullable,
                        postgresql_using=_cast_back(change),
                    )


def _encrypter(change: Change) -> Callable[[str], str | None]:
    if isinstance(change.before, sa.JSON) and change.nullable:
        return _encrypt_json_or_null
    return crypto.encrypt


def _encrypt_json_or_null(stored: str) -> str | None:
    # A plain JSON column stored Python None as JSON null; an encrypted one keeps SQL NULL.
    return None if stored.strip() == "null" else crypto.encrypt(stored)


def _cast_back(change: Change) -> str:
    if isinstance(change.before, sa.JSON):
        return f"{change.column}::json"
    return f"{change.column}::varchar({change.before.length})"


def _rewrite(table: str, converters: dict[str, Callable[[str], str | None]]) -> None:
    """Replace every non-NULL value of each column by its converter's result, a batch of rows
    at a time.

    Plain SQL on the stored text, not the models: the models describe the schema after the last
    migration, not this one.
    """
    bind = op.get_bind()
    raw = sa.table(table, sa.column("id", sa.Integer), *(sa.column(c, sa.Text) for c in converters))
    statement = sa.update(raw).where(raw.c.id == sa.bindparam("row_id"))
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(raw).where(raw.c.id > last_id).order_by(raw.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        last_id = rows[-1].id
        params = []
        for row in rows:
            values = {c: getattr(row, c) for c in converters}
            converted = {c: None if v is None else converters[c](str(v)) for c, v in values.items()}
            params.append({"row_id": row.id, **converted})
        bind.execute(statement, params)


def _refuse_sqlite_foreign_keys() -> None:
    # Batch mode rebuilds a SQLite table by copying it and dropping the old one; with foreign
    # keys enforced, that drop would cascade-delete every answer, person and event of every
    # contact. `intake.migrate.upgrade` (and so `frontdoor db upgrade`) turns them off first.
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "SQLite foreign keys are on: run migrations with `frontdoor db upgrade`, "
            "which turns them off while tables are rebuilt"
        )
