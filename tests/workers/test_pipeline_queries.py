"""What process_contact asks of the database: no more statements for a child with a long history,
one write of the contact and one of its timeline, and the same answers as row-by-row reads."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from intake.db import Database
from intake.models import Contact, OutboxJob
from intake.models.records import MatchStatus, PersonMatch
from tests.builders import create_contact
from tests.workers.test_pipeline_matching import NEGLECT, load_index
from workers import relay
from workers.matching.history import (
    contacts_through_matches,
    earlier_matches,
    save_contact_matches,
    save_matches,
)
from workers.matching.index import find_candidates
from workers.matching.person import query_from_contact_person
from workers.pipeline import process_contact


@contextmanager
def statements(db: Database) -> Iterator[Counter[str]]:
    """Count the statements sent, by verb and table ("UPDATE contacts")."""
    counted: Counter[str] = Counter()

    def count(_conn, _cursor, statement, _params, _context, _executemany):  # type: ignore[no-untyped-def]
        flat = " ".join(statement.split())
        table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", flat)
        counted[f"{flat.split()[0].upper()} {table.group(1) if table else ''}".strip()] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def processed_with_confirmed_matches(session: Session) -> Contact:
    contact = create_contact(session, concern=NEGLECT)
    process_contact(contact.id)
    # An officer confirms the matches, as the desk would, so the next contact finds this one.
    for match in session.scalars(select(PersonMatch)):
        match.status = MatchStatus.CONFIRMED
    session.commit()
    return contact


def test_a_longer_history_costs_no_more_statements(db, session, tmp_path):
    load_index(session, tmp_path)
    processed_with_confirmed_matches(session)
    second = create_contact(session, concern=NEGLECT)
    with statements(db) as with_one_earlier:
        process_contact(second.id)
    for match in session.scalars(select(PersonMatch)):
        match.status = MatchStatus.CONFIRMED
    session.commit()
    for _ in range(3):
        processed_with_confirmed_matches(session)
    sixth = create_contact(session, concern=NEGLECT)
    with statements(db) as with_five_earlier:
        process_contact(sixth.id)

    session.expire_all()
    assert len(session.get(Contact, sixth.id).history["earlier_contacts"]) == 5
    # The index's own lookups (and its cached size) are matching's business, not the history's.
    index = ("SELECT person_records", "SELECT pg_class")
    for counted in (with_one_earlier, with_five_earlier):
        for kind in index:
            counted.pop(kind, None)
    assert with_five_earlier == with_one_earlier, "no statement per earlier contact"
    # Everything the steps wrote goes in one UPDATE of the contact and one INSERT of its events.
    assert with_five_earlier["UPDATE contacts"] == 1
    assert with_five_earlier["INSERT contact_events"] == 1


def test_the_contacts_through_matches_are_those_of_the_earlier_matches(session, tmp_path):
    load_index(session, tmp_path)
    contacts = [processed_with_confirmed_matches(session) for _ in range(3)]
    record_ids = session.scalars(select(PersonMatch.person_record_id).distinct()).all()
    own = [p.id for p in contacts[-1].people]
    session.expire_all()  # the contacts as the worker wrote them, not as this session made them

    seen = contacts_through_matches(session, record_ids, exclude_contact_person_ids=own)
    matches = earlier_matches(session, record_ids, exclude_contact_person_ids=own)

    assert len(seen) == len(matches) > 0
    for row, match in zip(seen, matches, strict=True):
        other = match.contact_person.contact
        assert row.person_record_id == match.person_record_id
        assert (row.contact_id, row.reference, row.submitted_at) == (
            other.id,
            other.reference,
            other.submitted_at,
        )
        assert (row.categories, row.outcome, row.restricted) == (
            other.categories,
            other.outcome,
            other.restricted,
        )
        assert row.rating == (other.final_rating or other.provisional_rating)
    assert contacts_through_matches(session, []) == []


def test_saving_a_contacts_matches_returns_what_reading_them_back_would(session, tmp_path):
    load_index(session, tmp_path)
    contact = create_contact(session, concern=NEGLECT)
    people = list(contact.people)
    found = {p.id: find_candidates(session, query_from_contact_person(p)) for p in people}
    first = save_contact_matches(session, [p.id for p in people], found)
    session.flush()
    assert first and all(m.status == MatchStatus.PROPOSED for m in first)
    # An officer rejects one proposal; a later run must keep the decision and drop nothing else.
    first[0].status = MatchStatus.REJECTED
    session.flush()

    again = save_contact_matches(session, [p.id for p in people], found)
    session.flush()
    stored = session.scalars(
        select(PersonMatch)
        .where(PersonMatch.contact_person_id.in_([p.id for p in people]))
        .order_by(PersonMatch.id)
    ).all()
    assert [m.id for m in again] == [m.id for m in stored] == [m.id for m in first]
    assert again[0].status == MatchStatus.REJECTED

    # The same as one person at a time, which flushes as it goes.
    one_by_one = [m for p in people for m in save_matches(session, p.id, found[p.id])]
    assert sorted(m.id for m in one_by_one) == [m.id for m in stored]


def test_a_completed_job_shows_as_completed_in_the_session_that_completed_it(session):
    contact = create_contact(session)
    row = session.scalar(
        select(OutboxJob).where(
            OutboxJob.kind == "process_contact", OutboxJob.subject_id == contact.id
        )
    )
    assert row is not None and row.completed_at is None
    relay.mark_completed(session, "process_contact", contact.id)
    assert row.completed_at is not None and row.enqueued_at == row.completed_at
    session.commit()
    other = session.scalar(select(OutboxJob).where(OutboxJob.kind == "send_message"))
    assert other is not None and other.completed_at is None, "only the job's own row"


def test_a_nameless_person_keeps_the_matches_an_officer_recorded(session, tmp_path):
    load_index(session, tmp_path)
    contact = processed_with_confirmed_matches(session)
    child = contact.children[0]
    kept = session.scalars(
        select(PersonMatch).where(PersonMatch.contact_person_id == child.id)
    ).all()
    assert kept
    # Not looked up this time (no candidates given for them): their matches stay as they are.
    again = save_contact_matches(session, [child.id], {})
    assert [m.id for m in again] == [m.id for m in kept]
