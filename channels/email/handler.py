"""`receive_email`: one inbound email, however it arrived (SMTP or HTTP), made into a contact.

A plain function, so the SMTP server and the HTTP endpoint share every rule. It decides what the
message is (automatic mail to ignore, a reply in a referral's thread, or a new referral), stores
it in one transaction with the replies it needs, then queues the work by id. Logs carry ids and
reasons only, never the sender, the subject or the text.
"""

from __future__ import annotations

import enum
import hmac
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from channels import danger
from channels.email.answers import answers_from_new_email, answers_from_reply, describe_sources
from channels.email.attachments import StoreResult, remove_files, store_attachments
from channels.email.automated import automated_reason
from channels.email.labelled import read_labelled
from channels.email.parse import ParsedEmail, parse_email
from channels.email.questions import Applied, Asked, asked_again, questions_to_ask
from channels.email.replies import (
    DANGER_LINE,
    MAX_NEW_REFERRALS_ASKED_PER_DAY,
    added_body,
    complete_body,
    missing_info_body,
    queue_reply,
    thread_acknowledgement,
    urgent_body,
)
from channels.email.reply_text import Body, split_body
from forms.flow import FlowState, is_complete
from intake import service
from intake.models import (
    Attachment,
    Contact,
    ContactEvent,
    ContactStatus,
    InboundMessage,
    OutboundMessage,
    utcnow,
)
from intake.references import REFERENCE_PATTERN, normalise
from workers import relay
from workers.context import WorkerContext

log = logging.getLogger(__name__)

QUESTIONS_SENT = "email_questions_sent"


class Status(enum.StrEnum):
    ACCEPTED = "accepted"  # a new referral (complete, or with our questions on their way)
    UPDATED = "updated"  # a reply that added to an existing referral
    DUPLICATE = "duplicate"  # this Message-ID was processed before
    IGNORED = "ignored"  # automatic mail: no referral, no reply
    REFUSED = "refused"  # not something we can take (too large, no sender)


@dataclass(frozen=True)
class Result:
    status: Status
    reference: str | None = None
    reason: str | None = None
    complete: bool = False


@dataclass(frozen=True)
class _Outcome:
    contact: Contact
    status: Status


def receive_email(
    context: WorkerContext,
    raw: bytes,
    envelope_from: str | None,
    envelope_to: Sequence[str] = (),
    *,
    channel: str = "email",
    queue: Redis | None = None,
) -> Result:
    """Take one raw RFC 822 message. `envelope_from` is None when there was no SMTP envelope.

    Raises only when storing failed (the database is down): the caller answers "try again
    later" and the sender's mail server retries, so nothing is lost.
    """
    settings = context.settings
    if len(raw) > settings.smtpd_max_message_bytes:
        return Result(Status.REFUSED, reason="too_large")
    try:
        parsed = parse_email(raw)
    except Exception as exc:  # the parser should not raise; if it does, refuse, never crash
        log.warning("email unreadable (%s)", type(exc).__name__)
        return Result(Status.REFUSED, reason="unreadable")
    reason = automated_reason(parsed, envelope_from, settings)
    if reason is not None:
        log.info("email ignored: %s", reason)
        return Result(Status.IGNORED, reason=str(reason))
    sender = parsed.from_address or _address(envelope_from)
    if not sender:
        log.info("email refused: no sender address")
        return Result(Status.REFUSED, reason="no_sender")
    parsed.from_address = sender
    external_id = inbound_key(settings.secret_key, parsed)

    with context.db.session() as session:
        seen = _already_seen(session, channel, external_id)
        if seen is not None:
            return seen
        try:
            outcome = _store_once(session, context, parsed, envelope_to, channel, external_id)
        except IntegrityError:
            # The same message arrived twice at once and the other copy was stored first.
            seen = _already_seen(session, channel, external_id)
            if seen is not None:
                return seen
            raise
        contact = outcome.contact
        complete = contact.status != ContactStatus.DRAFT
        log.info("email %s: contact %s (complete: %s)", outcome.status, contact.id, complete)
        if queue is not None:
            relay.enqueue_committed(session, queue)
        return Result(outcome.status, reference=contact.reference, complete=complete)


