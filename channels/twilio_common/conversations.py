"""The database rows behind an SMS thread or a phone call, and the lock that serialises them.

A conversation is one `Conversation` row (the channel's own state: what mode the thread is in)
pointing at a draft `Contact` (the question flow's state and the transcript). Each webhook
takes the lock for its thread before reading either, so two messages from the same sender
arriving together are handled one after the other, never interleaved.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from intake import service
from intake.models import Contact, ContactStatus, Conversation

# Why a conversation was closed (`Conversation.close_reason`). Only an idle one can be resumed:
# the others ended because the referrer sent it, asked us to stop, or hung up.
IDLE = "idle"
SUBMITTED = "submitted"
OPTED_OUT = "opted_out"
HUNG_UP = "hung_up"


def lock_thread(session: Session, channel: str, address: str) -> None:
    """Serialise work on one sender's (or one call's) conversation until the transaction ends.

    A row lock (`SELECT ... FOR UPDATE`) cannot do this for the first message from a number,
    when there is no row yet: two first messages would each start a conversation. A
    transaction-scoped advisory lock on the address covers that case too and is released by
    the commit. SQLite has one writer at a time, so there the database already serialises us.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"{channel}:{address}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def open_conversation(session: Session, channel: str, address: str) -> Conversation | None:
    return session.scalar(
        select(Conversation)
        .where(
            Conversation.channel == channel,
            Conversation.address == address,
            Conversation.closed_at.is_(None),
        )
        .order_by(Conversation.id.desc())
        .limit(1)
    )


def latest_conversation(session: Session, channel: str, address: str) -> Conversation | None:
    """The most recent conversation for the address, open or closed."""
    return session.scalar(
        select(Conversation)
        .where(Conversation.channel == channel, Conversation.address == address)
        .order_by(Conversation.id.desc())
        .limit(1)
    )


def resumable_conversation(
    session: Session, channel: str, address: str, now: datetime, max_age: timedelta
) -> Conversation | None:
    """The last conversation closed for being idle, if its draft can still be picked up."""
    conversation = latest_conversation(session, channel, address)
    if (
        conversation is None
        or conversation.close_reason != IDLE
        or conversation.closed_at is None
        or now - conversation.closed_at > max_age
        or conversation.contact.status != ContactStatus.DRAFT
    ):
        return None
    return conversation


def start_conversation(
    session: Session, channel: str, address: str, *, origin_address: str | None, now: datetime
) -> Conversation:
    contact = service.new_contact(session, channel, origin_address=origin_address)
    conversation = Conversation(
        channel=channel,
        address=address,
        contact_id=contact.id,
        contact=contact,
        state={},
        last_activity_at=now,
    )
    session.add(conversation)
    return conversation


def is_idle(conversation: Conversation, now: datetime, idle_minutes: int) -> bool:
    return now - conversation.last_activity_at > timedelta(minutes=idle_minutes)


def touch(conversation: Conversation, now: datetime) -> None:
    conversation.last_activity_at = now


def close(conversation: Conversation, reason: str, now: datetime) -> None:
    conversation.closed_at = now
    conversation.close_reason = reason


def reopen(conversation: Conversation, now: datetime) -> None:
    conversation.closed_at = None
    conversation.close_reason = None
    conversation.last_activity_at = now


def channel_state(conversation: Conversation) -> dict[str, Any]:
    return dict(conversation.state or {})


def save_channel_state(conversation: Conversation, state: dict[str, Any]) -> None:
    # A new dict, so SQLAlchemy sees the JSON column change.
    conversation.state = dict(state)


def append_transcript(contact: Contact, line: str) -> None:
    """Keep everything the referrer sent or said on the draft, so nothing is lost if they go."""
    contact.raw_text = f"{contact.raw_text}\n{line}" if contact.raw_text else line
