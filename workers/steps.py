"""The steps of `process_contact`, in order. Each reads and writes the contact it is given.

Every step is deterministic for a given contact and database, so running the pipeline again
gives the same result; the pipeline only runs once per contact anyway (see `pipeline`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

import nlp
from intake.config import Settings
from intake.models import Contact, ContactPerson, utcnow
from intake.models.records import MatchStatus, PersonMatch, PersonRecord
from workers.context import get_context
from workers.matching import Bands, query_from_contact_person
from workers.matching.family import household_of
from workers.matching.history import earlier_matches, save_matches
from workers.matching.index import find_candidates
from workers.matching.scoring import default_weights
from workers.rating import (
    ChildFacts,
    MatchedRecord,
    RatingInput,
    RuleSet,
    Timescales,
    WorkingCalendar,
    hub_timescales,
    load_rules,
    rate,
    split_mentions,
)
from workers.rating.vocabulary import ConsentAnswer


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Session, Contact], None]


# Free-text answers read by the NLP, besides the description (whose mentions are highlighted).
SECONDARY_TEXT = ("child_said", "concern_fears", "concern_when")


def extract_concern(session: Session, contact: Contact) -> None:
    """Categories, risk indicators and their evidence from everything the referrer wrote."""
    primary = nlp.extract(contact.concern_description or "")
    categories = list(primary.categories)
    risks = list(primary.risk_indicators)
    stored: dict[str, Any] = primary.to_dict()
    others: dict[str, Any] = {}
    for field in SECONDARY_TEXT:
        text = getattr(contact, field)
        if not text:
            continue
        found = nlp.extract(text)
        others[field] = found.to_dict()
        categories += [c for c in found.categories if c not in categories]
        risks += [r for r in found.risk_indicators if r not in risks]
    stored["other_fields"] = others
    contact.extraction = stored
    contact.categories = categories
    contact.risk_indicators = risks


def match_people(session: Session, contact: Contact) -> None:
    """Propose existing person records for each child and adult on the contact."""
    settings = get_context().settings
    bands = Bands(match=settings.match_threshold, possible=settings.possible_threshold)
    as_of = contact.submitted_at.date() if contact.submitted_at else None
    for person in contact.people:
        if not (person.given_name or person.family_name):
            continue  # nothing to look a person up by; the officer researches by hand
        candidates = find_candidates(session, query_from_contact_person(person, as_of=as_of), bands)
        save_matches(session, person.id, candidates)


def _live_matches(session: Session, people: list[ContactPerson]) -> list[PersonMatch]:
    if not people:
        return []
    return list(
        session.scalars(
            select(PersonMatch).where(
                PersonMatch.contact_person_id.in_([p.id for p in people]),
                PersonMatch.status != MatchStatus.REJECTED,
            )
        )
    )


def find_history(session: Session, contact: Contact) -> None:
    """Earlier contacts about these children and their family, and whether they form a pattern."""
    settings = get_context().settings
    assert contact.submitted_at is not None
    received: datetime = contact.submitted_at
    matches = _live_matches(session, contact.people)
    record_ids = {m.person_record_id for m in matches}
    family = [r for r in household_of(session, record_ids) if r.id not in record_ids]
    own_people = [p.id for p in contact.people]
    earlier_self = earlier_matches(session, record_ids, exclude_contact_person_ids=own_people)
    earlier_family = earlier_matches(
        session, [r.id for r in family], exclude_contact_person_ids=own_people
    )

    def earlier_contacts(found: list[PersonMatch]) -> list[Contact]:
        seen: dict[int, Contact] = {}
        for match in found:
            other = match.contact_person.contact
            if other.id != contact.id and other.submitted_at and other.submitted_at < received:
                seen[other.id] = other
        return sorted(seen.values(), key=lambda c: c.submitted_at or received)

    earlier = earlier_contacts(earlier_self)
    year_ago = received - timedelta(days=365)
    in_year = [c for c in earlier if c.submitted_at and c.submitted_at >= year_ago]
    contacts_12m = 1 + len(in_year)
    contact.history = {
        "contacts_12m": contacts_12m,
        "repeat_threshold": settings.repeat_threshold,
        "repeat_pattern": contacts_12m >= settings.repeat_threshold,
        "earlier_contacts": [_contact_summary(c) for c in earlier],
        "family_earlier_contacts": [_contact_summary(c) for c in earlier_contacts(earlier_family)],
        # Restricted family records show only that they exist.
        "family": [_family_member(r) for r in family],
        "categories_over_time": [
            {"reference": c.reference, "submitted_at": _iso(c), "categories": c.categories}
            for c in [*in_year, contact]
        ],
    }


def _iso(contact: Contact) -> str | None:
    return contact.submitted_at.isoformat() if contact.submitted_at else None


def _contact_summary(contact: Contact) -> dict[str, Any]:
    return {
        "reference": contact.reference,
        "submitted_at": _iso(contact),
        "categories": contact.categories,
        "rating": contact.final_rating or contact.provisional_rating,
        "outcome": contact.outcome,
        "restricted": contact.restricted,
    }


def _family_member(record: PersonRecord) -> dict[str, Any]:
    if record.restricted:
        return {"person_record_id": record.id, "restricted": True}
    return {
        "person_record_id": record.id,
        "restricted": False,
        "source": record.source,
        "given_name": record.given_name,
        "family_name": record.family_name,
        "date_of_birth": record.date_of_birth.isoformat() if record.date_of_birth else None,
        "flags": record.flags,
    }


def _all_mentions(contact: Contact) -> list[dict[str, Any]]:
    extraction = contact.extraction or {}
    mentions = list(extraction.get("mentions", []))
    for other in extraction.get("other_fields", {}).values():
        mentions += other.get("mentions", [])
    return mentions


def _matched_records(session: Session, contact_person_id: int) -> tuple[MatchedRecord, ...]:
    rows = session.execute(
        select(PersonMatch, PersonRecord)
        .join(PersonRecord, PersonMatch.person_record_id == PersonRecord.id)
        .where(
            PersonMatch.contact_person_id == contact_person_id,
            PersonMatch.status != MatchStatus.REJECTED,
        )
    ).all()
    records = []
    for match, record in rows:
        flags = set(record.flags or [])
        records.append(
            MatchedRecord(
                record_id=str(record.id),
                probability=match.probability,
                cp_plan="cp_plan" in flags,
                cin="cin" in flags,
                lac="lac" in flags,
                open_case=bool(record.open_case_ref),
                restricted=record.restricted,
            )
        )
    return tuple(records)


@lru_cache(maxsize=4)
def _rules(path: str) -> RuleSet:
    return load_rules(path or None)


@lru_cache(maxsize=1)
def _calendar() -> WorkingCalendar:
    return WorkingCalendar.england_and_wales()


def warm_up(settings: Settings) -> None:
    """Build the per-process caches now (a worker calls this before it forks)."""
    _rules(settings.rating_rules_path)
    _calendar()
    default_weights()
    hub_timescales(settings.timescales_path)


def rating_input(session: Session, contact: Contact, repeat_threshold: int) -> RatingInput:
    categories, risks = split_mentions(_all_mentions(contact))
    children = tuple(
        ChildFacts(
            ref=str(child.id),
            date_of_birth=child.date_of_birth,
            age_years=child.age_years,
            unborn=child.unborn,
            matched_records=_matched_records(session, child.id),
        )
        for child in contact.children
    )
    repeats = int((contact.history or {}).get("contacts_12m", 1))
    consent = (
        contact.consent_answer
        if contact.consent_answer in ("yes", "no", "not_asked")
        else "not_asked"
    )
    assert contact.submitted_at is not None
    return RatingInput(
        received_at=contact.submitted_at,
        immediate_danger=contact.immediate_danger,
        risk_indicators=risks,
        categories=categories,
        children=children,
        consent_answer=cast(ConsentAnswer, consent),
        consent_reason=contact.consent_reason,
        repeat_contacts_12m=repeats,
        repeat_threshold_reached=repeats >= repeat_threshold,
        has_concern_text=bool(contact.concern_description),
    )


def rate_contact(session: Session, contact: Contact, timescales: Timescales | None = None) -> None:
    settings = get_context().settings
    timescales = timescales or hub_timescales(settings.timescales_path)
    result = rate(
        rating_input(session, contact, settings.repeat_threshold),
        _rules(settings.rating_rules_path),
        timescales,
        _calendar(),
    )
    stored = result.to_dict()
    contact.provisional_rating = result.rating
    contact.rating_reasons = stored["reasons"]
    contact.rating_rules_version = result.rules_version
    contact.deadline = result.deadline
    contact.rated_at = utcnow()


STEPS: tuple[Step, ...] = (
    Step("nlp", extract_concern),
    Step("matched", match_people),
    Step("history", find_history),
    Step("rated", rate_contact),
)
