"""The web form's tests post forms straight to the pages: CSRF is checked in test_csrf.py only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from tests.redis_server import PrivateRedis


@pytest.fixture(scope="session")
def private_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # Other test runs on the machine share the Redis server's numbered databases and flush
    # them; the queue assertions here must see only this run's jobs.
    server = PrivateRedis(Path(tmp_path_factory.mktemp("web-redis")))
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def settings_overrides(
    settings_overrides: dict[str, Any], backend: str, request: pytest.FixtureRequest
) -> dict[str, Any]:
    # A whole referral is about forty requests: the public rate limit is not under test here.
    overrides = {**settings_overrides, "WTF_CSRF_ENABLED": False, "rate_limits_enabled": False}
    if backend == "postgres":
        url = request.getfixturevalue("private_redis_url")
        Redis.from_url(url).flushdb()
        overrides["redis_url"] = url
    return overrides
