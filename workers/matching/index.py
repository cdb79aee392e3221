"""The person index in the database: importing agency extracts and finding candidates in it."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, String, TextualSelect, bindparam, func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session
from tqdm import tqdm

from intake.models.base import utcnow
from intake.models.records import PersonRecord
from workers.matching import blocking, normalise
from workers.matching.blocking import MAX_PER_BLOCK
from workers.matching.candidates import Candidate, search
from workers.matching.person import Person, Prepared, QueryPerson, prepare
from workers.matching.records_csv import RecordRow, RefusedRow, read_records
from workers.matching.scoring import Bands, Weights

log = logging.getLogger(__name__)

# Rows per batch (one COPY and one upsert on PostgreSQL, one executemany on SQLite): large enough
# to amortise round trips, small enough to keep memory flat on a million-row extract.
BATCH_SIZE = 2000

# The values a re-import compares (through row_hash) and rewrites.
_CONTENT = (
    "given_name", "family_name", "other_names", "date_of_birth", "sex", "address", "postcode",
    "phone", "nhs_number", "flags", "open_case_ref", "extra",
)  # fmt: skip
_KEY_COLUMNS = {name: f"key_{name}" for name in blocking.KEY_NAMES}


@dataclass(slots=True)
class ImportSummary:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[RefusedRow] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.inserted + self.updated + self.unchanged + len(self.refused)


def _row_values(row: RecordRow) -> dict[str, Any]:
    person = row.person
    values: dict[str, Any] = {
        "source": row.source,
        "record_id": row.record_id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "other_names": person.other_names,
        "date_of_birth": person.date_of_birth,
        "sex": person.sex,
        "address": person.address,
        "postcode": person.postcode,
        "phone": row.phone,
        "nhs_number": row.nhs_number,
        "flags": list(row.flags),
        "open_case_ref": row.open_case_ref,
        "extra": row.extra,
        "restricted": row.restricted,
    }
    content = json.dumps([values[c] for c in _CONTENT], default=str, sort_keys=True)
    values["row_hash"] = hashlib.blake2b(content.encode(), digest_size=16).hexdigest()
    keys = blocking.record_keys(prepare(person))
    for name, value in keys.as_dict().items():
        values[_KEY_COLUMNS[name]] = value
    values["household_key"] = normalise.household_key(person.address, person.postcode)
    return values


def _existing_hashes(
    session: Session, batch: Sequence[dict[str, Any]]
) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    by_source: dict[str, list[str]] = {}
    for values in batch:
        by_source.setdefault(values["source"], []).append(values["record_id"])
    for source, record_ids in by_source.items():
        rows = session.execute(
            select(PersonRecord.record_id, PersonRecord.row_hash).where(
                PersonRecord.source == source, PersonRecord.record_id.in_(record_ids)
            )
        )
        found.update({(source, record_id): digest for record_id, digest in rows})
    return found


# Everything but the identity and the first import time is rewritten when a row changed.
_KEPT_ON_UPDATE = frozenset({"id", "source", "record_id", "imported_at"})


def _write_batch_sqlite(
    session: Session, batch: list[dict[str, Any]], summary: ImportSummary
) -> None:
    existing = _existing_hashes(session, batch)
    now = utcnow()
    changed: list[dict[str, Any]] = []
    for values in batch:
        previous = existing.get((values["source"], values["record_id"]))
        if previous == values["row_hash"]:
            summary.unchanged += 1
            continue
        if previous is None:
            summary.inserted += 1
        else:
            summary.updated += 1
        changed.append(values | {"imported_at": now, "updated_at": now})
    if not changed:
        return
    statement = sqlite.insert(PersonRecord)
    updates = {
        c.name: statement.excluded[c.name]
        for c in PersonRecord.__table__.c
        if c.name not in _KEPT_ON_UPDATE
    }
    session.execute(
        statement.on_conflict_do_update(index_elements=["source", "record_id"], set_=updates),
        changed,
    )


_STAGING = "person_records_import"
_JSON_COLUMNS = frozenset({"flags", "extra"})


def _write_batch_postgresql(
    session: Session, batch: list[dict[str, Any]], summary: ImportSummary
) -> None:
    """COPY the batch into a temporary table, then one INSERT ... SELECT ... ON CONFLICT DO
    UPDATE that skips unchanged rows and reports which rows it inserted: many times faster than
    row-by-row statements or looking the batch up first, for a million-row extract."""
    now = utcnow()
    columns = [*batch[0], "imported_at", "updated_at"]
    names = ", ".join(columns)
    # Column types only: no defaults (no ids drawn from the sequence), no constraints.
    session.execute(
        text(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} ON COMMIT DROP AS "
            f"SELECT {names} FROM person_records WITH NO DATA"
        )
    )
    session.execute(text(f"TRUNCATE {_STAGING}"))
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(f"COPY {_STAGING} ({names}) FROM STDIN") as copy:
        for row in batch:
            copy.write_row(
                [json.dumps(row[c]) if c in _JSON_COLUMNS else row[c] for c in columns[:-2]]
                + [now, now]
            )
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in _KEPT_ON_UPDATE)
    # xmax is 0 on a freshly inserted row version and set on an updated one.
    inserted_flags = session.scalars(
        text(
            f"INSERT INTO person_records ({names}) SELECT {names} FROM {_STAGING} "
            f"ON CONFLICT (source, record_id) DO UPDATE SET {updates} "
            "WHERE person_records.row_hash IS DISTINCT FROM EXCLUDED.row_hash "
            "RETURNING (xmax = 0)"
        )
    ).all()
    inserted = sum(1 for flag in inserted_flags if flag)
    summary.inserted += inserted
    summary.updated += len(inserted_flags) - inserted
    summary.unchanged += len(batch) - len(inserted_flags)


def _write_batch(session: Session, batch: list[dict[str, Any]], summary: ImportSummary) -> None:
    if session.get_bind().dialect.name == "postgresql":
        _write_batch_postgresql(session, batch, summary)
    else:
        _write_batch_sqlite(session, batch, summary)


def import_records(
    session: Session, path: str | Path, source: str | None, progress: bool = True
) -> ImportSummary:
    """Load a person-records CSV into person_records, idempotently by (source, record_id).

    New records are inserted, changed ones updated, identical ones left alone; each refused row
    is listed with its line and reason. Nothing is committed: the caller commits (or rolls back
    on error), so an import is all or nothing.
    """
    started = time.perf_counter()
    summary = ImportSummary()
    path = Path(path)
    batch: list[dict[str, Any]] = []
    with (
        path.open("rb") as stream,
        tqdm(
            total=path.stat().st_size,
            unit="B",
            unit_scale=True,
            desc="records",
            disable=not progress,
        ) as bar,
    ):
        position = 0
        for row in read_records(stream, source):
            if isinstance(row, RefusedRow):
                summary.refused.append(row)
                continue
            batch.append(_row_values(row))
            if len(batch) >= BATCH_SIZE:
                _write_batch(session, batch, summary)
                batch = []
                bar.update(stream.tell() - position)
                position = stream.tell()
        if batch:
            _write_batch(session, batch, summary)
        bar.update(path.stat().st_size - position)
    summary.seconds = time.perf_counter() - started
    log.info(
        "records import: %d inserted, %d updated, %d unchanged, %d refused in %.1f s",
        summary.inserted,
        summary.updated,
        summary.unchanged,
        len(summary.refused),
        summary.seconds,
    )
    return summary


# How long a counted index size is reused: it only sets the prior, which moves slowly.
_SIZE_TTL_SECONDS = 600.0
_sizes: dict[str, tuple[float, int]] = {}


def index_size(session: Session) -> int:
    """About how many records the index holds (PostgreSQL's planner estimate when it has one)."""
    bind = session.get_bind()
    cache_key = str(bind.engine.url)
    cached = _sizes.get(cache_key)
    if cached is not None and time.monotonic() - cached[0] < _SIZE_TTL_SECONDS:
        return cached[1]
    size = -1
    if bind.dialect.name == "postgresql":
        estimate = session.execute(
            text("SELECT reltuples FROM pg_class WHERE relname = 'person_records'")
        ).scalar()
        size = int(estimate) if estimate is not None else -1
    if size <= 0:  # never analysed (-1), or analysed while empty
        size = session.execute(select(func.count()).select_from(PersonRecord)).scalar_one()
    _sizes[cache_key] = (time.monotonic(), size)
    return size


_COMPARED = (
    PersonRecord.given_name,
    PersonRecord.family_name,
    PersonRecord.date_of_birth,
    PersonRecord.sex,
    PersonRecord.address,
    PersonRecord.postcode,
    PersonRecord.other_names,
)
_COMPARED_NAMES = tuple(column.key for column in _COMPARED)


@cache
def _stage_statement(keys: tuple[str, ...]) -> TextualSelect:
    """One statement per search stage: the records under any of the query's values for each key
    (each block limited), with only the compared columns. Written once as text with expanding
    parameters, so it is compiled once rather than rebuilt for every query."""
    blocks = " UNION ALL ".join(
        f"SELECT id FROM (SELECT id FROM person_records "
        f"WHERE {_KEY_COLUMNS[blocking.COLUMN_OF[key]]} IN :{key} "
        f"LIMIT :limit) AS block_{key}"
        for key in keys
    )
    columns = ", ".join(column.key for column in _COMPARED)
    return (
        text(
            f"SELECT id, source, {columns} FROM person_records "
            f"WHERE id IN ({blocks}) AND id NOT IN :seen ORDER BY id"
        )
        .bindparams(*(bindparam(key, expanding=True, type_=String()) for key in keys))
        .bindparams(bindparam("seen", expanding=True, type_=Integer()))
        .columns(PersonRecord.id, PersonRecord.source, *_COMPARED)
    )


def person_of(record: PersonRecord) -> Person:
    return Person(
        given_name=record.given_name,
        family_name=record.family_name,
        date_of_birth=record.date_of_birth,
        sex=record.sex,
        address=record.address,
        postcode=record.postcode,
        other_names=record.other_names,
    )


def find_candidates(
    session: Session,
    person: QueryPerson,
    bands: Bands | None = None,
    *,
    weights: Weights | None = None,
    limit_per_key: int = MAX_PER_BLOCK,
) -> list[Candidate]:
    """Records that may be this person, best first, at or above the "possible" band.

    Restricted records are returned like any other with `restricted=True`; show a user who may
    not see them `candidate.redacted()`.
    """
    bands = bands or Bands()
    query = prepare(person)
    wanted = blocking.query_keys(query).as_dict()
    sources: dict[int, str] = {}

    def lookup(keys: Sequence[str]) -> list[tuple[int, Prepared]]:
        if not any(wanted[key] for key in keys):
            return []
        parameters: dict[str, Any] = {key: sorted(wanted[key]) for key in keys}
        rows = session.execute(
            _stage_statement(tuple(keys)),
            parameters | {"limit": limit_per_key, "seen": list(sources)},
        ).all()
        found = []
        for record_id, source, *values in rows:
            sources[record_id] = source
            found.append(
                (record_id, prepare(Person(**dict(zip(_COMPARED_NAMES, values, strict=True)))))
            )
        return found

    hits = search(query, lookup, index_size(session), bands, weights, source_of=sources.__getitem__)
    if not hits:
        return []
    by_id = {
        record.id: record
        for record in session.scalars(
            select(PersonRecord).where(PersonRecord.id.in_([record_id for record_id, _, _ in hits]))
        )
    }
    return [
        Candidate(
            person_record_id=record_id,
            source=by_id[record_id].source,
            record_id=by_id[record_id].record_id,
            probability=result.probability,
            band=band,
            fields=result.fields,
            restricted=by_id[record_id].restricted,
            person=person_of(by_id[record_id]),
            flags=tuple(by_id[record_id].flags or ()),
            open_case_ref=by_id[record_id].open_case_ref,
        )
        for record_id, result, band in hits
    ]
