"""Candidate person records for the people on a contact, as an officer sees and decides them.

A restricted record is shown to staff without restricted access only as "a restricted record
exists": not its id, details, flags or which fields agreed (that too says something about it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from intake.models import ContactPerson, User, utcnow
from intake.models.records import MatchStatus, PersonMatch, PersonRecord

AGREEING_LEVELS = frozenset({"exact", "close", "partial"})

FIELD_LABELS = {
    "given_name": "First name",
    "family_name": "Last name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "gender": "Sex",
    "postcode": "Postcode",
    "address": "Address",
    "phone": "Phone",
    "nhs_number": "NHS number",
    "other_names": "Other names",
}


@dataclass(frozen=True)
class FieldAgreement:
    field: str
    level: str
    note: str | None

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field.replace("_", " ").capitalize())

    @property
    def agreed(self) -> bool:
        return self.level in AGREEING_LEVELS

    @property
    def disagreed(self) -> bool:
        return self.level == "disagree"


@dataclass(frozen=True)
class MatchView:
    match: PersonMatch
    hidden: bool  # restricted and this user may not see it

    @property
    def record(self) -> PersonRecord | None:
        return None if self.hidden else self.match.person_record

    @property
    def fields(self) -> list[FieldAgreement]:
        if self.hidden:
            return []
        return [_field(item) for item in self.match.agreements if isinstance(item, dict)]

    @property
    def agreed(self) -> list[FieldAgreement]:
        return [f for f in self.fields if f.agreed]

    @property
    def disagreed(self) -> list[FieldAgreement]:
        return [f for f in self.fields if f.disagreed]

    @property
    def percent(self) -> int:
        return round(self.match.probability * 100)


def _field(item: dict[str, Any]) -> FieldAgreement:
    level = str(item.get("level", "missing"))
    weight = item.get("weight")
    # A comparison that counted against the match is a disagreement whatever its level says.
    if level != "missing" and isinstance(weight, int | float) and weight < 0:
        level = "disagree"
    note = item.get("note")
    return FieldAgreement(
        field=str(item.get("field", "")), level=level, note=str(note) if note else None
    )


@dataclass(frozen=True)
class PersonMatches:
    person: ContactPerson
    matches: list[MatchView]


def for_contact(
    session: Session, people: Sequence[ContactPerson], user: User
) -> list[PersonMatches]:
    ids = [p.id for p in people]
    if not ids:
        return []
    rows = session.scalars(
        select(PersonMatch)
        .options(joinedload(PersonMatch.person_record))
        .where(PersonMatch.contact_person_id.in_(ids))
        .order_by(PersonMatch.contact_person_id, PersonMatch.probability.desc())
    ).all()
    by_person: dict[int, list[MatchView]] = {i: [] for i in ids}
    for row in rows:
        hidden = row.person_record.restricted and not user.can_see_restricted
        by_person[row.contact_person_id].append(MatchView(match=row, hidden=hidden))
    return [PersonMatches(person=p, matches=by_person[p.id]) for p in people]


def proposed_counts(session: Session, contact_ids: Sequence[int]) -> dict[int, int]:
    """How many proposed matches wait for an officer, per contact."""
    if not contact_ids:
        return {}
    rows = session.execute(
        select(ContactPerson.contact_id, func.count(PersonMatch.id))
        .join(PersonMatch, PersonMatch.contact_person_id == ContactPerson.id)
        .where(
            ContactPerson.contact_id.in_(contact_ids),
            PersonMatch.status == MatchStatus.PROPOSED,
        )
        .group_by(ContactPerson.contact_id)
    )
    return {contact_id: count for contact_id, count in rows}


def find(session: Session, contact_id: int, match_id: int) -> PersonMatch | None:
    """A match on this contact (never one of another contact's, whatever id is posted)."""
    return session.scalar(
        select(PersonMatch)
        .join(ContactPerson, ContactPerson.id == PersonMatch.contact_person_id)
        .options(joinedload(PersonMatch.person_record))
        .where(PersonMatch.id == match_id, ContactPerson.contact_id == contact_id)
    )


def decide(match: PersonMatch, confirmed: bool, user: User) -> None:
    match.status = MatchStatus.CONFIRMED if confirmed else MatchStatus.REJECTED
    match.decided_by_id = user.id
    match.decided_at = utcnow()
