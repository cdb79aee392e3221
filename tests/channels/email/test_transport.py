"""Outbound mail through the relay, by itself and through the real send job."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from channels.email.transport import PermanentFailure, TemporaryFailure, send_email
from intake.config import Settings
from intake.models import MessageStatus, OutboundMessage
from tests.channels.email.mail import SPARSE_REFERRAL, contacts, plain_email
from tests.redis_server import free_port
from workers.feedback.jobs import deliver, send_message


def _settings(port: int, host: str = "127.0.0.1") -> Settings:
    return Settings(smtp_host=host, smtp_port=port, mail_from="mash-frontdoor@frontdoor.test")


def test_an_email_is_handed_to_the_relay_as_an_automatic_reply_in_the_thread(relay):
    provider_id = send_email(
        _settings(relay.port),
        "sam@riverside.sch.uk",
        "Referral ABCD-EFGH",
        "Thank you.\n" + "A long line of text. " * 20,
        "<fd.1.ab@frontdoor.test>",
        "<theirs@riverside.sch.uk>",
    )
    assert provider_id == "<fd.1.ab@frontdoor.test>"
    [mail] = relay.received
    message = mail.message
    assert (mail.sender, mail.recipients) == (
        "mash-frontdoor@frontdoor.test",
        ["sam@riverside.sch.uk"],
    )
    assert message["Message-ID"] == "<fd.1.ab@frontdoor.test>"
    assert message["In-Reply-To"] == message["References"] == "<theirs@riverside.sch.uk>"
    assert message["Auto-Submitted"] == "auto-replied"
    assert message.get_content().replace("\r\n", "\n").startswith("Thank you.\nA long line")


def test_a_refused_recipient_is_a_permanent_failure_and_does_not_quote_the_address(relay):
    relay.refuse_recipients_with = "550 5.1.1 sam@riverside.sch.uk: no such user"
    with pytest.raises(PermanentFailure) as failure:
        send_email(_settings(relay.port), "sam@riverside.sch.uk", "s", "b", None, None)
    assert str(failure.value) == "recipient refused (SMTP 550)"


def test_a_relay_that_says_try_later_is_a_temporary_failure(relay):
    relay.refuse_recipients_with = "451 4.3.0 greylisted, try again later"
    with pytest.raises(TemporaryFailure, match="SMTP 451"):
        send_email(_settings(relay.port), "sam@riverside.sch.uk", "s", "b", None, None)


def test_a_relay_that_is_not_there_is_a_temporary_failure():
    nothing_listens = free_port()
    with pytest.raises(TemporaryFailure, match="relay unreachable"):
        send_email(_settings(nothing_listens), "sam@riverside.sch.uk", "s", "b", None, None)


def test_without_a_relay_configured_sending_is_refused_for_good():
    with pytest.raises(PermanentFailure):
        send_email(_settings(25, host=""), "sam@riverside.sch.uk", "s", "b", None, None)


def test_the_send_job_sends_our_question_email_with_the_message_id_replies_are_matched_by(
    send, session, relay
):
    send(plain_email(SPARSE_REFERRAL))
    [message] = session.scalars(select(OutboundMessage)).all()
    assert (message.purpose, message.status) == ("missing_info", MessageStatus.PENDING)
    assert send_message(message.id) == "handed over"
    session.expire_all()
    assert session.get(OutboundMessage, message.id).status == MessageStatus.SENT
    [mail] = relay.received
    assert mail.message["Message-ID"] == message.message_id
    assert send_message(message.id) == "already sent"  # a duplicate job sends nothing
    assert len(relay.received) == 1 and len(contacts(session)) == 1


def test_with_no_relay_configured_our_reply_stays_in_the_outbox_for_officers(
    send, session, context
):
    send(plain_email(SPARSE_REFERRAL))
    [message] = session.scalars(select(OutboundMessage)).all()
    with context.db.session() as job_session:
        result = deliver(job_session, context.settings.with_overrides(smtp_host=""), message.id)
    assert result == MessageStatus.NO_TRANSPORT
    session.expire_all()
    kept = session.get(OutboundMessage, message.id)
    assert kept.status == MessageStatus.NO_TRANSPORT and kept.body.startswith("Thank you")
