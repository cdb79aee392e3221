"""A `frontdoor worker` stops when told to, even after Redis has gone away under it."""

from __future__ import annotations

import signal
import subprocess

from redis import Redis
from rq import Worker

from tests.faults.support import start_worker, wait_until


def test_a_worker_whose_redis_went_away_still_stops_on_sigterm(
    settings_overrides, private_redis, tmp_path
):
    log = tmp_path / "worker.log"
    worker = start_worker(settings_overrides, log)
    connection = Redis.from_url(private_redis.url)
    wait_until(lambda: Worker.count(connection=connection) == 1, 90, "the worker to register")
    private_redis.stop()
    wait_until(
        lambda: any(
            sign in log.read_text() for sign in ("could not connect to Redis", "queue unavailable")
        ),
        30,
        "the worker to notice Redis is gone",
    )

    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        raise AssertionError("the worker ignored SIGTERM once Redis was gone") from None
