"""The worker's bookkeeping in Redis: the same keys and times to live, in fewer round trips."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from redis import Redis
from redis.connection import AbstractConnection
from rq import Queue, SimpleWorker
from sqlalchemy import select

from intake.models import Contact, OutboxJob
from tests.builders import create_contact
from workers import queues, relay
from workers.context import get_context
from workers.runner import LeanSimpleWorker, run_worker


@contextmanager
def round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Count what is sent to Redis, one entry per round trip."""
    sent: list[int] = []
    send = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):  # type: ignore[no-untyped-def]
        sent.append(1)
        return send(self, command, check_health)

    with monkeypatch.context() as patch:
        patch.setattr(AbstractConnection, "send_packed_command", counting)
        yield sent


@pytest.fixture
def worker(redis_conn: Redis) -> Iterator[LeanSimpleWorker]:
    lean = LeanSimpleWorker([queues.queue(queues.CONTACTS, redis_conn)], connection=redis_conn)
    lean.register_birth()
    yield lean
    lean.register_death()


def test_a_heartbeat_is_one_round_trip_and_not_repeated_within_a_second(
    worker, redis_conn, monkeypatch
):
    with round_trips(monkeypatch) as sent:
        worker.heartbeat()
        worker.heartbeat()
    assert len(sent) == 1
    assert redis_conn.ttl(worker.key) > worker.worker_ttl, "the worker's whole time to live"
    assert redis_conn.hget(worker.key, "last_heartbeat")


def test_after_a_shorter_time_to_live_the_next_heartbeat_restores_the_whole_one(
    worker, redis_conn, monkeypatch
):
    worker.heartbeat()
    # As RQ does while a job runs: the worker's key lives only as long as the job may.
    worker.heartbeat(timeout=30)
    assert redis_conn.ttl(worker.key) <= 30
    with round_trips(monkeypatch) as sent:
        worker.heartbeat()
    assert len(sent) == 1, "sent although the last full heartbeat was under a second ago"
    assert redis_conn.ttl(worker.key) > worker.worker_ttl


def test_the_state_is_written_when_it_changes(worker, redis_conn, monkeypatch):
    worker.set_state("idle")
    with round_trips(monkeypatch) as sent:
        worker.set_state("idle")
    assert sent == [] and worker.get_state() == "idle"
    with redis_conn.pipeline() as pipe:
        worker.set_state("busy", pipeline=pipe)
        pipe.execute()
    with round_trips(monkeypatch) as sent:
        worker.set_state("idle")
    assert len(sent) == 1
    assert redis_conn.hget(worker.key, "state") == b"idle"


def test_a_job_costs_the_lean_worker_fewer_round_trips_and_leaves_the_same_record(
    redis_conn, monkeypatch
):
    queue = queues.queue(queues.CONTACTS, redis_conn)
    trips = {}
    for cls in (SimpleWorker, LeanSimpleWorker):
        # Kept longer than RQ's own worker can take to stop (with redis-py 8 up to a minute,
        # which workers.runner's subscribe avoids for ours): the records must still be there.
        jobs = [queue.enqueue("builtins.abs", -n, result_ttl=600) for n in range(1, 4)]
        with round_trips(monkeypatch) as sent:
            cls([queue], connection=redis_conn).work(burst=True)
        trips[cls] = len(sent)
        for job in jobs:
            job.refresh()
            assert job.get_status() == "finished" and job.return_value() == abs(job.args[0])
    assert trips[LeanSimpleWorker] < trips[SimpleWorker]


def test_the_relay_asks_which_jobs_exist_at_once_and_queues_only_the_missing(
    session, redis_conn, monkeypatch
):
    create_contact(session)
    rows = session.scalars(select(OutboxJob).order_by(OutboxJob.id)).all()
    assert len(rows) == 2
    redis_conn.flushdb()  # as if the request had not queued them
    relay.enqueue(redis_conn, rows[0])  # one was, say by another worker's relay loop
    queued: list[str] = []
    enqueue = relay.enqueue
    monkeypatch.setattr(
        relay, "enqueue", lambda conn, row: queued.append(row.job_id) or enqueue(conn, row)
    )

    result = relay.relay_once(session, redis_conn)

    assert result.enqueued == 1 and queued == [rows[1].job_id]
    assert all(row.enqueued_at is not None for row in rows)
    assert relay.relay_once(session, redis_conn).enqueued == 0
    contact_jobs = Queue(queues.CONTACTS, connection=redis_conn).job_ids
    message_jobs = Queue(queues.MESSAGES, connection=redis_conn).job_ids
    assert sorted(contact_jobs + message_jobs) == sorted(row.job_id for row in rows)
    run_worker(get_context(), redis_conn, burst=True, with_relay=False)
    assert session.scalar(select(Contact.status)) == "awaiting_review"
