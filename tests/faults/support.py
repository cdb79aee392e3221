"""Helpers the fault tests share: a real `frontdoor worker` process, waiting, killing backends."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import psycopg
from redis import Redis
from rq import Worker

# Every backend of the service's database but the one asking: the web app's, the worker's, the
# relay loop's and the test's own connections all go.
KILL_BACKENDS = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)
WAITING_ON_A_LOCK = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
)


def worker_env(settings_overrides: Mapping[str, Any], **extra: str) -> dict[str, str]:
    """The environment a `frontdoor worker` needs to use the test's database and Redis."""
    return {
        **os.environ,
        "DATABASE_URL": settings_overrides["database_url"],
        "REDIS_URL": settings_overrides["redis_url"],
        "SECRET_KEY": settings_overrides["secret_key"],
        "FRONTDOOR_INSTANCE_DIR": str(settings_overrides["instance_dir"]),
        **extra,
    }


def start_worker(
    settings_overrides: Mapping[str, Any], log_path: Path | None = None, **extra_env: str
) -> subprocess.Popen[bytes]:
    """A real `frontdoor worker` in its own session, so a kill can take the horse it forked too.

    Its log goes to `log_path`, to read when a test fails.
    """
    command = [sys.executable, "-m", "intake.cli", "worker"]
    env = worker_env(settings_overrides, **extra_env)
    if log_path is None:
        worker = subprocess.Popen(
            command,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    else:
        with open(log_path, "ab") as log:
            worker = subprocess.Popen(
                command, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
            )
    STARTED.append(worker)
    return worker


# Every worker a test started, so a failing test cannot leave one running (tests/faults/conftest.py).
STARTED: list[subprocess.Popen[bytes]] = []


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=20)
    # Everything the worker started goes with it, whether it stopped or not: its session holds
    # RQ's scheduler process and any work horse. A scheduler left behind keeps the scheduler
    # lock of the shared test Redis, so later tests' workers never re-queue a retried job.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def wait_until(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    """Poll `condition` until it gives something true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def wait_for_worker(connection: Redis, worker: subprocess.Popen[bytes], timeout: float) -> None:
    """Until the worker has loaded what jobs need and registered to take them."""

    def registered() -> bool:
        assert worker.poll() is None, f"the worker exited with {worker.returncode}"
        return bool(Worker.all(connection=connection))

    wait_until(registered, timeout, "the worker to register")


def libpq_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def admin_connection(database_url: str, *, autocommit: bool = True) -> psycopg.Connection[Any]:
    """A connection of the test's own to the service's database, for locking and killing."""
    return psycopg.connect(libpq_url(database_url), autocommit=autocommit)


def kill_backends(admin: psycopg.Connection[Any]) -> int:
    """Terminate every other backend of the database; returns how many were terminated."""
    rows = admin.execute(KILL_BACKENDS).fetchall()
    return sum(1 for (terminated,) in rows if terminated)


def backends_waiting_on_a_lock(admin: psycopg.Connection[Any]) -> int:
    # Inside a transaction pg_stat_activity is read once and kept: read it afresh each time.
    admin.execute("SELECT pg_stat_clear_snapshot()")
    row = admin.execute(WAITING_ON_A_LOCK).fetchone()
    return int(row[0]) if row else 0
