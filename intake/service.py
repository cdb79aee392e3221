"""The intake service: drafts, answers and submission, the same for every channel.

Callers own the transaction (a request or a job commits); these functions only add and change
rows, so a submission and its outbox row are always committed together.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forms.flow import FlowState, is_complete
from forms.referral import PersonData, build_referral
from intake.models import (
    Answer,
    Contact,
    ContactEvent,
    ContactPerson,
    ContactStatus,
    OutboxJob,
    utcnow,
)
from intake.references import new_reference
from workers import relay
from workers.feedback import queue_acknowledgement

log = logging.getLogger(__name__)


class IncompleteReferral(ValueError):
    """Submission was attempted with required answers missing."""


def new_contact(
    session: Session, channel: str, *, origin_address: str | None = None, flush: bool = True
) -> Contact:
    """A draft contact with a fresh reference, flushed so its id is usable unless `flush=False`.

    A partner's referral is drafted and submitted in one request: not flushing lets the contact
    be inserted once, complete, rather than inserted as a draft and then updated. Unflushed, the
    reference is not looked up first either: the caller's commit fails on the rare clash, and
    `is_reference_clash` tells it to start again.
    """
    reference = new_reference()
    # 30^7 references: collisions are rare but certain over millions of contacts, so look first.
    while flush and session.scalar(select(Contact.id).where(Contact.reference == reference)):
        reference = new_reference()
    contact = Contact(
        reference=reference,
        channel=channel,
        status=ContactStatus.DRAFT,
        flow_state={},
        origin_address=origin_address,
        # Empty collections up front: a new contact has none, so never lazy-load them.
        people=[],
        answers=[],
        events=[],
    )
    session.add(contact)
    if flush:
        session.flush()
    event(session, contact, "draft_started", channel=channel)
    return contact


def is_reference_clash(exc: IntegrityError) -> bool:
    """Whether a failed commit was a new contact's reference already in use."""
    # The constraint is uq_contacts_reference on PostgreSQL; SQLite names contacts.reference.
    return "reference" in str(exc.orig)


def event(session: Session, contact: Contact, step: str, **detail: Any) -> ContactEvent:
    # Linked by the relationship, not the id, so an unflushed contact can have events too; a
    # backref append does not load the contact's other events.
    row = ContactEvent(contact=contact, step=step, at=utcnow(), detail=detail)
    session.add(row)
    return row


def record_answer(
    session: Session,
    contact: Contact,
    key: str,
    raw: Any,
    value: Any,
    channel: str,
    *,
    source: str = "referrer",
    confidence: float | None = None,
) -> None:
    """Keep every answer as given, with the channel it came from (append-only)."""
    record_answers(
        session, contact, [(key, raw, value)], channel, source=source, confidence=confidence
    )


def record_answers(
    session: Session,
    contact: Contact,
    answers: Iterable[tuple[str, Any, Any]],
    channel: str,
    *,
    source: str = "referrer",
    confidence: float | None = None,
) -> None:
    """Keep several answers, each `(question key, raw, parsed value)`, in one INSERT.

    A bulk insert, not ORM objects: nothing reads answers back in the transaction that writes
    them, and a partner's referral brings thirty at once.
    """
    now = utcnow()
    rows = [
        {
            "contact_id": contact.id,
            "question_key": key,
            "channel": channel,
            "raw": raw if isinstance(raw, str) or raw is None else json.dumps(raw, default=str),
            "value": json.dumps(value, default=str),
            "source": source,
            "confidence": confidence,
            "created_at": now,
        }
        for key, raw, value in answers
    ]
    if rows:
        session.execute(insert(Answer), rows)


def save_state(contact: Contact, state: FlowState) -> None:
    # A fresh dict so SQLAlchemy sees the JSON column change.
    contact.flow_state = json.loads(json.dumps(state.to_dict(), default=str))


def load_state(contact: Contact) -> FlowState:
    return FlowState.from_dict(contact.flow_state)


def submit(session: Session, contact: Contact, state: FlowState) -> OutboxJob:
    """Turn a complete conversation into a submitted contact and queue its processing.

    Returns the outbox row. The referrer's acknowledgement is written too. Once the caller
    commits, a web request queues both jobs at once (`relay.enqueue_committed`); otherwise the
    relay loop does within seconds.
    """
    if contact.status != ContactStatus.DRAFT:
        raise ValueError("only a draft can be submitted")
    if not is_complete(state):
        raise IncompleteReferral("required answers are missing")
    referral = build_referral(state)
    save_state(contact, state)
    contact.immediate_danger = referral.immediate_danger
    contact.referrer_type = referral.referrer_type
    contact.referrer_source = referral.referrer_source
    contact.referrer_anonymous = referral.anonymous
    contact.referrer_name = None if referral.anonymous else referral.referrer_name
    contact.referrer_role = referral.referrer_role
    contact.referrer_organisation = referral.referrer_organisation
    contact.referrer_phone = None if referral.anonymous else referral.referrer_phone
    contact.referrer_email = None if referral.anonymous else referral.referrer_email
    contact.feedback_by = referral.feedback_by
    contact.concern_description = referral.concern
    contact.concern_when = referral.concern_when
    contact.concern_how_known = referral.how_known
    contact.concern_fears = referral.fears
    contact.child_said = referral.child_said
    contact.home_concerns = list(referral.home_concerns)
    contact.consent_answer = referral.consent
    contact.consent_reason = referral.consent_reason
    contact.consent_reason_detail = referral.consent_reason_detail
    contact.other_agencies = referral.other_agencies
    contact.people.clear()
    for position, person in enumerate([*referral.children, *referral.household]):
        contact.people.append(_person_row(person, position))
    contact.status = ContactStatus.SUBMITTED
    contact.submitted_at = utcnow()
    event(
        session,
        contact,
        "submitted",
        channel=contact.channel,
        immediate_danger=bool(referral.immediate_danger),
    )
    # Only a draft is submitted, and a draft is never acknowledged: nothing to look up first.
    queue_acknowledgement(session, contact, first=True)
    if contact.id is None:  # the acknowledgement flushes, unless the referrer asked for none
        session.flush()
    row = relay.add(session, "process_contact", contact.id)
    log.info("contact %s submitted via %s", contact.id, contact.channel)
    return row


def _person_row(person: PersonData, position: int) -> ContactPerson:
    return ContactPerson(
        kind=person.kind,
        position=position,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        age_years=person.age_years,
        expected_date=person.expected_date,
        gender=person.gender,
        address=person.address,
        postcode=person.postcode,
        school=person.school,
        language=person.language,
        disability=person.disability,
        relationship_to_child=person.relationship,
    )


def find_by_reference(session: Session, reference: str) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.reference == reference))
