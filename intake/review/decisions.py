"""What an officer decides about a contact: its rating, its outcome, who has it, its matches.

Each function checks the request, changes the contact, and writes the contact event and audit
row in the caller's session; the view commits. Problems come back as field errors in plain
English, never as exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from intake import service
from intake.models import Contact, ContactStatus, OutboundMessage, User, utcnow
from intake.models.records import PersonMatch
from intake.review import audit, matches
from intake.review.audit import Action
from intake.review.permissions import Permission, has_permission
from intake.review.timeliness import deadline_for
from intake.review.vocabulary import OUTCOME_LABELS, RATINGS_BY_URGENCY, rating_label
from workers import feedback

NOTE_MAX = 5000
NOT_OPEN = "This contact has already been decided, so it cannot be changed here."


@dataclass(frozen=True)
class Actor:
    """Who is acting and from where, for the audit trail."""

    user: User
    ip: str | None


def set_rating(
    session: Session, contact: Contact, actor: Actor, rating: str, reason: str
) -> dict[str, str]:
    """Confirm the provisional rating, or change it with a written reason. Both are kept."""
    if contact.status != ContactStatus.AWAITING_REVIEW:
        return {"decision": NOT_OPEN}
    if rating not in RATINGS_BY_URGENCY:
        return {"rating": "Choose a rating"}
    reason = reason.strip()
    changed = rating != contact.provisional_rating
    if changed and not reason:
        return {
            "reason": f"Explain why you are changing the rating from "
            f"{rating_label(contact.provisional_rating)} to {rating_label(rating)}"
        }
    if len(reason) > NOTE_MAX:
        return {"reason": f"The reason must be {NOTE_MAX} characters or fewer"}
    previous = contact.final_rating
    contact.final_rating = rating
    contact.rating_change_reason = reason if changed else None
    _bring_deadline_forward(contact, rating)
    action = Action.RATING_CHANGED if changed else Action.RATING_CONFIRMED
    service.event(
        session, contact, str(action), provisional=contact.provisional_rating, final=rating
    )
    audit.record(
        session,
        action,
        actor.user,
        "contact",
        contact.reference,
        actor.ip,
        provisional=contact.provisional_rating,
        previous=previous,
        final=rating,
    )
    return {}


def _bring_deadline_forward(contact: Contact, rating: str) -> None:
    """An escalated contact is due by the new rating's deadline if that is sooner.

    A de-escalation never moves the deadline later: the time allowed was set when the contact
    arrived, and timeliness is reported against it.
    """
    if contact.submitted_at is None:
        return
    sooner = deadline_for(rating, contact.submitted_at)
    if contact.deadline is None or sooner < contact.deadline:
        contact.deadline = sooner


def record_outcome(
    session: Session, contact: Contact, actor: Actor, outcome: str, note: str
) -> tuple[dict[str, str], list[OutboundMessage]]:
    """Record what happens next: the contact is decided and the referrer's message written.

    Returns the field errors, or the messages to the referrer whose send jobs the caller
    enqueues once it has committed.
    """
    if contact.status != ContactStatus.AWAITING_REVIEW:
        return {"decision": NOT_OPEN}, []
    if contact.final_rating is None:
        # The outcome form is not on the page until then: the link goes to the rating's.
        return {"rating": "Confirm or change the rating before you record the outcome"}, []
    errors: dict[str, str] = {}
    if outcome not in OUTCOME_LABELS:
        errors["outcome"] = "Choose the outcome"
    note = note.strip()
    if not note:
        errors["note"] = "Write a note about the decision"
    elif len(note) > NOTE_MAX:
        errors["note"] = f"The note must be {NOTE_MAX} characters or fewer"
    if errors:
        return errors, []
    now = utcnow()
    contact.outcome = outcome
    contact.outcome_note = note
    contact.status = ContactStatus.DECIDED
    contact.decided_at = now
    contact.decided_by_id = actor.user.id
    on_time = contact.deadline is None or now <= contact.deadline
    service.event(session, contact, "decided", outcome=outcome, on_time=on_time)
    audit.record(
        session,
        Action.OUTCOME_RECORDED,
        actor.user,
        "contact",
        contact.reference,
        actor.ip,
        outcome=outcome,
        rating=contact.final_rating,
        on_time=on_time,
    )
    session.flush()
    # The feedback rules decide whether and how the referrer is told (anonymous: never).
    return {}, feedback.queue_outcome(session, contact)


def assign(
    session: Session, contact: Contact, actor: Actor, assignee: User | None
) -> dict[str, str]:
    """Give the contact to a colleague (or to no one)."""
    if contact.status in (ContactStatus.DECIDED, ContactStatus.CLOSED):
        return {"assignee": "The outcome of this contact is recorded: there is nothing to assign"}
    if assignee is not None and not has_permission(assignee, Permission.WORK_CONTACTS):
        return {"assignee": "Choose a colleague who works on contacts"}
    if assignee is not None and contact.restricted and not assignee.can_see_restricted:
        # They could not open it: a restricted contact given to them would wait unseen.
        return {
            "assignee": "This contact is restricted: choose a colleague with access to "
            "restricted records"
        }
    previous = contact.assigned_to_id
    contact.assigned_to_id = assignee.id if assignee else None
    service.event(session, contact, "assigned", to=contact.assigned_to_id)
    audit.record(
        session,
        Action.CONTACT_ASSIGNED,
        actor.user,
        "contact",
        contact.reference,
        actor.ip,
        previous=previous,
        assigned_to=contact.assigned_to_id,
    )
    return {}


def decide_match(
    session: Session, contact: Contact, actor: Actor, match: PersonMatch, confirmed: bool
) -> dict[str, str]:
    if contact.status != ContactStatus.AWAITING_REVIEW:
        return {"decision": NOT_OPEN}
    if match.person_record.restricted and not actor.user.can_see_restricted:
        return {
            f"match-{match.id}": "Only staff with access to restricted records can decide this match"
        }
    matches.decide(match, confirmed, actor.user)
    action = Action.MATCH_CONFIRMED if confirmed else Action.MATCH_REJECTED
    service.event(session, contact, str(action), match=match.id)
    audit.record(
        session,
        action,
        actor.user,
        "contact",
        contact.reference,
        actor.ip,
        match=match.id,
        person_record=match.person_record_id,
    )
    return {}