def inbound_key(secret: str, parsed: ParsedEmail) -> str:
    """What makes a message "seen before": the sender, the content and the Message-ID together.

    A redelivery (the sender's server retrying, the same mail by SMTP and by HTTP) repeats all
    three. A Message-ID alone is not enough: a broken mailer or a scanner can give two people's
    different referrals the same one, and the second would be answered with the first's
    reference and never stored. The sender part comes first (it also counts a sender's new
    referrals in a day) and both parts are keyed digests, so no address or text is kept here.
    """
    content = f"{parsed.subject}\n{parsed.text}"
    return (
        f"{_digest(secret, 'sender', parsed.from_address)}:{_digest(secret, 'content', content)}:"
        f"{parsed.message_id or 'no-message-id'}"
    )[:255]


def _digest(secret: str, purpose: str, value: str) -> str:
    return hmac.new(
        f"frontdoor-email-{purpose}:{secret}".encode(), value.encode(errors="replace"), "sha256"
    ).hexdigest()[:24]


def _store_once(
    session: Session,
    context: WorkerContext,
    parsed: ParsedEmail,
    envelope_to: Sequence[str],
    channel: str,
    external_id: str,
) -> _Outcome:
    """Store the message, and the row that marks its Message-ID as seen, in one transaction."""
    written: list[Attachment] = []
    try:
        inbound = InboundMessage(channel=channel, external_id=external_id[:255])
        session.add(inbound)
        session.flush()  # a concurrent copy of this message stops here
        try:
            with session.begin_nested():
                outcome = _store(session, context, parsed, envelope_to, channel, written)
        except SQLAlchemyError:
            raise
        except Exception as exc:
            # A fault of ours with an unusual message must not bounce it or make the sender
            # retry for days: it is kept as a draft for an officer to read, with no reply.
            log.error("email not understood (%s); kept for an officer", type(exc).__name__)
            remove_files(context.settings, written)
            written.clear()
            outcome = _keep_unread(session, parsed, channel)
        inbound.contact_id = outcome.contact.id
        session.commit()
    except BaseException:
        session.rollback()
        remove_files(context.settings, written)
        raise
    return outcome


def _address(envelope_from: str | None) -> str:
    value = (envelope_from or "").strip().strip("<>").strip().lower()
    return value if "@" in value else ""


def _already_seen(session: Session, channel: str, external_id: str) -> Result | None:
    row = session.scalar(
        select(InboundMessage).where(
            InboundMessage.channel == channel, InboundMessage.external_id == external_id[:255]
        )
    )
    if row is None:
        return None
    contact = session.get(Contact, row.contact_id) if row.contact_id else None
    log.info("email duplicate of inbound %s", row.id)
    return Result(
        Status.DUPLICATE,
        reference=contact.reference if contact else None,
        complete=bool(contact and contact.status != ContactStatus.DRAFT),
    )


def _store(
    session: Session,
    context: WorkerContext,
    parsed: ParsedEmail,
    envelope_to: Sequence[str],
    channel: str,
    written: list[Attachment],
) -> _Outcome:
    body = split_body(parsed.text, forwarded=parsed.forwarded, sender_name=parsed.from_name)
    thread = _thread_of(session, parsed)
    if thread is None:
        return _new_referral(session, context, parsed, body, envelope_to, channel, written)
    contact, replied_to = thread
    if contact.status == ContactStatus.DRAFT:
        return _answers_to_questions(session, context, contact, replied_to, parsed, body, written)
    return _further_information(session, context, contact, parsed, body, written)


def _keep_unread(session: Session, parsed: ParsedEmail, channel: str) -> _Outcome:
    contact = service.new_contact(session, channel, origin_address=parsed.from_address)
    contact.raw_text = _as_received(parsed)
    service.event(session, contact, "email_not_understood")
    return _Outcome(contact, Status.ACCEPTED)


