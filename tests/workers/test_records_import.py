"""`frontdoor records import`: loading an agency extract into the person index, on PostgreSQL
and on SQLite (the embedded default)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from intake.db import Database
from intake.migrate import upgrade
from intake.models.records import PersonRecord
from workers.matching.index import import_records
from workers.matching.records_csv import RecordsFileError, RefusedRow

PG_ADMIN_URL = os.environ.get(
    "FRONTDOOR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

HEADER = "record_id,source,given_name,family_name,date_of_birth,sex,address,postcode"
EXTRACT = f"""{HEADER},other_names,phone,nhs_number,flags,open_case_ref,team,keyworker
C1,social_care,Jordan,Smith,2015-04-03,M,"10 High Street, Leeds",LS1 4AP,,07700 900123,,cp_plan;cin,CP-1,North,Sam
C2,social_care,Kelly,Smith,1990-06-12,F,"10 High Street, Leeds",LS1 4AP,Kelly Jones,,,,,North,
C3,social_care,Casey,Morgan,2013-01-15,F,"1 Low Road, Leeds",LS11 5XY,,,,restricted; LAC,,South,
C4,social_care,Baby,Khan,,,"5 Rose Court, Leeds",LS9 8EF,,,,,,,
"""


@pytest.fixture(scope="module")
def pg_database_url() -> Iterator[str]:
    """A throwaway PostgreSQL database, migrated, for this module only."""
    name = f"fd_match_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    database = Database(url)
    upgrade(database)
    database.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["postgres", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "postgres":
        database = Database(request.getfixturevalue("pg_database_url"))
        with database.engine.begin() as conn:
            conn.execute(text("TRUNCATE person_matches, person_records RESTART IDENTITY CASCADE"))
    else:
        database = Database(f"sqlite:///{tmp_path / 'index.sqlite3'}")
        upgrade(database)
    yield database
    database.dispose()


def write(tmp_path: Path, text_: str, name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_text(text_, encoding="utf-8")
    return path


def load(database: Database, path: Path, source: str | None = "social_care"):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return import_records(session, path, source, progress=False)


def records(database: Database) -> dict[str, PersonRecord]:
    with database.session() as session:
        return {r.record_id: r for r in session.scalars(select(PersonRecord))}


def test_an_extract_is_loaded_with_its_flags_keys_and_unknown_columns(
    database: Database, tmp_path: Path
) -> None:
    summary = load(database, write(tmp_path, EXTRACT))
    assert (summary.inserted, summary.updated, summary.unchanged, summary.refused) == (4, 0, 0, [])
    stored = records(database)
    jordan = stored["C1"]
    assert jordan.date_of_birth == date(2015, 4, 3)
    assert jordan.flags == ["cp_plan", "cin"] and jordan.open_case_ref == "CP-1"
    assert jordan.extra == {"team": "North", "keyworker": "Sam"}
    assert jordan.key_family_dob and jordan.key_names and jordan.household_key == "LS14AP|10"
    assert stored["C2"].household_key == jordan.household_key
    assert stored["C2"].other_names == "Kelly Jones"
    assert stored["C3"].restricted and stored["C3"].flags == ["restricted", "lac"]
    assert not jordan.restricted
    assert stored["C4"].date_of_birth is None and stored["C4"].key_family_area


def test_importing_the_same_extract_again_changes_nothing(
    database: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, EXTRACT)
    load(database, path)
    before = {k: (r.id, r.updated_at) for k, r in records(database).items()}
    summary = load(database, path)
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 0, 4)
    assert {k: (r.id, r.updated_at) for k, r in records(database).items()} == before


def test_a_changed_row_is_updated_in_place_and_new_rows_are_added(
    database: Database, tmp_path: Path
) -> None:
    load(database, write(tmp_path, EXTRACT))
    first = records(database)
    changed = EXTRACT.replace(
        'Jordan,Smith,2015-04-03,M,"10 High Street, Leeds",LS1 4AP',
        'Jordan,Smith,2015-04-03,M,"3 New Road, Leeds",LS6 1AA',
    )
    changed += 'C5,social_care,Mia,Smith,2019-02-02,F,"3 New Road, Leeds",LS6 1AA,,,,,,,\n'
    summary = load(database, write(tmp_path, changed, "second.csv"))
    assert (summary.inserted, summary.updated, summary.unchanged) == (1, 1, 3)
    second = records(database)
    assert second["C1"].id == first["C1"].id
    assert second["C1"].postcode == "LS6 1AA" and second["C1"].household_key == "LS61AA|3"
    assert second["C1"].imported_at == first["C1"].imported_at
    assert second["C1"].updated_at > first["C1"].updated_at
    assert second["C5"].household_key == second["C1"].household_key


def test_refused_rows_are_listed_with_line_and_reason_and_the_rest_loaded(
    database: Database, tmp_path: Path
) -> None:
    extract = (
        f"{HEADER}\n"
        "R1,social_care,Ann,Lee,2001-02-03,F,,\n"
        ",social_care,No,Identifier,2001-02-03,F,,\n"
        "R3,social_care,Bad,Date,3rd Feb 2001,F,,\n"
        "R4,social_care,Impossible,Date,2001-02-30,F,,\n"
        "R5,police,Other,Source,2001-02-03,F,,\n"
        "R1,social_care,Ann,Lee,2001-02-03,F,,\n"
        "R7,social_care,Short,Row\n"
        "R8,social_care,Ann,Smith,,F,,\n"
    )
    summary = load(database, write(tmp_path, extract))
    assert summary.refused == [
        RefusedRow(3, "missing record_id"),
        RefusedRow(4, "date_of_birth is not a real date written YYYY-MM-DD or DD/MM/YYYY"),
        RefusedRow(5, "date_of_birth is not a real date written YYYY-MM-DD or DD/MM/YYYY"),
        RefusedRow(6, "source differs from the source being imported"),
        RefusedRow(7, "record_id repeats the row on line 2"),
        RefusedRow(8, "has 4 fields where the header has 8"),
    ]
    assert summary.inserted == 2 and summary.rows == 8
    assert set(records(database)) == {"R1", "R8"}


def test_without_a_source_argument_each_row_names_its_own(
    database: Database, tmp_path: Path
) -> None:
    extract = f"{HEADER}\nX1,police,Ann,Lee,2001-02-03,F,,\nX1,health,Ann,Lee,2001-02-03,F,,\n"
    summary = load(database, write(tmp_path, extract), source=None)
    assert summary.inserted == 2
    with database.session() as session:
        sources = session.scalars(select(PersonRecord.source).order_by(PersonRecord.source)).all()
    assert sources == ["health", "police"]


def test_a_file_missing_required_columns_is_refused_and_nothing_loaded(
    database: Database, tmp_path: Path
) -> None:
    with pytest.raises(RecordsFileError, match="postcode"):
        load(
            database,
            write(tmp_path, "record_id,given_name,family_name,date_of_birth,sex,address\n"),
        )
    assert records(database) == {}


def test_a_large_extract_is_written_in_batches(database: Database, tmp_path: Path) -> None:
    rows = [HEADER] + [
        f"B{i},social_care,Child{i % 97},Family{i % 89},2010-01-{1 + i % 28:02d},M,{i} Long Road,LS{1 + i % 20} 1AA"
        for i in range(4500)
    ]
    summary = load(database, write(tmp_path, "\n".join(rows) + "\n"))
    assert summary.inserted == 4500
    with database.session() as session:
        assert session.scalar(select(PersonRecord.id).where(PersonRecord.record_id == "B4499"))


def test_a_quote_left_open_stops_the_import_with_its_line_not_silently(
    database: Database, tmp_path: Path
) -> None:
    rows = [f"Q{i},social_care,Child{i},Family,2015-01-01,F,,LS1 4AP" for i in range(60)]
    rows[2] = 'Q2,social_care,"Child2,Family,2015-01-01,F,,LS1 4AP'
    with pytest.raises(RecordsFileError, match=r"line 4: a quote .* is not closed"):
        load(database, write(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n"))
    # A two-line address in a row with a field too many is that row's problem alone.
    address = f'{HEADER}\nA1,social_care,Amy,Lee,2015-01-01,F,"Flat 1\nHigh St",LS1 4AP,x\n'
    summary = load(database, write(tmp_path, address, "address.csv"))
    assert summary.refused == [RefusedRow(2, "has 9 fields where the header has 8")]
    # Near the end of a file it swallows only a few rows: still not silently.
    with pytest.raises(RecordsFileError, match=r"line 59: a quote .* is not closed"):
        rows[2], rows[57] = rows[57], 'Q57,social_care,"Child57,Family,2015-01-01,F,,LS1 4AP'
        load(database, write(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n", "end.csv"))
    huge = f'{HEADER}\nQ1,social_care,"{"x" * 200_000}",F,2015-01-01,F,,\n'
    with pytest.raises(RecordsFileError, match="line 2: a value is longer than 128 KB"):
        load(database, write(tmp_path, huge, "huge.csv"))
    mac = (HEADER + "\rQ1,social_care,Ann,Lee,2001-02-03,F,,\r").encode()
    (tmp_path / "mac.csv").write_bytes(mac)
    with pytest.raises(RecordsFileError, match="carriage return only"):
        load(database, tmp_path / "mac.csv")


def test_flags_are_read_however_the_extract_writes_them_and_unknown_ones_refused(
    database: Database, tmp_path: Path
) -> None:
    extract = (
        f"{HEADER},flags\n"
        "F1,social_care,Ann,Lee,2001-02-03,F,,,CP-Plan\n"
        "F2,social_care,Bo,Lee,2002-02-03,M,,,Child protection plan\n"
        "F3,social_care,Cy,Lee,2003-02-03,F,,,restricted cin\n"
        "F4,social_care,Di,Lee,2004-02-03,F,,,restricted|cp_plan\n"
        "F5,social_care,Ed,Lee,2005-02-03,M,,,LAC/CIN\n"
        "F6,social_care,Fi,Lee,2006-02-03,F,,,y\n"
        "F7,social_care,Gu,Lee,2007-02-03,F,,,N/A\n"
    )
    summary = load(database, write(tmp_path, extract))
    assert summary.refused == [
        RefusedRow(7, "flags has 'y', which is not one of: restricted, cp_plan, cin, lac")
    ]
    found = records(database)
    assert found["F1"].flags == ["cp_plan"] and found["F2"].flags == ["cp_plan"]
    assert found["F3"].restricted and found["F4"].restricted and "cp_plan" in found["F4"].flags
    assert sorted(found["F5"].flags) == ["cin", "lac"]
    assert found["F7"].flags == [], "N/A is no flag, not an unknown one"


def test_an_excel_export_in_windows_1252_with_empty_trailing_columns_is_read(
    database: Database, tmp_path: Path
) -> None:
    text_ = f"{HEADER},,\r\nW1,social_care,Zoë,O’Neill,2014-05-06,F,,,,\r\n"
    (tmp_path / "excel.csv").write_bytes(text_.encode("cp1252"))
    summary = load(database, tmp_path / "excel.csv")
    assert summary.refused == [] and summary.inserted == 1
    record = records(database)["W1"]
    assert (record.given_name, record.family_name) == ("Zoë", "O’Neill")


def test_a_nul_byte_or_a_date_of_birth_in_the_future_is_refused_on_its_line(
    database: Database, tmp_path: Path
) -> None:
    extract = (
        f"{HEADER}\n"
        "N1,social_care,Ann\x00,Lee,2001-02-03,F,,\n"
        "N2,social_care,Bo,Lee,2099-01-01,M,,\n"
        "N3,social_care,Cy,Lee,1850-01-01,M,,\n"
        "N4,social_care,Di,Lee,2001-02-03,F,,\n"
    )
    summary = load(database, write(tmp_path, extract))
    assert [(r.line, r.reason.split(" (")[0]) for r in summary.refused] == [
        (2, "contains a NUL character"),
        (3, "date_of_birth is in the future or before 1900"),
        (4, "date_of_birth is in the future or before 1900"),
    ]
    assert set(records(database)) == {"N4"}


def test_a_date_of_birth_written_day_first_as_uk_systems_export_it_is_read(
    database: Database, tmp_path: Path
) -> None:
    extract = (
        f"{HEADER}\nD1,social_care,Ann,Lee,03/04/2015,F,,\nD2,social_care,Bo,Lee,2015-4-3,M,,\n"
    )
    summary = load(database, write(tmp_path, extract))
    assert summary.refused == []
    found = records(database)
    assert found["D1"].date_of_birth == found["D2"].date_of_birth == date(2015, 4, 3)
