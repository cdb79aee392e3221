"""The steps of `process_contact`, in order. Each reads and writes the contact of the run it is given.

Every step is deterministic for a given contact and database, so running the pipeline again
gives the same result; the pipeline only runs once per contact anyway (see `pipeline`).

A step hands what a later step needs on through the `PipelineRun` instead of reading back what
it wrote: the pipeline writes everything in one flush when it commits, so no query in the steps
needs the rows still in memory, and none is made twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

import nlp
from intake.config import Settings
from intake.models import Contact, utcnow
from intake.models.records import MatchStatus, PersonMatch, PersonRecord
from workers.matching import Bands, Candidate, query_from_contact_person
from workers.matching.family import household_of
from workers.matching.history import ContactSeen, contacts_through_matches, save_contact_matches
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
from workers.rating.information_request import asks_for_information
from workers.rating.vocabulary import ConsentAnswer


@dataclass(frozen=True)
class LiveMatch:
    """A match of a person on the contact that no officer has rejected, with the record's facts
    the rating reads."""

    contact_person_id: int
    person_record_id: int
    probability: float
    flags: frozenset[str]
    open_case: bool
    restricted: bool

    def matched_record(self) -> MatchedRecord:
        return MatchedRecord(
            record_id=str(self.person_record_id),
            probability=self.probability,
            cp_plan="cp_plan" in self.flags,
            cin="cin" in self.flags,
            lac="lac" in self.flags,
            open_case=self.open_case,
            restricted=self.restricted,
        )


@dataclass
class PipelineRun:
    """One contact going through the steps, and what the steps found that later ones use."""

    session: Session
    contact: Contact
    settings: Settings
    # Set by `match_people`, read by `find_history` and `rate_contact`.
    matches: list[LiveMatch] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[PipelineRun], None]


# Free-text answers read by the NLP, besides the description (whose mentions are highlighted).
SECONDARY_TEXT = ("child_said", "concern_fears", "concern_when")


def extract_concern(run: PipelineRun) -> None:
    """Categories, risk indicators and their evidence from everything the referrer wrote."""
    contact = run.contact
    primary = nlp.extract(contact.concern_description or "")
    categories = list(primary.categories)
    risks = list(primary.risk_indicators)
    stored: dict[str, Any] = primary.to_dict()
    others: dict[str, Any] = {}
    for name in SECONDARY_TEXT:
        text = getattr(contact, name)
        if not text:
            continue
        found = nlp.extract(text)
        others[name] = found.to_dict()
        categories += [c for c in found.categories if c not in categories]
        risks += [r for r in found.risk_indicators if r not in risks]
    stored["other_fields"] = others
    contact.extraction = stored
    contact.categories = categories
    contact.risk_indicators = risks


def match_people(run: PipelineRun) -> None:
    """Propose existing person records for each child and adult on the contact."""
    contact, settings = run.contact, run.settings
    bands = Bands(match=settings.match_threshold, possible=settings.possible_threshold)
    as_of = contact.submitted_at.date() if contact.submitted_at else None
    found: dict[int, list[Candidate]] = {}
    for person in contact.people:
        if not (person.given_name or person.family_name):
            continue  # nothing to look a person up by; the officer researches by hand
        found[person.id] = find_candidates(
            run.session, query_from_contact_person(person, as_of=as_of), bands
        )
    matches = save_contact_matches(run.session, [p.id for p in contact.people], found)
    run.matches = _live_matches(run.session, matches, found)


def _live_matches(
    session: Session, matches: Sequence[PersonMatch], found: dict[int, list[Candidate]]
) -> list[LiveMatch]:
    """The matches not rejected, with their records' facts: from the candidate that proposed
    the match, which was read from the record in this transaction, or else (a decision an
    officer made on an earlier run) from the record itself."""
    live = [m for m in matches if m.status != MatchStatus.REJECTED]
    proposed = {
        c.person_record_id: c for cs in found.values() for c in cs if c.person_record_id is not None
    }
    unread = {m.person_record_id for m in live} - proposed.keys()
    records: dict[int, PersonRecord] = {}
    if unread:
        records = {
            r.id: r
            for r in session.scalars(select(PersonRecord).where(PersonRecord.id.in_(unread)))
        }
    result = []
    for match in live:
        candidate = proposed.get(match.person_record_id)
        if candidate is not None:
            flags, open_case_ref = frozenset(candidate.flags), candidate.open_case_ref
            restricted = candidate.restricted
        else:
            record = records[match.person_record_id]
            flags, open_case_ref = frozenset(record.flags or ()), record.open_case_ref
            restricted = record.restricted
        result.append(
            LiveMatch(
                contact_person_id=match.contact_person_id,
                person_record_id=match.person_record_id,
                probability=match.probability,
                flags=flags,
                open_case=bool(open_case_ref),
                restricted=restricted,
            )
        )
    return result


def find_history(run: PipelineRun) -> None:
    """Earlier contacts about these children and their family, and whether they form a pattern."""
    session, contact, settings = run.session, run.contact, run.settings
    assert contact.submitted_at is not None
    received: datetime = contact.submitted_at
    record_ids = {m.person_record_id for m in run.matches}
    family = [r for r in household_of(session, record_ids) if r.id not in record_ids]
    # One query for the contacts through the child's records and through the family's: a
    # family record is never one of the child's, so each row belongs to one side.
    seen = contacts_through_matches(
        session,
        record_ids | {r.id for r in family},
        exclude_contact_person_ids=[p.id for p in contact.people],
    )
    earlier_self = [c for c in seen if c.person_record_id in record_ids]
    earlier_family = [c for c in seen if c.person_record_id not in record_ids]

    def earlier_contacts(found: list[ContactSeen]) -> list[ContactSeen]:
        unique: dict[int, ContactSeen] = {}
        for other in found:
            if (
                other.contact_id != contact.id
                and other.submitted_at
                and other.submitted_at < received
            ):
                unique[other.contact_id] = other
        return sorted(unique.values(), key=lambda c: c.submitted_at or received)

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
            *(
                _categories_at(c.reference, c.submitted_at, c.categories, c.restricted)
                for c in in_year
            ),
            _categories_at(
                contact.reference, contact.submitted_at, contact.categories, contact.restricted
            ),
        ],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _categories_at(
    reference: str, submitted_at: datetime | None, categories: list[Any], restricted: bool
) -> dict[str, Any]:
    return {
        "reference": reference,
        "submitted_at": _iso(submitted_at),
        "categories": categories,
        "restricted": restricted,
    }


def _contact_summary(contact: ContactSeen) -> dict[str, Any]:
    return {
        "reference": contact.reference,
        "submitted_at": _iso(contact.submitted_at),
        "categories": contact.categories,
        "rating": contact.rating,
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


def rating_input(
    contact: Contact, matches: Sequence[LiveMatch], repeat_threshold: int
) -> RatingInput:
    categories, risks = split_mentions(_all_mentions(contact))
    children = tuple(
        ChildFacts(
            ref=str(child.id),
            date_of_birth=child.date_of_birth,
            age_years=child.age_years,
            unborn=child.unborn,
            matched_records=tuple(
                m.matched_record() for m in matches if m.contact_person_id == child.id
            ),
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
        # Every referral has a description; whether it describes a concern is what counts:
        # a category or risk indicator in it, or what the child said, or the referrer's fears.
        is_information_request=asks_for_information(contact.concern_description),
        has_concern_text=bool(categories or risks or contact.child_said or contact.concern_fears),
    )


def rate_contact(run: PipelineRun, timescales: Timescales | None = None) -> None:
    contact, settings = run.contact, run.settings
    timescales = timescales or hub_timescales(settings.timescales_path)
    result = rate(
        rating_input(contact, run.matches, settings.repeat_threshold),
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
