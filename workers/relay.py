"""Moves work from the database outbox onto the RQ queues, and recovers work that went missing.

A submission writes its outbox row in the same transaction as the contact, so once we have said
"received" the work exists even if Redis is down. The request queues the job straight after its
commit (`enqueue_committed`, with no second write to the database); the relay loop in every
`frontdoor worker` records that, queues whatever the request missed (Redis down, a crash between
commit and enqueue), and re-enqueues work whose job vanished (Redis restarted without its data) or
failed for good. Job ids are derived from the outbox row and queued with RQ's atomic unique
enqueue, so two attempts at the same row make one job.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.utils import now as rq_now
from sqlalchemy import Select, Table, bindparam, event, func, inspect, select, update
from sqlalchemy.orm import Session

from intake.models import OutboxJob, utcnow
from workers import queues

log = logging.getLogger(__name__)

# kind -> (queue, dotted job function)
JOB_KINDS: dict[str, tuple[str, str]] = {
    "process_contact": (queues.CONTACTS, "workers.pipeline.process_contact"),
    "send_message": (queues.MESSAGES, "workers.feedback.send_message"),
}

# A job not finished this long after it was enqueued is checked on by the sweeper. The bound
# is the longest a referral can sit unprocessed after a worker or Redis dies: STALE_AFTER plus
# one relay interval.
STALE_AFTER = timedelta(minutes=2)
RETRY_INTERVALS = [5, 30, 120, 600]
JOB_TIMEOUT = 300


@dataclass(frozen=True)
class RelayResult:
    enqueued: int
    recovered: int


def add(session: Session, kind: str, subject_id: int, generation: int = 0) -> OutboxJob:
    """Write a job into the caller's transaction; `enqueue_committed` sends it once committed."""
    if kind not in JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    row = OutboxJob(kind=kind, subject_id=subject_id, generation=generation)
    session.add(row)
    session.info.setdefault(_ADDED, []).append(row)
    return row


# Rows added in a session move to "committed" when its transaction commits, unless a rollback (of
# the transaction or of a savepoint) undid them, so `enqueue_committed` can never queue a job for a
# row that does not exist: such a job would find nothing, finish, and leave its row looking handled.
_ADDED = "frontdoor.outbox.added"
_COMMITTED = "frontdoor.outbox.committed"


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: nothing is committed until the outer transaction is
    added = session.info.pop(_ADDED, None)
    if added:
        # A row whose INSERT was rolled back is transient again.
        kept = [row for row in added if not inspect(row).transient]
        session.info.setdefault(_COMMITTED, []).extend(kept)


def has_committed(session: Session) -> bool:
    return bool(session.info.get(_COMMITTED))


def enqueue_committed(session: Session, connection: Redis) -> int:
    """Put the jobs this session has committed on the queue now, so work starts at once.

    Writes nothing to the database: the row stays pending until the job completes it or the
    relay loop sees the job queued and records that. Anything this misses (Redis down, a crash
    just after the commit) the relay loop enqueues within seconds.
    """
    rows = session.info.pop(_COMMITTED, [])
    if not rows:
        return 0
    try:
        return enqueue_many(connection, rows)
    except RedisError as exc:
        log.warning(
            "queue unavailable, %d job(s) left for the relay: %s", len(rows), type(exc).__name__
        )
        return 0


def enqueue(connection: Redis, row: OutboxJob) -> bool:
    """Queue the row's job unless a job with its id exists; True if this call queued it."""
    return enqueue_many(connection, [row]) == 1


def enqueue_many(connection: Redis, rows: list[OutboxJob]) -> int:
    """Queue each row's job unless a job with its id exists, in one round trip to Redis.

    Returns how many this call queued. Each job is checked and queued by one atomic script, the
    same as RQ's own `enqueue(unique=True)` runs, so the request that committed a row and the
    relay loop can both try and only one job is ever queued; sending them all in one pipeline
    saves a submission three round trips (RQ's own call takes two per job).
    """
    pipe = connection.pipeline(transaction=False)
    for row in rows:
        queue, job = _job(connection, row)
        # As Queue.enqueue_job does: the queue is listed for workers and dashboards.
        pipe.sadd(queue.redis_queues_keys, queue.key)
        # EVAL, not EVALSHA: a script on a pipeline costs an extra SCRIPT EXISTS round trip.
        pipe.eval(_UNIQUE_ENQUEUE, 2, job.key, queue.key, job.id, *_fields(job))
    results = pipe.execute()
    return sum(1 for queued in results[1::2] if queued == 1)


def _job(connection: Redis, row: OutboxJob) -> tuple[Queue, Job]:
    queue_name, func = JOB_KINDS[row.kind]
    queue = Queue(queue_name, connection=connection)
    job = queue.create_job(
        func,
        args=(row.subject_id,),
        job_id=row.job_id,
        retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        timeout=JOB_TIMEOUT,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
        # Only the id travels through Redis: no personal data in job payloads.
        description=row.job_id,
    )
    job.enqueued_at = rq_now()
    return queue, job