def _thread_of(
    session: Session, parsed: ParsedEmail
) -> tuple[Contact, OutboundMessage | None] | None:
    """The contact this email answers, by our Message-ID in its headers or the reference in
    its subject, and only when it comes from the address the referral came from."""
    contact: Contact | None = None
    replied_to: OutboundMessage | None = None
    if parsed.thread_ids:
        replied_to = session.scalar(
            select(OutboundMessage)
            .where(
                OutboundMessage.transport == "email",
                OutboundMessage.message_id.in_(parsed.thread_ids),
            )
            .order_by(OutboundMessage.id.desc())
        )
        if replied_to is not None and replied_to.contact_id is not None:
            contact = session.get(Contact, replied_to.contact_id)
    if contact is None:
        # Words such as ABWESEND or THURSDAY fit the pattern too (some even pass the check
        # character): the first that is a referral's reference is the one.
        for found in REFERENCE_PATTERN.finditer(parsed.subject.upper()):
            reference = normalise(found.group())
            contact = service.find_by_reference(session, reference) if reference else None
            if contact is not None:
                break
        replied_to = None
    # A reference is short enough to guess, and a thread can be forwarded to someone else: only
    # the person who made the referral may add to it. Anyone else starts a new one.
    if contact is None or parsed.from_address not in _addresses_of(contact):
        return None
    # Two replies at once must not both build on the same saved answers: the second waits here
    # (PostgreSQL; SQLite has one writer at a time anyway).
    locked = session.get(Contact, contact.id, with_for_update=True, populate_existing=True)
    return (locked or contact), replied_to


def _addresses_of(contact: Contact) -> set[str]:
    return {a.strip().lower() for a in (contact.origin_address, contact.referrer_email) if a}


def _new_referral(
    session: Session,
    context: WorkerContext,
    parsed: ParsedEmail,
    body: Body,
    envelope_to: Sequence[str],
    channel: str,
    written: list[Attachment],
) -> _Outcome:
    settings = context.settings
    contact = service.new_contact(session, channel, origin_address=parsed.from_address)
    contact.raw_text = _as_received(parsed)
    state = FlowState()
    applied = answers_from_new_email(state, parsed, body)
    _record(session, contact, applied, channel)
    in_danger = _check_danger(
        session, contact, state, applied, _unlabelled(parsed.subject, body.new_text), channel
    )
    files = store_attachments(session, settings, contact, parsed.attachments)
    written.extend(files.stored)
    service.event(
        session,
        contact,
        "email_received",
        # Which of the hub's intake addresses it was sent to (SMTP only): not personal data.
        intake_addresses=sorted({a.lower() for a in envelope_to}),
        answers=describe_sources(applied),
        attachments=len(files.stored),
        attachments_refused=[r.reason for r in files.refused],
    )
    service.save_state(contact, state)
    _next_step(
        session, context, contact, state, parsed, applied, files, first=True, in_danger=in_danger
    )
    return _Outcome(contact, Status.ACCEPTED)


def _answers_to_questions(
    session: Session,
    context: WorkerContext,
    contact: Contact,
    replied_to: OutboundMessage | None,
    parsed: ParsedEmail,
    body: Body,
    written: list[Attachment],
) -> _Outcome:
    settings = context.settings
    state = service.load_state(contact)
    asked = _questions_we_asked(session, contact, replied_to)
    applied = answers_from_reply(state, body, asked)
    _record(session, contact, applied, contact.channel)
    in_danger = _check_danger(
        session, contact, state, applied, _referrers_words(body.new_text, asked), contact.channel
    )
    _append_text(contact, parsed)
    files = store_attachments(session, settings, contact, parsed.attachments)
    written.extend(files.stored)
    service.event(
        session,
        contact,
        "email_reply_received",
        answers=describe_sources(applied),
        attachments=len(files.stored),
        attachments_refused=[r.reason for r in files.refused],
    )
    service.save_state(contact, state)
    _next_step(
        session, context, contact, state, parsed, applied, files, first=False, in_danger=in_danger
    )
    return _Outcome(contact, Status.UPDATED)


