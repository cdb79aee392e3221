"""Email intake fixtures: the SMTP server on a free port, a local relay catching what we send."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis

from channels.email.smtpd import IntakeServer
from intake import partner_keys
from intake.db import Database
from tests.channels.email.mail import INTAKE
from tests.redis_server import PrivateRedis
from tests.smtp_relay import SmtpRelay
from workers.context import WorkerContext
from workers.runner import run_worker

MAIL_FROM = "mash-frontdoor@frontdoor.test"


@pytest.fixture
def relay() -> Iterator[SmtpRelay]:
    server = SmtpRelay().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def private_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # Other test runs on the machine share the Redis server's numbered databases and flush
    # them; a queued send job must still be there when this test runs the worker.
    server = PrivateRedis(Path(tmp_path_factory.mktemp("email-redis")))
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def settings_overrides(
    settings_overrides: dict[str, Any],
    relay: SmtpRelay,
    backend: str,
    request: pytest.FixtureRequest,
) -> dict[str, Any]:
    overrides = {
        **settings_overrides,
        "smtp_host": "127.0.0.1",
        "smtp_port": relay.port,
        "mail_from": MAIL_FROM,
        "intake_addresses": (INTAKE,),
        "rate_limits_enabled": False,
    }
    if backend == "postgres":
        url = request.getfixturevalue("private_redis_url")
        Redis.from_url(url).flushdb()
        overrides["redis_url"] = url
    return overrides


@pytest.fixture
def context(app: Flask, db: Database) -> WorkerContext:
    return WorkerContext(app.extensions["frontdoor.settings"], db)


@pytest.fixture
def start_server(context: WorkerContext) -> Iterator[Callable[..., IntakeServer]]:
    """Start an intake server, with settings changed for the test if it needs to."""
    started: list[IntakeServer] = []

    def start(**overrides: Any) -> IntakeServer:
        server_context = WorkerContext(context.settings.with_overrides(**overrides), context.db)
        server = IntakeServer(server_context, host="127.0.0.1", port=0)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def intake_server(start_server: Callable[..., IntakeServer]) -> IntakeServer:
    return start_server()


@pytest.fixture
def send(intake_server: IntakeServer) -> Callable[[EmailMessage], None]:
    """Deliver a message to the running server over a real SMTP session."""

    def deliver(message: EmailMessage) -> None:
        with smtplib.SMTP("127.0.0.1", intake_server.port, timeout=30) as client:
            client.send_message(message, to_addrs=[INTAKE])

    return deliver


@pytest.fixture
def run_jobs(context: WorkerContext, redis_conn: Redis) -> Callable[[], None]:
    """Run everything queued (sending mail, processing contacts) in a real RQ worker, once."""

    def run() -> None:
        run_worker(context, redis_conn, burst=True, fork=False, with_relay=False)

    return run


@pytest.fixture
def partner_key(db: Database) -> str:
    with db.transaction() as s:
        _row, key = partner_keys.create(s, "council-mail-gateway", ("referrals", "email"))
    return key
