"""Apply Alembic migrations from code (the CLI, `make run`, and the tests use this)."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from intake.config import PROJECT_ROOT
from intake.db import Database


def alembic_config(url: str) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "intake" / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate to `revision`. Migrations that rewrite encrypted values use the cipher already
    configured (`open_database` configures it), as the app and workers do."""
    _run(db, lambda cfg: command.upgrade(cfg, revision))


def downgrade(db: Database, revision: str) -> None:
    _run(db, lambda cfg: command.downgrade(cfg, revision))


def _run(db: Database, migrate: Callable[[Config], None]) -> None:
    with db.engine.connect() as connection:
        if db.is_sqlite:
            # Batch mode rebuilds a SQLite table by copy, drop and rename; with foreign keys on,
            # the drop would cascade-delete every row that refers to the table. The pragma only
            # takes effect outside a transaction, so it is set and committed first.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                cfg = alembic_config(db.url)
                cfg.attributes["connection"] = connection
                migrate(cfg)
                if db.is_sqlite:
                    _check_foreign_keys(connection)
        finally:
            if db.is_sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise RuntimeError(f"migration left rows with broken foreign keys in {tables}")
