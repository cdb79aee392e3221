"""Finding candidates, households and earlier matches in the database index (PostgreSQL and
SQLite), through the same blocking keys and scoring as in memory."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from intake import crypto
from intake.db import Database
from intake.migrate import upgrade
from intake.models import Contact, ContactPerson
from intake.models.records import MatchStatus, PersonMatch
from workers.matching.family import household_of
from workers.matching.history import earlier_matches, save_matches
from workers.matching.index import find_candidates, import_records
from workers.matching.person import Person
from workers.matching.scoring import MATCH, POSSIBLE, Bands

PG_ADMIN_URL = os.environ.get(
    "FRONTDOOR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

INDEX = """record_id,source,given_name,family_name,date_of_birth,sex,address,postcode,other_names,flags,open_case_ref
S1,social_care,Jordan,Smith,2015-04-03,M,"10 High Street, Leeds",LS1 4AP,,cp_plan,CP-1
S2,social_care,Kelly,Smith,1990-06-12,F,"10 High Street, Leeds",LS1 4AP,,,
S3,social_care,Mia,Smith,2019-09-09,F,"10 High St",LS1 4AP,,,
S4,social_care,Jessica,Brown,2012-11-05,F,"4 Mill Lane, Bradford",BD1 2AB,,,
S5,social_care,William,Jones,2010-02-07,M,"22 Park Road, Leeds",LS6 2QD,,,
S6,social_care,Amelia,Smith-Jones,2016-08-09,F,"3 Church View, Leeds",LS7 3AB,,,
S7,social_care,Olivia,Taylor,2014-03-10,F,"7 Elm Grove, Leeds",LS8 1CD,Olivia Green,,
S8,social_care,Baby,Khan,,,"5 Rose Court, Leeds",LS9 8EF,,,
S9,social_care,Ayesha,Khan,1995-09-30,F,"5 Rose Court, Leeds",LS9 8EF,,,
S10,social_care,Harry,Wilson,2018-05-20,M,"12 Oak Avenue, Leeds",LS10 1GH,,,
S11,social_care,Freddie,Wilson,2018-05-20,M,"12 Oak Avenue, Leeds",LS10 1GH,,,
S12,social_care,Casey,Morgan,2013-01-15,F,"1 Low Road, Leeds",LS11 5XY,,restricted;cp_plan,CP-7
S13,social_care,Jordan,Smith,2001-07-07,M,"8 Hill Top, Wakefield",WF1 2ZZ,,,
P1,police,Jordan,Smith,2015-04-03,M,"10 High St, Leeds",LS1 4AP,,,
"""


@pytest.fixture(autouse=True, scope="module")
def encryption() -> None:
    """The contacts these tests write have encrypted columns. create_app and the worker set the
    cipher up; without this, the module passed only after some other test had created an app."""
    if not crypto.is_configured():
        crypto.configure((), "test-matching-index")


@pytest.fixture(scope="module")
def postgres_database_url() -> Iterator[str]:
    """A throwaway PostgreSQL database, migrated, for this module only."""
    name = f"fd_match_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    database = Database(url)
    upgrade(database)
    with database.transaction() as session, _index_file() as path:
        import_records(session, path, None, progress=False)
    database.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class _index_file:
    def __enter__(self) -> Path:
        import tempfile

        self.folder = tempfile.TemporaryDirectory()
        path = Path(self.folder.name) / "index.csv"
        path.write_text(INDEX, encoding="utf-8")
        return path

    def __exit__(self, *exc: object) -> None:
        self.folder.cleanup()


@pytest.fixture(scope="module")
def sqlite_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('index') / 'index.sqlite3'}"
    database = Database(url)
    upgrade(database)
    with database.transaction() as session, _index_file() as path:
        import_records(session, path, None, progress=False)
    database.dispose()
    return url


@pytest.fixture(params=["postgres", "sqlite"])
def index_session(request: pytest.FixtureRequest) -> Iterator[Session]:
    database = Database(request.getfixturevalue(f"{request.param}_database_url"))
    with database.session() as session:
        yield session
        session.rollback()
    database.dispose()


def found(session: Session, query: Person, bands: Bands | None = None) -> dict[str, str]:
    return {f"{c.source}:{c.record_id}": c.band for c in find_candidates(session, query, bands)}


HOME = {"address": "10 High Street, Leeds", "postcode": "LS1 4AP"}


def test_exact_details_match_the_record_in_every_source(index_session: Session) -> None:
    assert found(index_session, Person("Jordan", "Smith", date(2015, 4, 3), "M", **HOME)) == {
        "social_care:S1": MATCH,
        "police:P1": MATCH,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (Person("Jordon", "Smtih", date(2015, 4, 3), postcode="LS1 4AP"), "social_care:S1"),
        (Person("Jordan", "Smith", date(2015, 3, 4), **HOME), "social_care:S1"),
        (Person("Jordan", "Smith", **HOME), "social_care:S1"),
        (Person("Jess", "Brown", date(2012, 11, 5)), "social_care:S4"),
        (Person("Bill", "Jones", date(2010, 2, 7)), "social_care:S5"),
        (Person("Amelia", "Jones", date(2016, 8, 9)), "social_care:S6"),
        (Person("Olivia", "Green", date(2014, 3, 10)), "social_care:S7"),
        (Person("Olivia", "Brown", date(2014, 3, 10), address="7 Elm Grove", postcode="LS8 1CD"), "social_care:S7"),
        (Person("Smith", "Jordan", date(2015, 4, 3)), "social_care:S1"),
        (Person("Jordan", "Smith", date(2015, 4, 3), address="99 New Road", postcode="M1 1AA"), "social_care:S1"),
        (Person(family_name="Khan", expected_date=date(2026, 12, 1), address="5 Rose Court", postcode="LS9 8EF"), "social_care:S8"),
    ],
    ids=[
        "typos", "swapped-day-month", "missing-dob", "nickname-jess", "nickname-bill", "hyphenated",
        "former-name", "changed-family-name", "swapped-names", "moved-address", "unborn",
    ],
)  # fmt: skip
def test_real_world_variations_find_the_record_as_a_match(
    index_session: Session, query: Person, expected: str
) -> None:
    candidates = found(index_session, query)
    assert candidates.get(expected) == MATCH


def test_household_members_and_namesakes_are_not_proposed(index_session: Session) -> None:
    candidates = found(index_session, Person("Jordan", "Smith", date(2015, 4, 3), "M", **HOME))
    assert "social_care:S2" not in candidates and "social_care:S3" not in candidates
    assert "social_care:S13" not in candidates  # same name, other date of birth and town
    unborn = found(
        index_session,
        Person(
            family_name="Khan",
            expected_date=date(2026, 12, 1),
            address="5 Rose Court",
            postcode="LS9 8EF",
        ),
    )
    assert "social_care:S9" not in unborn  # the mother


def test_a_twin_is_matched_only_to_their_own_record(index_session: Session) -> None:
    candidates = found(
        index_session,
        Person("Freddie", "Wilson", date(2018, 5, 20), "M", "12 Oak Avenue", "LS10 1GH"),
    )
    assert candidates == {"social_care:S11": MATCH}


@pytest.mark.parametrize("sex", ["M", None])
def test_a_father_named_like_his_son_at_the_same_address_is_not_proposed(
    index_session: Session, sex: str | None
) -> None:
    # Harry Wilson (S10, born 2018) and his father Harry, born a generation before.
    father = Person("Harry", "Wilson", date(1986, 2, 14), sex, "12 Oak Avenue", "LS10 1GH")
    assert found(index_session, father) == {}


def test_a_twin_whose_own_record_is_not_on_the_index_is_only_a_possible_match(
    index_session: Session,
) -> None:
    # William Jones (S5) has a twin brother George, who has no record.
    george = Person("George", "Jones", date(2010, 2, 7), "M", "22 Park Road, Leeds", "LS6 2QD")
    assert found(index_session, george) == {"social_care:S5": POSSIBLE}


def test_a_family_name_and_address_alone_are_not_a_match(index_session: Session) -> None:
    query = Person(family_name="Jones", address="22 Park Road, Leeds", postcode="LS6 2QD")
    assert MATCH not in found(index_session, query).values()


def test_a_given_name_mistyped_into_no_name_without_a_date_of_birth_is_a_match(
    index_session: Session,
) -> None:
    # Kordan is no name: a typo of Jordan, not his brother. His mother and sister at the same
    # address are not proposed.
    candidates = found(index_session, Person("Kordan", "Smith", None, "M", **HOME))
    assert candidates == {"social_care:S1": MATCH, "police:P1": MATCH}


def test_candidates_carry_agreements_flags_and_case_reference(index_session: Session) -> None:
    candidates = find_candidates(index_session, Person("Jordan", "Smith", date(2015, 3, 4), **HOME))
    best = next(c for c in candidates if c.record_id == "S1")
    assert best.flags == ("cp_plan",) and best.open_case_ref == "CP-1"
    by_field = {f["field"]: f for f in best.agreements()}
    assert by_field["date_of_birth"]["level"] == "close"
    assert by_field["date_of_birth"]["note"] == "day and month swapped"
    assert not best.restricted and best.person is not None


def test_a_restricted_record_is_found_but_redacts_to_its_existence(index_session: Session) -> None:
    candidates = find_candidates(index_session, Person("Casey", "Morgan", date(2013, 1, 15)))
    assert len(candidates) == 1 and candidates[0].restricted
    shown = candidates[0].redacted()
    assert (
        shown.person is None and shown.record_id == "" and shown.flags == () and shown.fields == ()
    )
    assert shown.person_record_id == candidates[0].person_record_id and shown.band == MATCH


def test_bands_passed_in_decide_what_is_shown(index_session: Session) -> None:
    query = Person("Jordan", "Smith")
    assert found(index_session, query) == {}
    assert found(index_session, query, Bands(match=0.99, possible=0.05))


def test_a_person_with_no_usable_details_finds_nothing(index_session: Session) -> None:
    assert find_candidates(index_session, Person()) == []


def test_household_of_a_match_is_the_other_people_at_that_dwelling(index_session: Session) -> None:
    jordan = find_candidates(index_session, Person("Jordan", "Smith", date(2015, 4, 3), **HOME))
    ids = [c.person_record_id for c in jordan if c.person_record_id is not None]
    household = household_of(index_session, ids)
    assert sorted(r.record_id for r in household) == ["S2", "S3"]
    assert household_of(index_session, []) == []


def _contact_person(session: Session, reference: str) -> int:
    person = ContactPerson(kind="child", given_name="Jordan", family_name="Smith")
    session.add(Contact(reference=reference, channel="web", people=[person]))
    session.flush()
    return person.id


def test_saved_matches_are_idempotent_and_keep_officer_decisions(index_session: Session) -> None:
    person_id = _contact_person(index_session, f"T-{uuid.uuid4().hex[:8]}")
    candidates = find_candidates(index_session, Person("Jordan", "Smith", date(2015, 4, 3), **HOME))
    first = save_matches(index_session, person_id, candidates)
    again = save_matches(index_session, person_id, candidates)
    assert [m.id for m in first] == [m.id for m in again]
    assert len(first) == 2 and all(m.status == MatchStatus.PROPOSED for m in first)
    first[0].status = MatchStatus.REJECTED
    index_session.flush()
    save_matches(index_session, person_id, candidates[1:])
    statuses = {
        m.person_record_id: m.status
        for m in index_session.query(PersonMatch).filter_by(contact_person_id=person_id)
    }
    assert statuses == {
        first[0].person_record_id: "rejected",
        first[1].person_record_id: "proposed",
    }


def test_earlier_contacts_are_found_through_matches_to_the_same_record(
    index_session: Session,
) -> None:
    candidates = find_candidates(index_session, Person("Jordan", "Smith", date(2015, 4, 3), **HOME))
    earlier = _contact_person(index_session, f"E-{uuid.uuid4().hex[:8]}")
    rejected = _contact_person(index_session, f"R-{uuid.uuid4().hex[:8]}")
    now = _contact_person(index_session, f"N-{uuid.uuid4().hex[:8]}")
    save_matches(index_session, earlier, candidates)
    for match in save_matches(index_session, rejected, candidates):
        match.status = MatchStatus.REJECTED
    save_matches(index_session, now, candidates)
    index_session.flush()
    record_ids = [c.person_record_id for c in candidates if c.person_record_id is not None]
    history = earlier_matches(index_session, record_ids, exclude_contact_person_ids=[now])
    assert {m.contact_person_id for m in history} == {earlier}
