"""A real `frontdoor worker` process killed with SIGKILL in the middle of a job loses nothing."""

import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from rq.job import Job, JobStatus
from sqlalchemy import func, select

from intake.models import Contact, ContactEvent, OutboxJob, utcnow
from tests.builders import create_contact
from tests.faults.support import (
    admin_connection,
    backends_waiting_on_a_lock,
    start_worker,
    wait_until,
)
from workers import relay
from workers.context import get_context
from workers.runner import run_worker


def kill_with_work_horse(pid):
    """SIGKILL the worker, and the work horse it forked if it runs jobs that way (`--fork`: RQ
    puts the horse in a session of its own) and its scheduler process."""
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        os.kill(int(child), signal.SIGKILL)
    os.kill(pid, signal.SIGKILL)


def wait_for_status(connection, job_id, wanted, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if Job.fetch(job_id, connection=connection).get_status() == wanted:
                return
        except Exception:
            pass
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never reached {wanted}")


@pytest.mark.slow
def test_a_worker_killed_mid_job_repeatedly_loses_nothing_and_processes_once(
    db, settings_overrides, private_redis
):
    connection = Redis.from_url(private_redis.url)
    with db.session() as s:
        contact = create_contact(s)
        row = s.scalar(select(OutboxJob).where(OutboxJob.kind == "process_contact"))
        job_id = row.job_id
        relay.enqueue(connection, row)
        # The relay loop finds the job the request queued and records it, queueing no other.
        relay.relay_once(s, connection)

    later = utcnow()
    for _attempt in range(2):
        # Hold the contact's row lock so the job is caught part way, inside its transaction.
        blocker = db.session()
        blocker.execute(select(Contact).where(Contact.id == contact.id).with_for_update())
        worker = start_worker(settings_overrides)
        try:
            wait_for_status(connection, job_id, JobStatus.STARTED)
            with admin_connection(settings_overrides["database_url"]) as admin:
                wait_until(
                    lambda: backends_waiting_on_a_lock(admin),
                    60,
                    "the job to wait for the contact",
                )
            kill_with_work_horse(worker.pid)
            worker.wait(timeout=10)
        finally:
            blocker.rollback()
            blocker.close()
        with db.session() as s:
            assert s.get(Contact, contact.id).status == "submitted", (
                "a killed job must leave nothing behind"
            )
            # As if the sweeper ran once the job had been unfinished for longer than its bound.
            later = max(later, utcnow()) + relay.STALE_AFTER + timedelta(seconds=1)
            result = relay.relay_once(s, connection, now=later)
            assert result.recovered == 1

    run_worker(get_context(), connection, burst=True, fork=False, with_relay=False)
    with db.session() as s:
        assert s.get(Contact, contact.id).status == "awaiting_review"
        processed = s.scalar(
            select(func.count())
            .select_from(ContactEvent)
            .where(ContactEvent.contact_id == contact.id, ContactEvent.step == "processed")
        )
        assert processed == 1
