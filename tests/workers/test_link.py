"""Batch linking of two person-records CSVs: `frontdoor link --index A --query B`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from workers.matching.link import link_files
from workers.matching.records_csv import RecordsFileError, RefusedRow
from workers.matching.scoring import Bands

HEADER = "record_id,source,given_name,family_name,date_of_birth,sex,address,postcode"
INDEX = f"""{HEADER},nhs_number,school
A1,police,Jordan,Smith,2015-04-03,M,"10 High Street, Leeds",LS1 4AP,,Riverside
A2,police,Kelly,Smith,1990-06-12,F,"10 High Street, Leeds",LS1 4AP,,
A3,police,Jessica,Brown,2012-11-05,F,"4 Mill Lane, Bradford",BD1 2AB,,
A4,police,Jordan,Smith,2015-04-03,M,"10 High St",LS1 4AP,,
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run(tmp_path: Path, query: str, index: str = INDEX, bands: Bands | None = None):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    summary = link_files(
        write(tmp_path / "index.csv", index), write(tmp_path / "query.csv", query), out, bands
    )
    return summary, list(csv.reader(io.StringIO(out.getvalue())))


def test_output_has_the_fixed_header_and_one_row_per_candidate_best_first(tmp_path: Path) -> None:
    query = f"""{HEADER}
Q1,school,Jordon,Smith,2015-04-03,M,"10 High Street",LS1 4AP
Q2,school,Jess,Brown,2012-11-05,F,,
Q3,school,Nobody,Known,2001-01-01,F,"1 Far Road",ZE1 0AA
"""
    summary, rows = run(tmp_path, query)
    assert rows[0] == ["query_id", "record_id", "score"]
    by_query: dict[str, list[tuple[str, float]]] = {}
    for query_id, record_id, value in rows[1:]:
        by_query.setdefault(query_id, []).append((record_id, float(value)))
    assert {r for r, _ in by_query["Q1"]} == {"A1", "A4"}  # a duplicate in the index: both shown
    assert [s for _, s in by_query["Q1"]] == sorted((s for _, s in by_query["Q1"]), reverse=True)
    assert [r for r, _ in by_query["Q2"]] == ["A3"]
    assert "Q3" not in by_query
    assert all(score >= Bands().possible for pairs in by_query.values() for _, score in pairs)
    assert (summary.queries, summary.queries_with_candidates, summary.rows_written) == (3, 2, 3)
    assert summary.index_records == 4


def test_candidates_below_the_possible_band_are_not_written(tmp_path: Path) -> None:
    query = f"{HEADER}\nQ1,school,Jordan,Smith,,M,,\n"
    _, loose = run(tmp_path, query, bands=Bands(match=0.95, possible=0.3))
    _, default = run(tmp_path, query)
    assert len(loose) > 1
    assert len(default) == 1


def test_unknown_columns_and_optional_columns_are_accepted(tmp_path: Path) -> None:
    query = f"{HEADER},flags,favourite_colour\nQ1,x,Jessica,Brown,2012-11-05,F,,,cin,green\n"
    summary, rows = run(tmp_path, query)
    assert rows[1][:2] == ["Q1", "A3"]
    assert summary.query_refused == ()


def test_bad_rows_are_refused_with_their_line_and_the_rest_linked(tmp_path: Path) -> None:
    query = (
        f"{HEADER}\n"
        ",x,Jordan,Smith,2015-04-03,M,,\n"
        "Q2,x,Jessica,Brown,2012-11-05,F,,,too,many\n"
        "Q3,x,Jessica,Brown,2012-11-05,F,,\n"
        "Q3,x,Jordan,Smith,2015-04-03,M,,\n"
    )
    summary, rows = run(tmp_path, query)
    assert summary.query_refused == (
        RefusedRow(2, "missing record_id"),
        RefusedRow(3, "has 10 fields where the header has 8"),
        RefusedRow(5, "record_id repeats the row on line 4"),
    )
    assert [row[0] for row in rows[1:]] == ["Q3"]


def test_an_impossible_date_is_linked_on_its_digits_and_reported(tmp_path: Path) -> None:
    query = f'{HEADER}\nQ1,x,Jessica,Brown,2012-11-35,F,"4 Mill Lane, Bradford",BD1 2AB\n'
    summary, rows = run(tmp_path, query)
    assert summary.dates_not_understood == (("query", 2),)
    assert rows[1][:2] == ["Q1", "A3"]


def test_a_line_that_is_not_utf8_is_refused_alone(tmp_path: Path) -> None:
    index = write(tmp_path / "index.csv", INDEX)
    query = tmp_path / "query.csv"
    query.write_bytes(
        f"{HEADER}\n".encode()
        + b"Q1,x,J\x81ssica,Brown,2012-11-05,F,,\n"  # \x81 is neither UTF-8 nor Windows-1252
        + b"Q2,x,Jessica,Brown,2012-11-05,F,,\n"
        + b"Q3,x,J\xe9ssica,Brown,2012-11-05,F,,\n"  # Windows-1252: read as J\xe9ssica
    )
    out = io.StringIO()
    summary = link_files(index, query, out)
    assert summary.query_refused == (RefusedRow(2, "not valid UTF-8 or Windows-1252 text"),)
    assert "Q2,A3," in out.getvalue() and "Q3,A3," in out.getvalue()


def test_a_quoted_field_spanning_lines_keeps_later_line_numbers_right(tmp_path: Path) -> None:
    query = (
        f'{HEADER}\nQ1,x,Jessica,Brown,2012-11-05,F,"4 Mill Lane\nBradford",BD1 2AB\n,x,A,B,,,,\n'
    )
    summary, _ = run(tmp_path, query)
    assert summary.query_refused == (RefusedRow(4, "missing record_id"),)


def test_a_file_without_the_required_columns_is_refused_whole(tmp_path: Path) -> None:
    with pytest.raises(RecordsFileError, match="date_of_birth"):
        run(tmp_path, "record_id,given_name,family_name\nQ1,A,B\n")


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RecordsFileError, match="empty"):
        run(tmp_path, "")


def test_a_query_date_written_day_first_finds_the_record(tmp_path: Path) -> None:
    index = write(tmp_path / "index.csv", INDEX)
    query = write(tmp_path / "query.csv", f"{HEADER}\nQ1,x,Jessica,Brown,05/11/2012,F,,\n")
    out = io.StringIO()
    link_files(index, query, out)
    assert "Q1,A3," in out.getvalue()
