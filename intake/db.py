"""The database engine and sessions, shared by the web app, the CLI and the workers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from intake import crypto
from intake.config import Settings

log = logging.getLogger(__name__)


class _Session(Session):
    def close(self) -> None:
        """Close, even if the connection was lost since the last statement.

        Closing rolls back whatever was not committed; a lost connection has already had that
        done by the server. Raising here would turn a request that has finished, and perhaps
        committed a referral, into an error for the person who sent it.
        """
        try:
            super().close()
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            log.warning("database connection lost before the session closed; it was discarded")


class Database:
    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        if url.startswith("sqlite"):
            path = url.removeprefix("sqlite:///")
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine_options.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        else:
            engine_options.setdefault("pool_pre_ping", True)
            engine_options.setdefault("pool_size", 10)
            engine_options.setdefault("max_overflow", 20)
        # An error's message must not carry the statement's values (a child's name, a password
        # hash): they reach logs and the terminal. The SQL itself is still shown.
        engine_options.setdefault("hide_parameters", True)
        self.engine: Engine = create_engine(url, **engine_options)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sessionmaker(self.engine, class_=_Session, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self) -> Session:
        return self.sessionmaker()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits at the end of the block, or rolls back on error."""
        with self.sessionmaker() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web app read while the worker writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def open_database(settings: Settings) -> Database:
    crypto.configure(settings.encryption_keys, settings.secret_key)
    return Database(settings.effective_database_url)
