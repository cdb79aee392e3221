"""Writing messages to referrers into the outbox: acknowledgements, outcomes and resends.

Each message is an `OutboundMessage` row plus an outbox row for its send job, added to the
caller's transaction; once it commits, a web request queues the job at once
(`relay.enqueue_committed`), and otherwise the relay loop does within seconds. The text is
rendered now and stored encrypted, so what an officer sees on the contact page is exactly what
was, or will be, sent.
"""

from __future__ import annotations

import logging

from flask import has_app_context
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from intake.config import Settings
from intake.models import (
    Contact,
    ContactEvent,
    MessageStatus,
    OutboundMessage,
    utcnow,
)
from workers import relay
from workers.feedback import rules, templates
from workers.feedback.rules import Decision, Purpose, Route, Verdict

log = logging.getLogger(__name__)

JOB_KIND = "send_message"

STATUS_LABELS: dict[str, str] = {
    MessageStatus.PENDING: "Waiting to send",
    MessageStatus.NO_TRANSPORT: "Not sent \N{EM DASH} no transport",
    MessageStatus.QUEUED: "Sending",
    MessageStatus.SENT: "Sent",
    MessageStatus.DELIVERED: "Delivered",
    MessageStatus.UNDELIVERED: "Not delivered",
    MessageStatus.FAILED: "Failed",
    MessageStatus.SUPPRESSED: "Held for an officer \N{EM DASH} not sent",
}

# What an officer needs to act on: the referrer has not heard from us and will not unless
# someone resends or phones them.
FOLLOW_UP_STATUSES = (MessageStatus.FAILED, MessageStatus.UNDELIVERED)

HELD_PREFIX = "held: "


class ResendRefused(ValueError):
    """The message cannot be resent now; the text says why, for the officer."""


def queue_acknowledgement(
    session: Session, contact: Contact, settings: Settings | None = None, *, first: bool = False
) -> list[OutboundMessage]:
    """Tell the referrer their referral arrived: the reference, what happens next and when.

    `first` says the caller knows the contact has no messages yet (it is being submitted), which
    saves looking for earlier ones on the busiest path of all.
    """
    if not first:
        existing = _latest(session, contact.id, Purpose.ACKNOWLEDGEMENT)
        if existing:
            return existing  # a contact is acknowledged once; officers resend if they need to
    return _queue(session, contact, Purpose.ACKNOWLEDGEMENT, settings, first=first)


def queue_outcome(
    session: Session, contact: Contact, settings: Settings | None = None
) -> list[OutboundMessage]:
    """Tell the referrer the outcome the officer recorded, as much as they may know of it.

    Calling it again with the same outcome writes nothing new; a changed outcome is told again.
    """
    return _queue(session, contact, Purpose.OUTCOME, settings)


def _queue(
    session: Session,
    contact: Contact,
    purpose: Purpose,
    settings: Settings | None,
    *,
    first: bool = False,
) -> list[OutboundMessage]:
    decision = rules.decide(contact, purpose)
    if decision.verdict is Verdict.SKIP or decision.route is None:
        _event(session, contact, "message_not_written", purpose=purpose, rule=decision.rule)
        return []
    route = decision.route
    key = templates.key_for(purpose, decision.audience, route.transport, contact.outcome)
    wording = templates.render(session, key, contact, settings or _current_settings())
    for earlier in [] if first else _latest(session, contact.id, purpose):
        if (
            earlier.transport == route.transport
            and earlier.recipient == route.recipient
            and earlier.body == wording.body
        ):
            return [earlier]
    message = _add(
        session,
        contact,
        str(purpose),
        route,
        subject=wording.subject,
        body=wording.body,
        held_by=decision if decision.verdict is Verdict.HOLD else None,
        first=first,
    )
    return [message]


def resend(session: Session, message: OutboundMessage) -> OutboundMessage:
    """Send a message again, to the referrer's current details, as a new tracked message.

    Raises ResendRefused while the message is still being sent, so one click never sends twice.
    """
    if not can_resend(message):
        raise ResendRefused("This message is still being sent. Check again in a few minutes.")
    contact = session.get(Contact, message.contact_id) if message.contact_id else None
    route = Route(message.transport, message.recipient)
    if contact is not None:
        current = rules.route_of(contact)
        # An officer who corrected the referrer's number or address wants the new one used.
        if current is not None and current.transport == message.transport:
            route = current
    try:
        with session.begin_nested():
            new = _add(
                session,
                contact,
                message.purpose,
                route,
                subject=message.subject,
                body=message.body,
                held_by=None,
                in_reply_to=message.in_reply_to,
            )
    except IntegrityError:
        raise ResendRefused("Someone has just resent this message. Refresh to see it.") from None
    return new


