"""Storing proposed matches for people on a contact, and finding earlier contacts through them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from intake.models import Contact, ContactPerson
from intake.models.records import MatchStatus, PersonMatch
from workers.matching.candidates import Candidate
from workers.matching.scoring import MATCH


def save_matches(
    session: Session, contact_person_id: int, candidates: Sequence[Candidate]
) -> list[PersonMatch]:
    """Record the candidates as proposed matches for one person on a contact.

    Running it again with the same candidates changes nothing. An officer's decision
    (confirmed or rejected) is never overwritten; a proposal that is no longer a candidate
    (the index or the weights changed) is withdrawn.
    """
    existing = _existing(session, [contact_person_id])
    kept, stale = _merge(session, contact_person_id, existing, candidates)
    _withdraw(session, stale)
    session.flush()
    return kept


def save_contact_matches(
    session: Session,
    contact_person_ids: Sequence[int],
    found: Mapping[int, Sequence[Candidate]],
) -> list[PersonMatch]:
    """`save_matches` for every person on a contact at once, with one SELECT for all of them.

    `found` holds the candidates of the people who were looked up; the others' matches are left
    as they are. Nothing is flushed (the caller's commit writes the new rows), so the result is
    returned instead of read back: every match the contact's people now have, officers'
    decisions included, in id order with the new ones last, in the order they were proposed.
    """
    existing = _existing(session, contact_person_ids)
    stale: list[PersonMatch] = []
    added: list[PersonMatch] = []
    for contact_person_id, candidates in found.items():
        kept, withdrawn = _merge(session, contact_person_id, existing, candidates)
        added += [match for match in kept if match.id is None]
        stale += withdrawn
    _withdraw(session, stale)
    gone = {id(match) for match in stale}
    return [match for match in existing if id(match) not in gone] + added


def _existing(session: Session, contact_person_ids: Sequence[int]) -> list[PersonMatch]:
    if not contact_person_ids:
        return []
    return list(
        session.scalars(
            select(PersonMatch)
            .where(PersonMatch.contact_person_id.in_(contact_person_ids))
            .order_by(PersonMatch.id)
        )
    )


def _merge(
    session: Session,
    contact_person_id: int,
    existing: Sequence[PersonMatch],
    candidates: Sequence[Candidate],
) -> tuple[list[PersonMatch], list[PersonMatch]]:
    """Propose the candidates for one person: (the matches kept, the proposals withdrawn)."""
    held = {m.person_record_id: m for m in existing if m.contact_person_id == contact_person_id}
    wanted = {c.person_record_id: c for c in candidates if c.person_record_id is not None}
    kept: list[PersonMatch] = []
    for record_id, candidate in wanted.items():
        match = held.get(record_id)
        if match is None:
            match = PersonMatch(
                contact_person_id=contact_person_id,
                person_record_id=record_id,
                status=MatchStatus.PROPOSED,
            )
            session.add(match)
        if match.status == MatchStatus.PROPOSED:
            match.probability = round(candidate.probability, 6)
            match.band = candidate.band
            match.agreements = candidate.agreements()
        kept.append(match)
    stale = [
        match
        for record_id, match in held.items()
        if record_id not in wanted and match.status == MatchStatus.PROPOSED
    ]
    return kept, stale


def _withdraw(session: Session, stale: Sequence[PersonMatch]) -> None:
    if stale:
        session.execute(delete(PersonMatch).where(PersonMatch.id.in_([m.id for m in stale])))


def _counts_as_same_person(person_record_ids: Sequence[int]) -> ColumnElement[bool]:
    """Matches to these records confirmed by an officer, or proposed in the "match" band."""
    return PersonMatch.person_record_id.in_(person_record_ids) & or_(
        PersonMatch.status == MatchStatus.CONFIRMED,
        (PersonMatch.status == MatchStatus.PROPOSED) & (PersonMatch.band == MATCH),
    )


def earlier_matches(
    session: Session,
    person_record_ids: Iterable[int],
    exclude_contact_person_ids: Iterable[int] = (),
) -> list[PersonMatch]:
    """Other contact people matched to these records: confirmed by an officer, or proposed in the
    "match" band and not rejected. Their contacts are the earlier contacts about the same person.
    """
    record_ids = sorted(set(person_record_ids))
    if not record_ids:
        return []
    statement = select(PersonMatch).where(_counts_as_same_person(record_ids))
    excluded = sorted(set(exclude_contact_person_ids))
    if excluded:
        statement = statement.where(PersonMatch.contact_person_id.not_in(excluded))
    return list(session.scalars(statement.order_by(PersonMatch.id)))


@dataclass(frozen=True)
class ContactSeen:
    """A contact about someone matched to `person_record_id`, as the history shows it."""

    person_record_id: int
    contact_id: int
    reference: str
    submitted_at: datetime | None
    categories: list[Any]
    rating: str | None  # the officer's, else the provisional one
    outcome: str | None
    restricted: bool


def contacts_through_matches(
    session: Session,
    person_record_ids: Iterable[int],
    exclude_contact_person_ids: Iterable[int] = (),
) -> list[ContactSeen]:
    """The contacts of `earlier_matches`, one per match in the same order, in one query.

    Only the columns the history shows are read: loading each contact (and its person) through
    the matches took two queries per earlier contact and decrypted every free-text column.
    """
    record_ids = sorted(set(person_record_ids))
    if not record_ids:
        return []
    statement = (
        select(
            PersonMatch.person_record_id,
            Contact.id,
            Contact.reference,
            Contact.submitted_at,
            Contact.categories,
            Contact.final_rating,
            Contact.provisional_rating,
            Contact.outcome,
            Contact.restricted,
        )
        .join(ContactPerson, PersonMatch.contact_person_id == ContactPerson.id)
        .join(Contact, ContactPerson.contact_id == Contact.id)
        .where(_counts_as_same_person(record_ids))
    )
    excluded = sorted(set(exclude_contact_person_ids))
    if excluded:
        statement = statement.where(PersonMatch.contact_person_id.not_in(excluded))
    return [
        ContactSeen(
            person_record_id=row.person_record_id,
            contact_id=row.id,
            reference=row.reference,
            submitted_at=row.submitted_at,
            categories=row.categories,
            rating=row.final_rating or row.provisional_rating,
            outcome=row.outcome,
            restricted=row.restricted,
        )
        for row in session.execute(statement.order_by(PersonMatch.id))
    ]
