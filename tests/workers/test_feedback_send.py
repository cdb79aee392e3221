"""The real send jobs against a local Twilio REST stand-in and a local aiosmtpd relay."""

import logging
import threading
import time
from datetime import timedelta

import pytest
from rq import Worker
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from rq.scheduler import RQScheduler
from sqlalchemy import select, update

from channels.outbound import TemporaryFailure
from intake.models import MessageStatus, OutboundMessage, OutboxJob, utcnow
from tests.fake_twilio import FakeTwilio
from tests.feedback_support import (
    ACCOUNT_SID,
    ANONYMOUS,
    AUTH_TOKEN,
    FAMILY,
    FROM_NUMBER,
    PROFESSIONAL,
    PUBLIC,
    STATUS_URL,
    sign,
    submit,
    twilio_settings,
)
from tests.redis_server import PrivateRedis
from tests.smtp_relay import SmtpRelay
from workers import queues, relay
from workers.context import get_context
from workers.feedback import queue_outcome, send_message
from workers.feedback.jobs import MAX_ATTEMPTS, MessageBusy
from workers.feedback.messages import follow_up_query, messages_for_contact
from workers.runner import run_worker


@pytest.fixture
def twilio():
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def mail_relay():
    smtp = SmtpRelay().start()
    yield smtp
    smtp.stop()


@pytest.fixture
def private_redis(tmp_path):
    # Its own Redis: another test run's worker on the shared one must not take these jobs.
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings_overrides(settings_overrides, twilio, mail_relay, private_redis):
    return {
        **settings_overrides,
        "redis_url": private_redis.url,
        **twilio_settings(twilio.url),
        "smtp_host": "127.0.0.1",
        "smtp_port": mail_relay.port,
        "mail_from": "mash@frontdoor.test",
        "duty_phone_number": "0113 496 0000",
    }


def only_message(session, contact, purpose="acknowledgement"):
    [message] = [m for m in messages_for_contact(session, contact.id) if m.purpose == purpose]
    return message


def reload(session, message):
    session.expire_all()
    return session.get(OutboundMessage, message.id)


def outbox_row(session, message):
    return session.scalar(
        select(OutboxJob).where(
            OutboxJob.kind == "send_message", OutboxJob.subject_id == message.id
        )
    )


def queue_state(redis_conn) -> str:
    """What RQ holds for the messages queue, for a failure message: who has the scheduler's
    lock, which jobs wait to be retried (and for how long yet), which failed, which are queued."""
    scheduled = ScheduledJobRegistry(queues.MESSAGES, connection=redis_conn)
    now = time.time()
    waiting = {
        job_id.decode() if isinstance(job_id, bytes) else job_id: round(score - now, 1)
        for job_id, score in redis_conn.zrange(scheduled.key, 0, -1, withscores=True)
    }
    lock = RQScheduler.get_locking_key(queues.MESSAGES)
    return (
        f"scheduler lock {redis_conn.get(lock)!r} (ttl {redis_conn.ttl(lock)}), "
        f"scheduled {waiting}, "
        f"failed {FailedJobRegistry(queues.MESSAGES, connection=redis_conn).get_job_ids()}, "
        f"queued {queues.queue(queues.MESSAGES, redis_conn).job_ids}, "
        f"workers {[w.name for w in Worker.all(connection=redis_conn)]}, "
        f"bursts took {ROUNDS} s"
    )


ROUNDS: list[float] = []  # how long each burst took, for a failure message


def work_messages_until(redis_conn, done, rounds=60, seconds=120.0):
    """Run a real RQ worker in burst mode until `done()`; retries wait out their intervals.

    Counted in rounds, not only in time: on a loaded machine one burst has been seen to take a
    minute (the retry was due long before it ended), and the round after it must still run."""
    ROUNDS.clear()
    deadline = time.monotonic() + seconds
    for _ in range(rounds):
        started = time.monotonic()
        run_worker(
            get_context(), redis_conn, (queues.MESSAGES,), burst=True, fork=False, with_relay=False
        )
        ROUNDS.append(round(time.monotonic() - started, 2))
        if done() or time.monotonic() > deadline:
            return
        time.sleep(0.3)


