"""Fault tests run a real worker process, so each gets a private redis-server of its own.

Another test run's worker on the shared Redis (a numbered database is only a name) could take
these jobs, and killing or restarting Redis must not touch anyone else's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faults import support
from tests.redis_server import PrivateRedis


@pytest.fixture(autouse=True)
def no_worker_outlives_its_test() -> Iterator[None]:
    yield
    while support.STARTED:
        support.stop_worker(support.STARTED.pop())


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings_overrides(
    settings_overrides: dict[str, Any], private_redis: PrivateRedis
) -> dict[str, Any]:
    return {**settings_overrides, "redis_url": private_redis.url}
