"""`frontdoor worker`: an RQ worker plus the outbox relay, surviving Redis going away."""

from __future__ import annotations

import importlib
import logging
import signal
import threading
import time
from typing import Any, cast

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from rq import SimpleWorker, Worker
from rq.worker.base import BaseWorker
from sqlalchemy.exc import SQLAlchemyError

from workers import queues, relay
from workers.context import WorkerContext

log = logging.getLogger(__name__)

RELAY_INTERVAL = 5.0
# A heartbeat that gives the worker its whole time to live again is not sent again this soon:
# RQ's loop sends one before and after each dequeue and after each job, a few ms apart.
HEARTBEAT_COALESCE_SECONDS = 1.0
# How long a worker's command listener (RQ's pubsub thread) waits before it looks up again.
PUBSUB_WAIT_SECONDS = 1.0


class LeanHeartbeats(BaseWorker):
    """RQ's worker bookkeeping in fewer round trips to Redis, for the same keys and values.

    A heartbeat outside a pipeline is three commands, each a round trip: here they go in one.
    A full heartbeat sent under a second ago is not repeated, and the state is not written
    again when it has not changed. Measured: a job takes 11 round trips instead of 21.
    """

    _full_heartbeat_at = float("-inf")
    _written_state: str | None = None

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None) -> None:
        full = timeout is None  # RQ's default: the worker's whole time to live
        now = time.monotonic()
        if pipeline is not None:
            super().heartbeat(timeout, pipeline=pipeline)
        elif full and now - self._full_heartbeat_at < HEARTBEAT_COALESCE_SECONDS:
            return
        else:
            with self.connection.pipeline(transaction=False) as batch:
                super().heartbeat(timeout, pipeline=batch)
                batch.execute()
        # A shorter time to live (set while a job runs) must be followed by a full one before
        # the worker waits for work, or its key could expire while it waits. (RQ executes its
        # pipelines at once; one that fails takes this worker object with it.)
        self._full_heartbeat_at = now if full else float("-inf")

    def subscribe(self) -> None:
        """RQ's own, but its command listener wakes every second instead of every minute.

        Stopping a worker closes the listener's connection while the listener waits on it: RQ
        waits a second for it, then the close waits out the rest of the listener's wait. With
        RQ's 60 s, every stop took a minute (measured: burst workers in the tests took 60.0 s
        each after running a job), longer than many supervisors' grace period after SIGTERM.
        """
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        thread = self.pubsub.run_in_thread(
            sleep_time=PUBSUB_WAIT_SECONDS,
            daemon=True,
            exception_handler=self._pubsub_exception_handler,
        )
        self.pubsub_thread = cast(Any, thread)  # RQ types the attribute as None

    def set_state(self, state: str, pipeline: Pipeline | None = None) -> None:
        if pipeline is None and state == self._written_state:
            self._state = state
            return
        super().set_state(state, pipeline=pipeline)
        # What a pipeline wrote is known once it has run: count only what was written here.
        self._written_state = state if pipeline is None else None


class LeanSimpleWorker(LeanHeartbeats, SimpleWorker):
    pass


class LeanForkingWorker(LeanHeartbeats, Worker):
    pass


def relay_loop(
    context: WorkerContext,
    connection: Redis,
    stop: threading.Event,
    interval: float = RELAY_INTERVAL,
) -> None:
    while not stop.is_set():
        try:
            with context.db.session() as session:
                result = relay.relay_once(session, connection)
            if result.enqueued or result.recovered:
                log.info("relay enqueued %d, recovered %d", result.enqueued, result.recovered)
        except RedisError as exc:
            log.warning("relay: queue unavailable (%s); will retry", type(exc).__name__)
        except SQLAlchemyError as exc:
            log.warning("relay: database unavailable (%s); will retry", type(exc).__name__)
        stop.wait(interval)


def run_worker(
    context: WorkerContext,
    connection: Redis,
    queue_names: tuple[str, ...] = queues.ALL_QUEUES,
    *,
    burst: bool = False,
    with_relay: bool = True,
    fork: bool = False,
) -> None:
    _preload(context)
    stop = threading.Event()
    relay_thread: threading.Thread | None = None
    if with_relay:
        relay_thread = threading.Thread(
            target=relay_loop, args=(context, connection, stop), daemon=True, name="relay"
        )
        relay_thread.start()
    # SimpleWorker runs jobs in this process. Forking a horse per job (RQ's default) means a
    # fresh database connection per job and, measured here, four times the time per contact; a
    # job that crashes the process instead takes the worker with it, its supervisor starts it
    # again and the outbox sweeper re-queues the job (workers.relay.STALE_AFTER).
    worker_class: type[BaseWorker] = LeanForkingWorker if fork else LeanSimpleWorker
    try:
        while True:
            worker: BaseWorker | None = None
            try:
                worker = worker_class(
                    [queues.queue(n, connection) for n in queue_names], connection=connection
                )
                worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")
                return
            except RedisConnectionError:
                # RQ's signal handlers talk to Redis, so with Redis gone a stop signal surfaces
                # here as a connection error: honour it rather than start another worker.
                if getattr(worker, "_shutdown_requested_date", None) is not None:
                    log.warning("worker: stopping (the queue is unavailable)")
                    return
                log.warning("worker: queue unavailable; retrying in 2s")
                _sleep_stoppable(2)
    finally:
        stop.set()
        if relay_thread is not None:
            relay_thread.join(timeout=RELAY_INTERVAL + 1)


def _sleep_stoppable(seconds: float) -> None:
    # No job is running between workers, so a stop signal may end the process at once; RQ's
    # handlers, left installed by the worker that failed, would not.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    time.sleep(seconds)


def _preload(context: WorkerContext) -> None:
    """Load everything a job needs once, before RQ forks a work horse per job.

    A horse starts from a copy of this process: what is imported and cached here (the spaCy
    pipeline, the job modules, the rating rules and bank holidays) it never builds again.
    """
    import nlp
    from workers import steps

    for job_module in ("workers.pipeline", "workers.feedback"):
        importlib.import_module(job_module)
    nlp.load_pipeline()
    steps.warm_up(context.settings)