def test_an_acknowledgement_by_text_goes_to_twilio_with_the_reference_and_a_status_callback(
    session, twilio
):
    contact = submit(session, FAMILY)
    message = only_message(session, contact)

    assert send_message(message.id) == "handed over"

    [sent] = twilio.requests
    assert (sent.account_sid, sent.username, sent.password) == (
        ACCOUNT_SID,
        ACCOUNT_SID,
        AUTH_TOKEN,
    )
    assert (sent.form["To"], sent.form["From"]) == ("+447700900456", FROM_NUMBER)
    assert sent.form["StatusCallback"] == STATUS_URL
    assert contact.reference in sent.form["Body"] and "Jordan" not in sent.form["Body"]
    message = reload(session, message)
    assert message.status == MessageStatus.QUEUED and message.provider_id.startswith("SM")
    assert (message.attempts, message.last_error) == (1, None) and message.sent_at is not None
    assert outbox_row(session, message).completed_at is not None


def test_an_acknowledgement_by_email_goes_through_the_relay_with_a_message_id_of_ours(
    session, mail_relay
):
    contact = submit(session, PROFESSIONAL)
    message = only_message(session, contact)

    assert send_message(message.id) == "handed over"

    [mail] = mail_relay.received
    assert mail.recipients == ["sam.patel@riverside.example.org"]
    assert mail.message["From"] == "mash@frontdoor.test"
    assert mail.message["Subject"] == f"Referral received: {contact.reference}"
    assert contact.reference in mail.message.get_content()
    message = reload(session, message)
    assert message.status == MessageStatus.SENT and message.sent_at is not None
    assert mail.message["Message-ID"] == message.message_id and message.message_id.startswith(
        "<fd."
    )


def test_professional_public_and_anonymous_referrers_get_their_own_wording_through_a_real_worker(
    session, mail_relay, redis_conn
):
    professional = submit(session, PROFESSIONAL)
    public = submit(session, PUBLIC, consent={"answer": "yes"})
    anonymous = submit(session, ANONYMOUS)
    for contact in (professional, public, anonymous):
        contact.outcome = "csc_assessment"
        queue_outcome(session, contact)
    session.commit()
    with get_context().db.session() as s:
        relay.relay_once(s, redis_conn)

    work_messages_until(redis_conn, lambda: len(mail_relay.received) >= 4)

    by_subject = {mail.message["Subject"]: mail for mail in mail_relay.received}
    assert set(by_subject) == {
        f"Referral received: {professional.reference}",
        f"Outcome of referral {professional.reference}",
        f"We have received your referral: {public.reference}",
        f"Your referral {public.reference} has been looked at",
    }
    told = by_subject[f"Outcome of referral {professional.reference}"].message.get_content()
    assert "Referred to Children's Social Care for assessment (section 17)" in told
    assert "call the MASH on 0113 496 0000" in told
    general = by_subject[
        f"Your referral {public.reference} has been looked at"
    ].message.get_content()
    assert "looked at and acted on" in general and "Social Care" not in general
    assert all(anonymous.reference not in mail.message["Subject"] for mail in mail_relay.received)
    assert messages_for_contact(session, anonymous.id) == []


def test_a_temporary_failure_is_retried_with_backoff_by_rq_and_then_delivered(
    session, client, twilio, redis_conn, monkeypatch
):
    monkeypatch.setattr(relay, "RETRY_INTERVALS", [1, 1, 1, 1])  # real RQ retries, short waits
    twilio.fail_times = 2
    contact = submit(session, FAMILY)
    message = only_message(session, contact)
    relay.enqueue(redis_conn, outbox_row(session, message))

    work_messages_until(redis_conn, lambda: len(twilio.requests) == 1)

    message = reload(session, message)
    assert len(twilio.requests) == 1, (
        f"sent once, after two refusals; attempts {message.attempts}; {queue_state(redis_conn)}"
    )
    assert (
        message.attempts == 3
        and message.status == MessageStatus.QUEUED
        and message.last_error is None
    )
    params = {
        "MessageSid": message.provider_id,
        "MessageStatus": "delivered",
        "AccountSid": ACCOUNT_SID,
    }
    response = client.post(
        "/channels/sms/status",
        data=params,
        headers={"X-Twilio-Signature": sign(STATUS_URL, params)},
    )
    assert response.status_code == 204
    message = reload(session, message)
    assert message.status == MessageStatus.DELIVERED and message.delivered_at is not None