def _fields(job: Job) -> list[str | bytes]:
    # The job hash exactly as RQ writes it: its own serialisation, without empty fields.
    fields: list[str | bytes] = []
    for name, value in job.to_dict().items():
        if value is not None:
            fields += [name, value if isinstance(value, bytes | str) else str(value)]
    return fields


# Check the job does not exist, write its hash, push its id: atomically (RQ's unique enqueue).
_UNIQUE_ENQUEUE = """
if redis.call("EXISTS", KEYS[1]) == 1 then
    return 0
end
redis.call("HSET", KEYS[1], unpack(ARGV, 2))
redis.call("RPUSH", KEYS[2], ARGV[1])
return 1
"""


def _fetch(connection: Redis, job_id: str) -> Job | None:
    try:
        return Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return None


def _started_since(job: Job, moment: datetime) -> bool:
    started = job.started_at
    if started is None:
        return False
    if started.tzinfo is None:  # RQ stores UTC
        started = started.replace(tzinfo=UTC)
    return started > moment


def relay_once(
    session: Session, connection: Redis, now: datetime | None = None, limit: int = 500
) -> RelayResult:
    """Enqueue pending rows and recover stale ones. Raises RedisError if Redis is down."""
    now = now or utcnow()
    pending = (
        select(OutboxJob)
        .where(OutboxJob.enqueued_at.is_(None), OutboxJob.completed_at.is_(None))
        .order_by(OutboxJob.id)
        .limit(limit)
    )
    stale = (
        select(OutboxJob)
        .where(OutboxJob.completed_at.is_(None), OutboxJob.enqueued_at < now - STALE_AFTER)
        .order_by(OutboxJob.id)
        .limit(limit)
    )
    enqueued = recovered = 0
    rows = session.scalars(_skip_locked(session, pending)).all()
    # Most rows were queued by the request that committed them; this records that, and queues
    # the ones it missed. Which jobs exist is asked in one round trip, so a backed-up queue
    # (hundreds of rows still pending) costs the relay no more than a job each it must queue.
    for row, queued in zip(rows, _jobs_exist(connection, rows), strict=True):
        if not queued and enqueue(connection, row):
            row.attempts += 1
            enqueued += 1
        row.enqueued_at = now
    for row in session.scalars(_skip_locked(session, stale)).all():
        job = _fetch(connection, row.job_id)
        status = job.get_status(refresh=False) if job is not None else None
        # A job still "started" this long after it started belongs to a worker that died (a
        # contact takes well under a second). Counting from when it was queued instead would
        # re-run every job that waited that long in a backed-up queue. Running one again is
        # safe: the job claims the contact with a row lock and leaves a processed one alone.
        if (
            status is JobStatus.STARTED
            and job is not None
            and _started_since(job, now - STALE_AFTER)
        ):
            continue
        if status in (
            None,
            JobStatus.FAILED,
            JobStatus.STOPPED,
            JobStatus.CANCELED,
            JobStatus.STARTED,
        ):
            if job is not None:
                job.delete()
            enqueue(connection, row)
            row.enqueued_at = now
            row.attempts += 1
            recovered += 1
            log.warning("recovered job %s (was %s)", row.job_id, status or "missing")
    session.commit()
    return RelayResult(enqueued, recovered)


def _jobs_exist(connection: Redis, rows: Sequence[OutboxJob]) -> list[bool]:
    """Whether each row's job is in Redis (queued, running, or kept after it ran)."""
    if not rows:
        return []
    with connection.pipeline(transaction=False) as pipe:
        for row in rows:
            pipe.exists(Job.key_for(row.job_id))
        return [bool(found) for found in pipe.execute()]


def _skip_locked(session: Session, stmt: Select[tuple[OutboxJob]]) -> Select[tuple[OutboxJob]]:
    # Several workers run the relay; SKIP LOCKED lets each take different rows on PostgreSQL.
    # SQLite has one writer at a time anyway.
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt


_outbox = cast(Table, OutboxJob.__table__)
# Built once: a job's bookkeeping is one prepared UPDATE, not an ORM statement assembled and
# synchronised with the session each time (measured at ~1 ms of CPU a job, twice a contact).
_COMPLETE = (
    update(_outbox)
    .where(
        _outbox.c.kind == bindparam("job_kind"),
        _outbox.c.subject_id == bindparam("job_subject"),
        _outbox.c.completed_at.is_(None),
    )
    # Queued straight from a request and finished before the relay loop looked at it.
    .values(
        completed_at=bindparam("done_at"),
        enqueued_at=func.coalesce(_outbox.c.enqueued_at, bindparam("done_at")),
    )
)


def mark_completed(session: Session, kind: str, subject_id: int) -> None:
    """Record the job's work as done, in the caller's transaction: one UPDATE, nothing read."""
    session.execute(_COMPLETE, {"job_kind": kind, "job_subject": subject_id, "done_at": utcnow()})
    # The UPDATE bypasses the session: a row it changed that the session holds (a caller that
    # added or read it) would otherwise go on showing it as not completed.
    for row in list(session.identity_map.values()):
        if isinstance(row, OutboxJob):
            loaded = inspect(row).dict
            if loaded.get("kind") == kind and loaded.get("subject_id") == subject_id:
                session.expire(row, ["completed_at", "enqueued_at"])
