"""`send_message`: hand one OutboundMessage to its transport, once.

The job takes only the message id. It claims the message with a conditional UPDATE before it
calls the provider, so a duplicate job (the relay re-enqueueing, RQ re-running an abandoned job)
finds it claimed and sends nothing. Temporary failures release the claim and raise, so RQ
retries with the backoff the relay set; permanent ones, and the last temporary one, mark the
message failed for an officer to follow up.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from channels.outbound import PermanentFailure, TemporaryFailure
from intake.config import Settings
from intake.models import MessageStatus, OutboundMessage, utcnow
from workers import relay
from workers.context import get_context
from workers.feedback.messages import JOB_KIND

log = logging.getLogger(__name__)

# The first try and each of the relay's retries.
MAX_ATTEMPTS = len(relay.RETRY_INTERVALS) + 1
# A claim older than the longest a job may run belongs to a worker that died mid-send. Taking it
# over may send twice if the provider did get the message; leaving it would mean never sending,
# and a referrer who hears nothing is the failure this service exists to fix.
CLAIM_TIMEOUT = timedelta(seconds=relay.JOB_TIMEOUT + 60)
NO_TRANSPORT_NOTE = "not sent \N{EM DASH} no transport configured"
# Recording a hand-over is tried again on a fresh connection if the database connection drops:
# left unrecorded, the claim would time out and the message be sent a second time.
RECORD_TRIES = 3
RECORD_RETRY_PAUSE_SECONDS = 1.0


class MessageBusy(Exception):
    """Another job is handing this message over right now; RQ tries again after its interval."""


def send_message(message_id: int) -> str:
    context = get_context()
    with context.db.session() as session:
        return deliver(session, context.settings, message_id)


def deliver(
    session: Session, settings: Settings, message_id: int, now: datetime | None = None
) -> str:
    """Send message `message_id` if no one has; returns what happened, for the job's result."""
    now = now or utcnow()
    message = session.get(OutboundMessage, message_id)
    if message is None:
        log.warning("send_message: message %s does not exist", message_id)
        return _finish(session, message_id, "missing")
    if message.status == MessageStatus.PENDING and not transport_configured(
        settings, message.transport
    ):
        # Kept, not dropped: officers see it as "not sent - no transport" and can resend.
        message.status = MessageStatus.NO_TRANSPORT
        message.last_error = NO_TRANSPORT_NOTE
        return _finish(session, message_id, str(MessageStatus.NO_TRANSPORT))
    if not _claim(session, message_id, now):
        session.refresh(message)
        if message.status == MessageStatus.QUEUED and message.provider_id is None:
            session.rollback()
            raise MessageBusy(f"message {message_id} is being sent by another job")
        return _finish(session, message_id, f"already {message.status}")
    if message.transport == "email" and message.message_id is None:
        from channels.email.replies import new_message_id

        # Fixed before the first try so every retry carries the same Message-ID: the receiving
        # side can drop a copy that did get through, and a reply is matched to the contact.
        message.message_id = new_message_id(settings)
    # Commit the claim before the slow call, so other workers see it, and hold no transaction
    # open while the provider answers.
    session.commit()

    try:
        provider_id = hand_over(settings, message)
    except PermanentFailure as exc:
        return _failed(session, message, str(exc))
    except TemporaryFailure as exc:
        return _temporary(session, message, str(exc))
    except Exception as exc:
        # A fault of ours or an unforeseen provider answer: retried like a temporary failure so
        # the claim is never left held. The type only: exception text can quote the recipient.
        log.error("send_message %s: unexpected %s", message_id, type(exc).__name__)
        return _temporary(session, message, f"unexpected error: {type(exc).__name__}")

    return _record_handed_over(session, message_id, provider_id)


def _record_handed_over(session: Session, message_id: int, provider_id: str) -> str:
    tries = 1
    while True:
        try:
            message = session.get(OutboundMessage, message_id)
            assert message is not None  # claimed by this job, so never deleted under it
            message.attempts += 1
            message.last_error = None
            message.provider_id = provider_id[:64]
            message.sent_at = utcnow()
            # Twilio has queued it and will call back as it is sent and delivered; a mail relay
            # that accepted it has sent it as far as we can follow.
            message.status = (
                MessageStatus.QUEUED if message.transport == "sms" else MessageStatus.SENT
            )
            result = _finish(session, message_id, "handed over")
        except DBAPIError as exc:
            lost = isinstance(exc, OperationalError) or exc.connection_invalidated
            if not lost or tries >= RECORD_TRIES:
                raise
            session.rollback()
            log.warning("message %s: connection lost recording the hand-over", message_id)
            time.sleep(RECORD_RETRY_PAUSE_SECONDS)
            tries += 1
            continue
        log.info("message %s handed over (%s)", message_id, message.transport)
        return result


def transport_configured(settings: Settings, transport: str) -> bool:
    if transport == "sms":
        from channels.sms.transport import is_configured

        return is_configured(settings)
    if transport == "email":
        from channels.email.transport import is_configured as email_configured

        return email_configured(settings)
    return False


def hand_over(settings: Settings, message: OutboundMessage) -> str:
    """Give the message to its provider; returns the provider's id for it."""
    # Imported here so that importing the feedback package (which the intake service does on
    # every submission) never drags in channel packages and their web views.
    if message.transport == "sms":
        from channels.sms.transport import send_sms

        return send_sms(settings, message.recipient, message.body)
    if message.transport == "email":
        from channels.email.transport import send_email

        return send_email(
            settings,
            message.recipient,
            message.subject or "",
            message.body,
            message.message_id,
            message.in_reply_to,
        )
    raise PermanentFailure(f"unknown transport {message.transport!r}")


def _claim(session: Session, message_id: int, now: datetime) -> bool:
    """Take the message for this job, atomically. Only one job can win.

    A pending message, or one whose claim has outlived any job, moves to QUEUED with no
    provider id, which is how every other job knows it is being handed over right now. The
    winner's message in the session is then the claimed row, as the UPDATE returned it: no
    second read.
    """
    claimed = session.scalars(
        update(OutboundMessage)
        .where(
            OutboundMessage.id == message_id,
            or_(
                OutboundMessage.status == MessageStatus.PENDING,
                (OutboundMessage.status == MessageStatus.QUEUED)
                & OutboundMessage.provider_id.is_(None)
                & (OutboundMessage.updated_at < now - CLAIM_TIMEOUT),
            ),
        )
        .values(status=MessageStatus.QUEUED, updated_at=now)
        .returning(OutboundMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).first()
    return claimed is not None


def _temporary(session: Session, message: OutboundMessage, reason: str) -> str:
    message.attempts += 1
    message.last_error = reason[:300]
    if message.attempts >= MAX_ATTEMPTS:
        log.warning("message %s failed after %d attempts", message.id, message.attempts)
        return _failed(session, message, reason, count_attempt=False)
    # Release the claim so the retry can take it again.
    message.status = MessageStatus.PENDING
    session.commit()
    log.warning("message %s: temporary failure, attempt %d", message.id, message.attempts)
    raise TemporaryFailure(reason)


def _failed(
    session: Session, message: OutboundMessage, reason: str, *, count_attempt: bool = True
) -> str:
    if count_attempt:
        message.attempts += 1
    message.status = MessageStatus.FAILED
    message.last_error = reason[:300]
    log.warning("message %s failed: %s", message.id, reason)
    return _finish(session, message.id, str(MessageStatus.FAILED))


def _finish(session: Session, message_id: int, result: str) -> str:
    relay.mark_completed(session, JOB_KIND, message_id)
    session.commit()
    return result
