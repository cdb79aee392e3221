"""Process each webhook once: Twilio retries a message it thinks we did not answer.

The first delivery claims the message's id by inserting an `InboundMessage` row; the reply we
gave is stored on it (encrypted: it can repeat what the referrer wrote). A retry finds the row
and gets the same reply without anything being processed twice. Two deliveries at the same
moment both try to insert; the unique constraint makes the second wait for the first to commit
and then fail, and it answers with the first one's reply.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intake.models import InboundMessage, utcnow


def stored_reply(session: Session, channel: str, external_id: str) -> str | None:
    return session.scalar(
        select(InboundMessage.response).where(
            InboundMessage.channel == channel, InboundMessage.external_id == external_id
        )
    )


def claim(session: Session, channel: str, external_id: str) -> InboundMessage | None:
    """Claim the message for this request, or None if another delivery already has it."""
    row = InboundMessage(channel=channel, external_id=external_id, received_at=utcnow())
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row
