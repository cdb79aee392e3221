"""Moves work from the database outbox onto the RQ queues, and recovers work that went missing.

A submission writes its outbox row in the same transaction as the contact, so once we have said
"received" the work exists even if Redis is down. The web request tries to enqueue at once; the
relay loop in every `frontdoor worker` catches whatever that missed (Redis down, a crash between
commit and enqueue) and re-enqueues work whose job vanished (Redis restarted without its data) or
failed for good. Job ids are derived from the outbox row, so enqueueing twice is harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import Select, select, text
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
    if kind not in JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    row = OutboxJob(kind=kind, subject_id=subject_id, generation=generation)
    session.add(row)
    return row


def enqueue(connection: Redis, row: OutboxJob) -> None:
    queue_name, func = JOB_KINDS[row.kind]
    existing = _job_status(connection, row.job_id)
    if existing in (
        JobStatus.QUEUED,
        JobStatus.STARTED,
        JobStatus.DEFERRED,
        JobStatus.SCHEDULED,
        JobStatus.FINISHED,
    ):
        return
    Queue(queue_name, connection=connection).enqueue(
        func,
        row.subject_id,
        job_id=row.job_id,
        retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        job_timeout=JOB_TIMEOUT,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
        # Only the id travels through Redis: no personal data in job payloads.
        description=row.job_id,
    )


def _job_status(connection: Redis, job_id: str) -> JobStatus | None:
    try:
        return Job.fetch(job_id, connection=connection).get_status(refresh=False)
    except NoSuchJobError:
        return None


def try_enqueue(session: Session, connection: Redis, row: OutboxJob) -> bool:
    """Enqueue straight after the submitting transaction commits; the relay retries failures."""
    try:
        enqueue(connection, row)
    except RedisError as exc:
        log.warning("queue unavailable, %s left for the relay: %s", row.job_id, type(exc).__name__)
        return False
    if session.get_bind().dialect.name == "postgresql":
        # This commit is bookkeeping: if it is lost in a crash the relay finds the job already
        # queued and records it then. Not waiting for the disk here halves a submission's fsyncs.
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    row.enqueued_at = utcnow()
    row.attempts += 1
    session.commit()
    return True


def relay_once(
    session: Session, connection: Redis, now: datetime | None = None, limit: int = 500
) -> RelayResult:
    """Enqueue pending rows and recover stale ones. Raises RedisError if Redis is down."""
    now = now or utcnow()
    pending = (
        select(OutboxJob).where(OutboxJob.enqueued_at.is_(None)).order_by(OutboxJob.id).limit(limit)
    )
    stale = (
        select(OutboxJob)
        .where(OutboxJob.completed_at.is_(None), OutboxJob.enqueued_at < now - STALE_AFTER)
        .order_by(OutboxJob.id)
        .limit(limit)
    )
    enqueued = recovered = 0
    for row in session.scalars(_skip_locked(session, pending)).all():
        enqueue(connection, row)
        row.enqueued_at = now
        row.attempts += 1
        enqueued += 1
    for row in session.scalars(_skip_locked(session, stale)).all():
        status = _job_status(connection, row.job_id)
        # A job still "started" this long after it was enqueued belongs to a worker that died
        # (a contact takes well under a second). Running it again is safe: the job claims the
        # contact with a row lock and leaves a processed one alone.
        if status in (
            None,
            JobStatus.FAILED,
            JobStatus.STOPPED,
            JobStatus.CANCELED,
            JobStatus.STARTED,
        ):
            if status is not None:
                Job.fetch(row.job_id, connection=connection).delete()
            enqueue(connection, row)
            row.enqueued_at = now
            row.attempts += 1
            recovered += 1
            log.warning("recovered job %s (was %s)", row.job_id, status or "missing")
    session.commit()
    return RelayResult(enqueued, recovered)


def _skip_locked(session: Session, stmt: Select[tuple[OutboxJob]]) -> Select[tuple[OutboxJob]]:
    # Several workers run the relay; SKIP LOCKED lets each take different rows on PostgreSQL.
    # SQLite has one writer at a time anyway.
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt


def mark_completed(session: Session, kind: str, subject_id: int) -> None:
    for row in session.scalars(
        select(OutboxJob).where(
            OutboxJob.kind == kind,
            OutboxJob.subject_id == subject_id,
            OutboxJob.completed_at.is_(None),
        )
    ):
        row.completed_at = utcnow()
