"""Storing proposed matches for people on a contact, and finding earlier contacts through them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

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
    existing = {
        match.person_record_id: match
        for match in session.scalars(
            select(PersonMatch).where(PersonMatch.contact_person_id == contact_person_id)
        )
    }
    wanted = {c.person_record_id: c for c in candidates if c.person_record_id is not None}
    kept: list[PersonMatch] = []
    for record_id, candidate in wanted.items():
        match = existing.get(record_id)
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
        record_id
        for record_id, match in existing.items()
        if record_id not in wanted and match.status == MatchStatus.PROPOSED
    ]
    if stale:
        session.execute(
            delete(PersonMatch).where(
                PersonMatch.contact_person_id == contact_person_id,
                PersonMatch.person_record_id.in_(stale),
            )
        )
    session.flush()
    return kept


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
    statement = select(PersonMatch).where(
        PersonMatch.person_record_id.in_(record_ids),
        or_(
            PersonMatch.status == MatchStatus.CONFIRMED,
            (PersonMatch.status == MatchStatus.PROPOSED) & (PersonMatch.band == MATCH),
        ),
    )
    excluded = sorted(set(exclude_contact_person_ids))
    if excluded:
        statement = statement.where(PersonMatch.contact_person_id.not_in(excluded))
    return list(session.scalars(statement.order_by(PersonMatch.id)))