def can_resend(message: OutboundMessage) -> bool:
    if message.status == MessageStatus.PENDING:
        return False
    # A claimed message with no provider id is being handed over right now.
    return not (message.status == MessageStatus.QUEUED and message.provider_id is None)


def _add(
    session: Session,
    contact: Contact | None,
    purpose: str,
    route: Route,
    *,
    subject: str | None,
    body: str,
    held_by: Decision | None,
    in_reply_to: str | None = None,
    first: bool = False,
) -> OutboundMessage:
    if contact is not None and contact.id is None:
        # A partner's referral is written in one go, unflushed until now: give it its id first,
        # or the message would be written linked to no contact.
        session.flush()
    contact_id = contact.id if contact is not None else None
    message = OutboundMessage(
        contact_id=contact_id,
        purpose=purpose,
        transport=route.transport,
        attempt_group=(
            0 if first else _next_attempt_group(session, contact_id, purpose, route.transport)
        ),
        recipient=route.recipient,
        subject=subject,
        body=body,
        status=MessageStatus.SUPPRESSED if held_by else MessageStatus.PENDING,
        last_error=HELD_PREFIX + held_by.rule if held_by else None,
        in_reply_to=in_reply_to,
    )
    session.add(message)
    session.flush()
    if held_by is None:
        relay.add(session, JOB_KIND, message.id)
    if contact is not None:
        _event(
            session,
            contact,
            "message_held" if held_by else "message_queued",
            purpose=purpose,
            transport=route.transport,
            message_id=message.id,
            **({"rule": held_by.rule} if held_by else {}),
        )
    log.info("message %s (%s by %s) %s", message.id, purpose, route.transport, message.status)
    return message


def _next_attempt_group(
    session: Session, contact_id: int | None, purpose: str, transport: str
) -> int:
    if contact_id is None:
        return 0
    highest = session.scalar(
        select(func.max(OutboundMessage.attempt_group)).where(
            OutboundMessage.contact_id == contact_id,
            OutboundMessage.purpose == purpose,
            OutboundMessage.transport == transport,
        )
    )
    return 0 if highest is None else highest + 1


def _latest(session: Session, contact_id: int, purpose: Purpose) -> list[OutboundMessage]:
    """The newest message of this purpose for each transport."""
    rows = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.contact_id == contact_id, OutboundMessage.purpose == str(purpose))
        .order_by(OutboundMessage.attempt_group.desc(), OutboundMessage.id.desc())
    ).all()
    newest: dict[str, OutboundMessage] = {}
    for row in rows:
        newest.setdefault(row.transport, row)
    return list(newest.values())


def _event(session: Session, contact: Contact, step: str, **detail: object) -> None:
    # Ids, codes and rule names only: the contact's timeline never repeats a message's text.
    session.add(ContactEvent(contact=contact, step=step, at=utcnow(), detail=detail))


def _current_settings() -> Settings:
    """The settings of whoever is calling: the web app in a request, the worker in a job."""
    if has_app_context():
        from intake import extensions

        return extensions.settings()
    from workers.context import get_context

    return get_context().settings


def messages_for_contact(session: Session, contact_id: int) -> list[OutboundMessage]:
    """Every message for a contact, oldest first, for the contact page."""
    return list(
        session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.contact_id == contact_id)
            .order_by(OutboundMessage.created_at, OutboundMessage.id)
        )
    )


_Outer = aliased(OutboundMessage)


def follow_up_query() -> Select[tuple[OutboundMessage]]:
    """Failed and undelivered messages no one has resent yet, oldest first, for the queue."""
    newer = (
        select(OutboundMessage.id)
        .where(
            OutboundMessage.contact_id == _Outer.contact_id,
            OutboundMessage.purpose == _Outer.purpose,
            OutboundMessage.transport == _Outer.transport,
            OutboundMessage.attempt_group > _Outer.attempt_group,
        )
        .exists()
    )
    return (
        select(_Outer)
        .where(_Outer.status.in_([str(s) for s in FOLLOW_UP_STATUSES]), ~newer)
        .order_by(_Outer.updated_at, _Outer.id)
    )


def explain(message: OutboundMessage) -> str:
    """The status in words, with why it was held or what went wrong, for officers."""
    label = STATUS_LABELS.get(message.status, message.status)
    if message.status == MessageStatus.SUPPRESSED and message.last_error:
        return f"{label}. {rules.reason_for(message.last_error.removeprefix(HELD_PREFIX))}"
    if message.status in FOLLOW_UP_STATUSES and message.last_error:
        return f"{label}: {message.last_error}"
    return label