def test_a_message_still_failing_after_the_last_retry_is_marked_failed_for_follow_up(
    session, twilio
):
    twilio.fail_times = 100
    contact = submit(session, FAMILY)
    message = only_message(session, contact)
    for attempt in range(1, MAX_ATTEMPTS):
        with pytest.raises(TemporaryFailure):
            send_message(message.id)
        message = reload(session, message)
        assert (message.status, message.attempts) == (MessageStatus.PENDING, attempt)
        assert outbox_row(session, message).completed_at is None, "the relay may still recover it"

    assert send_message(message.id) == "failed"

    message = reload(session, message)
    assert (message.status, message.attempts) == (MessageStatus.FAILED, MAX_ATTEMPTS)
    assert message.last_error == "twilio error 20500 (HTTP 500)"
    assert outbox_row(session, message).completed_at is not None, (
        "failed for good: not retried again"
    )
    assert [m.id for m in session.scalars(follow_up_query())] == [message.id]


def test_an_invalid_number_fails_at_once_and_is_shown_for_follow_up_without_the_number(
    session, twilio, caplog
):
    twilio.error_code = 21211
    contact = submit(session, FAMILY)
    message = only_message(session, contact)

    with caplog.at_level(logging.DEBUG):
        assert send_message(message.id) == "failed"

    message = reload(session, message)
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 1)
    assert "21211" in message.last_error and "900456" not in message.last_error
    assert [m.id for m in session.scalars(follow_up_query())] == [message.id]
    assert "900456" not in caplog.text


def test_an_address_the_relay_refuses_is_a_permanent_failure(session, mail_relay):
    mail_relay.refuse_recipients_with = "550 5.1.1 <sam.patel@riverside.example.org>: no such user"
    contact = submit(session, PROFESSIONAL)
    message = only_message(session, contact)

    assert send_message(message.id) == "failed"

    message = reload(session, message)
    assert message.status == MessageStatus.FAILED and "550" in message.last_error
    assert "sam.patel" not in message.last_error


def test_a_duplicate_job_sends_once(session, twilio):
    contact = submit(session, FAMILY)
    message = only_message(session, contact)

    assert send_message(message.id) == "handed over"
    assert send_message(message.id) == "already queued"

    assert len(twilio.requests) == 1


def test_two_jobs_for_one_message_at_the_same_moment_send_it_once(session, twilio):
    twilio.delay = 0.5  # the first job is still talking to Twilio when the second starts
    contact = submit(session, FAMILY)
    message = only_message(session, contact)
    results = []

    def job():
        try:
            results.append(send_message(message.id))
        except MessageBusy:
            results.append("busy")

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["busy", "handed over"]
    assert len(twilio.requests) == 1


def test_a_claim_left_by_a_worker_that_died_mid_send_is_taken_over(session, twilio):
    contact = submit(session, FAMILY)
    message = only_message(session, contact)
    long_ago = utcnow() - timedelta(hours=1)
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message.id)
        .values(status=MessageStatus.QUEUED, updated_at=long_ago)
    )
    session.commit()

    assert send_message(message.id) == "handed over"
    assert len(twilio.requests) == 1


def test_nothing_personal_is_logged_while_sending(session, twilio, mail_relay, caplog):
    family = submit(session, FAMILY)
    professional = submit(session, PROFESSIONAL)
    with caplog.at_level(logging.DEBUG):
        for contact in (family, professional):
            send_message(only_message(session, contact).id)
    assert len(twilio.requests) == 1 and len(mail_relay.received) == 1
    ours = "\n".join(
        r.getMessage() for r in caplog.records if r.name != "mail.log"
    )  # not the test relay's
    assert "handed over" in ours
    for personal in ("900456", "sam.patel", "Jordan", "Thank you for contacting"):
        assert personal not in ours
