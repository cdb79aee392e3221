"""Alembic environment: the URL comes from the caller or from the frontdoor settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from intake import crypto
from intake.config import load_settings
from intake.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return url or load_settings().effective_database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Run by the plain `alembic` command: configure encryption as `frontdoor db upgrade` does,
    # for the migrations that encrypt or decrypt stored values.
    if not crypto.is_configured():
        settings = load_settings()
        crypto.configure(settings.encryption_keys, settings.secret_key)
    section = config.get_section(config.config_ini_section) or {}
    section["sqlalchemy.url"] = _url()
    engine = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