def _further_information(
    session: Session,
    context: WorkerContext,
    contact: Contact,
    parsed: ParsedEmail,
    body: Body,
    written: list[Attachment],
) -> _Outcome:
    """An email about a referral already submitted: kept with it for the officer to read."""
    _append_text(contact, parsed)
    # Danger now, said after the referral was made: the officer sees it marked and the sender
    # is told at once to call. The answers stay as they were submitted.
    in_danger = danger.says_danger_now(_unlabelled(parsed.subject, body.new_text), account=True)
    if in_danger:
        danger.mark(session, contact, contact.channel)
    files = store_attachments(session, context.settings, contact, parsed.attachments)
    written.extend(files.stored)
    service.event(
        session,
        contact,
        "email_further_information",
        attachments=len(files.stored),
        attachments_refused=[r.reason for r in files.refused],
    )
    queue_reply(
        session,
        context.settings,
        contact,
        recipient=parsed.from_address,
        purpose="reply",
        body=added_body(context.settings, contact, len(files.refused), in_danger=in_danger),
        in_reply_to=parsed.message_id,
    )
    return _Outcome(contact, Status.UPDATED)


def _next_step(
    session: Session,
    context: WorkerContext,
    contact: Contact,
    state: FlowState,
    parsed: ParsedEmail,
    applied: Applied,
    files: StoreResult,
    *,
    first: bool,
    in_danger: bool,
) -> None:
    """Submit a complete referral; otherwise ask, by reply, for everything still missing."""
    settings = context.settings
    if is_complete(state):
        service.submit(session, contact, state)
        # Submission queues the acknowledgement (reference, what happens next); sent as a reply
        # in this thread, it is the "thank you, complete" the referrer needs. When the feedback
        # rules wrote none (they asked not to hear about the outcome) we still confirm the
        # reference to the address that wrote to us, unless they asked to stay anonymous.
        acknowledged = thread_acknowledgement(session, contact, parsed.message_id)
        bodies = [] if acknowledged else [complete_body(contact)]
        if in_danger:
            # The acknowledgement is the hub's usual wording: what to do now comes on its own.
            bodies.append(urgent_body(settings, contact))
        for body in bodies if not contact.referrer_anonymous else []:
            queue_reply(
                session,
                settings,
                contact,
                recipient=parsed.from_address,
                purpose="reply",
                body=body,
                in_reply_to=parsed.message_id,
            )
        return
    if (
        first
        and not in_danger
        and _referrals_from_sender_today(session, settings.secret_key, parsed.from_address)
        >= MAX_NEW_REFERRALS_ASKED_PER_DAY
    ):
        # An auto-responder that sets none of the usual headers, answering each of our question
        # emails with a new message, would otherwise start a new draft and a new email each
        # time, for ever. The draft is kept for an officer; only our questions stop.
        service.event(session, contact, "email_reply_limited", purpose="missing_info")
        log.warning("contact %s: new referrals from one sender today over the limit", contact.id)
        return
    asked = questions_to_ask(state)
    message = queue_reply(
        session,
        settings,
        contact,
        recipient=parsed.from_address,
        purpose="missing_info",
        body=missing_info_body(
            settings,
            contact,
            asked,
            applied.errors,
            len(files.refused),
            first=first,
            in_danger=in_danger,
        ),
        in_reply_to=parsed.message_id,
    )
    if message is not None:
        service.event(
            session, contact, QUESTIONS_SENT, keys=[a.key for a in asked], message_id=message.id
        )


