"""A real HTTP server for the app, on a free port, and headless Debian Chromium driven by Playwright.

The app is the usual `app` fixture (PostgreSQL and a Redis of its own), served by werkzeug in a
thread so the browser, the test and a real RQ worker all see the same database.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, sync_playwright
from redis import Redis
from werkzeug.serving import BaseWSGIServer, make_server

from tests.redis_server import PrivateRedis

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _not_ready(_environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


@pytest.fixture
def http_server() -> Iterator[BaseWSGIServer]:
    """Bound first, so the app's base URL (used in resume links) can name the real port."""
    server = make_server("127.0.0.1", 0, _not_ready, threaded=True)
    yield server
    server.server_close()


@pytest.fixture(scope="session")
def private_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # The worker at the end of a test must take this test's job, not another test run's.
    server = PrivateRedis(Path(tmp_path_factory.mktemp("browser-redis")))
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def settings_overrides(
    settings_overrides: dict[str, Any], http_server: BaseWSGIServer, private_redis_url: str
) -> dict[str, Any]:
    Redis.from_url(private_redis_url).flushdb()
    return {
        **settings_overrides,
        "base_url": f"http://127.0.0.1:{http_server.server_port}",
        "redis_url": private_redis_url,
        # Two whole referrals in a minute from one address is a test, not a flood.
        "rate_limits_enabled": False,
    }


@pytest.fixture
def live_server(app: Flask, http_server: BaseWSGIServer) -> Iterator[str]:
    http_server.app = app
    thread = threading.Thread(target=http_server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http_server.server_port}"
    http_server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` to install Debian's Chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
