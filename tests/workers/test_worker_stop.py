"""A worker stops promptly: its command listener does not hold the stop for a minute."""

from __future__ import annotations

import time

from workers import queues
from workers.runner import PUBSUB_WAIT_SECONDS, LeanSimpleWorker


def test_a_worker_stops_within_seconds_not_the_listeners_minute(redis_conn):
    # redis-py's stop() waits for the listener thread to finish its current wait; RQ's wait is
    # 60 s, so a stop that lost the race took a minute (seen in burst workers in this suite).
    worker = LeanSimpleWorker([queues.queue(queues.MESSAGES, redis_conn)], connection=redis_conn)
    worker.subscribe()
    assert worker.pubsub_thread is not None
    assert worker.pubsub_thread.sleep_time == PUBSUB_WAIT_SECONDS <= 1
    time.sleep(0.2)  # the listener is now inside its wait
    started = time.monotonic()
    worker.pubsub_thread.stop(timeout=None)  # as RQ's teardown waits: for as long as it takes
    worker.unsubscribe()
    assert time.monotonic() - started < 5
