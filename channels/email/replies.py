"""The emails we write back to an email referrer, queued in the outbox for the send job.

Each reply is an `OutboundMessage` (transport "email") plus an outbox row for
`workers.feedback.send_message`, added to the caller's transaction. Its Message-ID is fixed here,
before sending, so the referrer's reply can be matched to the contact by In-Reply-To whenever it
comes. Replies carry the reference and our questions, never the child's details.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from channels.danger import duty_line
from channels.email.automated import own_domain
from channels.email.questions import Asked
from channels.web import resume
from intake.config import Settings
from intake.models import Contact, MessageStatus, OutboundMessage, utcnow
from intake.service import event
from workers import relay

log = logging.getLogger(__name__)

SEND_JOB = "send_message"
# However the other side behaves (an auto-responder without the usual headers answering each of
# our replies), one contact never gets more than this many emails from us in a day.
MAX_REPLIES_PER_DAY = 8
# And one sender's new emails get our questions this many times a day; after that their drafts
# wait for an officer. A school's safeguarding lead sends a few referrals a day, not dozens.
MAX_NEW_REFERRALS_ASKED_PER_DAY = 12

DANGER_LINE = (
    "If a child is in immediate danger, call 999 now. Do not wait for a reply to this email."
)
FOOTER = (
    "Please keep the reference in the subject line if you write to us about this referral. "
    "Do not put the child's name in the subject line."
)


def new_message_id(settings: Settings) -> str:
    # The "fd." prefix marks mail we wrote, so it is recognised if it ever comes back to us.
    return f"<fd.{int(time.time())}.{secrets.token_hex(10)}@{own_domain(settings) or 'localhost'}>"


def resume_url(settings: Settings, contact: Contact) -> str:
    """The web form's own "carry on" link for this draft, made by the web form's token code."""
    token = resume.make_token(settings.secret_key, contact)
    return f"{settings.base_url.rstrip('/')}/refer/resume/{token}"


def missing_info_body(
    settings: Settings,
    contact: Contact,
    asked: list[Asked],
    problems: dict[str, str],
    refused_attachments: int,
    *,
    first: bool,
    in_danger: bool = False,
) -> str:
    opening = (
        f"Thank you for your referral to the MASH. Your reference is {contact.reference}."
        if first
        else f"Thank you for your reply about referral {contact.reference}."
    )
    lines = [opening, "", urgent_lines(settings) if in_danger else DANGER_LINE, ""]
    if refused_attachments:
        lines += [_refused_line(refused_attachments), ""]
    lines += [
        "Before a contact officer can look at it, we need a few more details. Please reply to "
        "this email with your answers, keeping the number of each question:",
        "",
    ]
    for number, item in enumerate(asked, start=1):
        lines.append(f"{number}. {item.prompt}")
        if item.key in problems:
            lines.append(f"   (We could not use the answer you gave: {problems[item.key]}.)")
    days = settings.resume_token_max_age_days
    lines += [
        "",
        f"Or, if you prefer, finish the referral on our website. This link works for {days} days:",
        resume_url(settings, contact),
        "",
        FOOTER,
    ]
    return "\n".join(lines)


def urgent_lines(settings: Settings, *, marked: bool = True) -> str:
    """For a sender who said a child is in danger now: what to do first, before any question.
    An email is read by a person later; only a call reaches someone at once."""
    return (
        "You told us a child may be in danger right now. If so, call 999 now. Do not wait for "
        "a reply to this email."
        + duty_line(settings.duty_phone_number)
        + (" We have marked your referral as urgent." if marked else "")
    )


def urgent_body(settings: Settings, contact: Contact) -> str:
    """For a complete referral that says a child is in danger now: what to do, at once."""
    return "\n".join(
        [
            f"Your referral {contact.reference} is complete.",
            "",
            urgent_lines(settings),
            "",
            FOOTER,
        ]
    )


def added_body(
    settings: Settings, contact: Contact, refused_attachments: int, *, in_danger: bool = False
) -> str:
    lines = [
        f"Thank you. We have added your email to referral {contact.reference}, and the contact "
        "officer looking at it will see it.",
        "",
        urgent_lines(settings, marked=False) if in_danger else DANGER_LINE,
    ]
    if refused_attachments:
        lines += ["", _refused_line(refused_attachments)]
    return "\n".join([*lines, "", FOOTER])


def complete_body(contact: Contact) -> str:
    return "\n".join(
        [
            f"Thank you, your referral {contact.reference} is now complete.",
            "",
            "A MASH contact officer will look at it and decide what happens next.",
            "",
            DANGER_LINE,
            "",
            FOOTER,
        ]
    )


def _refused_line(count: int) -> str:
    files = "1 attachment" if count == 1 else f"{count} attachments"
    return (
        f"We could not accept {files}. We accept PDF, Word (DOC, DOCX), ODT, RTF and text "
        "documents and JPG, PNG or HEIC photos, up to 8 MB each."
    )


def reply_subject(contact: Contact, purpose: str) -> str:
    if purpose == "missing_info":
        return f"Referral {contact.reference}: we need a few more details"
    return f"Referral {contact.reference}"


def queue_reply(
    session: Session,
    settings: Settings,
    contact: Contact,
    *,
    recipient: str,
    purpose: str,
    body: str,
    in_reply_to: str | None,
) -> OutboundMessage | None:
    """Add the reply and its send job to the session; None if the day's limit is reached."""
    if _sent_today(session, contact.id) >= MAX_REPLIES_PER_DAY:
        event(session, contact, "email_reply_limited", purpose=purpose)
        log.warning("contact %s: email reply limit reached, %s not written", contact.id, purpose)
        return None
    message = OutboundMessage(
        contact_id=contact.id,
        purpose=purpose,
        transport="email",
        attempt_group=_next_attempt_group(session, contact.id, purpose),
        recipient=recipient,
        subject=reply_subject(contact, purpose),
        body=body,
        status=MessageStatus.PENDING,
        message_id=new_message_id(settings),
        in_reply_to=in_reply_to,
    )
    session.add(message)
    session.flush()
    relay.add(session, SEND_JOB, message.id)
    event(
        session,
        contact,
        "message_queued",
        purpose=purpose,
        transport="email",
        message_id=message.id,
    )
    return message


def _sent_today(session: Session, contact_id: int) -> int:
    since = utcnow() - timedelta(days=1)
    return (
        session.scalar(
            select(func.count(OutboundMessage.id)).where(
                OutboundMessage.contact_id == contact_id,
                OutboundMessage.transport == "email",
                OutboundMessage.created_at >= since,
            )
        )
        or 0
    )


def _next_attempt_group(session: Session, contact_id: int, purpose: str) -> int:
    highest = session.scalar(
        select(func.max(OutboundMessage.attempt_group)).where(
            OutboundMessage.contact_id == contact_id,
            OutboundMessage.purpose == purpose,
            OutboundMessage.transport == "email",
        )
    )
    return 0 if highest is None else highest + 1


def thread_acknowledgement(session: Session, contact: Contact, in_reply_to: str | None) -> bool:
    """Make the acknowledgement that submission queued a reply in the referrer's thread.

    Returns whether there was one by email, so the caller knows the referrer will hear back.
    """
    message = session.scalar(
        select(OutboundMessage)
        .where(
            OutboundMessage.contact_id == contact.id,
            OutboundMessage.purpose == "acknowledgement",
            OutboundMessage.transport == "email",
        )
        .order_by(OutboundMessage.id.desc())
    )
    if message is None:
        return False
    if message.status == MessageStatus.PENDING and message.in_reply_to is None:
        message.in_reply_to = in_reply_to
    return True
