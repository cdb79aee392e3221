"""The steps of `process_contact`, in order. Each reads and writes the contact it is given.

Every step is deterministic for a given contact and database, so running the pipeline again
gives the same result; the pipeline only runs once per contact anyway (see `pipeline`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

import nlp
from intake.models import Contact, utcnow
from intake.models.records import MatchStatus, PersonMatch, PersonRecord
from workers.context import get_context
from workers.rating import DEFAULT_TIMESCALES as TIMESCALES
from workers.rating import (
    ChildFacts,
    MatchedRecord,
    RatingInput,
    RuleSet,
    Timescales,
    WorkingCalendar,
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


def rate_contact(session: Session, contact: Contact, timescales: Timescales = TIMESCALES) -> None:
    settings = get_context().settings
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
    Step("rated", rate_contact),
)