def _check_danger(
    session: Session,
    contact: Contact,
    state: FlowState,
    applied: Applied,
    words: str,
    channel: str,
) -> bool:
    """Whether this email says a child is in danger now: answered yes to our question, or said
    in the sender's own words ("he is outside the school with a knife right now"). Either marks
    the referral at once, complete or not, as the text and phone lines do. An email that answers
    the question itself ("Immediate danger: No") is the referrer's considered answer, and the
    words around it ("he is scared to go home") do not overrule it; its risk indicators still
    make the rating red."""
    answered = applied.values.get("immediate_danger")
    if answered is True:
        danger.flag(session, contact, state, None, channel)
        return True
    if answered is None and danger.says_danger_now(words, account=True):
        danger.flag(session, contact, state, words[: danger.SAID_MAX_CHARS], channel)
        return True
    return False


def _unlabelled(subject: str, text: str) -> str:
    """The subject and free text of an email, less labelled fields: "Immediate danger: No" is an
    answer (read as one), not words about danger."""
    used = read_labelled(text).used_lines
    lines = [line for number, line in enumerate(text.split("\n")) if number not in used]
    return _referrers_words("\n".join([subject, *lines]), [])


def _referrers_words(text: str, asked: list[Asked]) -> str:
    """What the sender wrote, less our own words written back in it: "Is a child in immediate
    danger right now?" above their "No" is not them saying so. Compared with the spacing
    collapsed, so a question wrapped over two lines is still ours."""
    words = " ".join(text.split())
    for sentence in _our_sentences(tuple(item.prompt for item in asked)):
        words = re.sub(re.escape(sentence), " ", words, flags=re.IGNORECASE)
    return words


@lru_cache(maxsize=256)
def _our_sentences(prompts: tuple[str, ...]) -> tuple[str, ...]:
    ours = (*prompts, *(item.prompt for item in asked_again(["immediate_danger"])), DANGER_LINE)
    sentences = {s for text in ours for s in re.split(r"(?<=[?.!)])\s+", " ".join(text.split()))}
    # Longest first, so a sentence is taken whole before any shorter one inside it.
    return tuple(sorted((s for s in sentences if len(s) > 3), key=len, reverse=True))


def _referrals_from_sender_today(session: Session, secret: str, sender: str) -> int:
    """How many referrals this sender's emails of the last day went to, before this one: a
    safeguarding lead's replies about one referral count once."""
    prefix = f"{_digest(secret, 'sender', sender)}:"
    since = utcnow() - timedelta(days=1)
    return (
        session.scalar(
            select(func.count(func.distinct(InboundMessage.contact_id))).where(
                InboundMessage.external_id.startswith(prefix, autoescape=True),
                InboundMessage.received_at >= since,
            )
        )
        or 0
    )


def _questions_we_asked(
    session: Session, contact: Contact, replied_to: OutboundMessage | None
) -> list[Asked]:
    """The numbered questions of the email being answered (or of our latest one)."""
    events = session.scalars(
        select(ContactEvent)
        .where(ContactEvent.contact_id == contact.id, ContactEvent.step == QUESTIONS_SENT)
        .order_by(ContactEvent.id.desc())
    ).all()
    chosen = next(
        (
            e
            for e in events
            if replied_to is not None and e.detail.get("message_id") == replied_to.id
        ),
        events[0] if events else None,
    )
    return asked_again(list(chosen.detail.get("keys", []))) if chosen else []


def _record(session: Session, contact: Contact, applied: Applied, channel: str) -> None:
    for key, value in applied.values.items():
        service.record_answer(
            session,
            contact,
            key,
            applied.raw.get(key),
            value,
            channel,
            source=applied.sources.get(key, "referrer"),
        )


def _as_received(parsed: ParsedEmail) -> str:
    return f"Subject: {parsed.subject}\n\n{parsed.text}".strip()


def _append_text(contact: Contact, parsed: ParsedEmail) -> None:
    received = utcnow().strftime("%d %B %Y %H:%M UTC")
    addition = f"---------- Email received {received} ----------\n{_as_received(parsed)}"
    contact.raw_text = f"{contact.raw_text}\n\n{addition}" if contact.raw_text else addition
