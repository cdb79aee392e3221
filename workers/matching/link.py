"""Batch linking of two person-records CSVs in memory (`frontdoor link --index A --query B`).

The same blocking keys and scoring as the database index, so a batch run and a live contact
agree on who matches whom.
"""

from __future__ import annotations

import csv
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TextIO

from workers.matching import blocking
from workers.matching.blocking import MAX_PER_BLOCK
from workers.matching.candidates import search
from workers.matching.person import Prepared, prepare
from workers.matching.records_csv import RecordRow, RefusedRow, read_records
from workers.matching.scoring import Bands, Weights

log = logging.getLogger(__name__)

OUTPUT_HEADER = ("query_id", "record_id", "score")


class MemoryIndex:
    """Records filed under their blocking keys, as the database's indexed key columns are."""

    def __init__(self, max_per_block: int = MAX_PER_BLOCK) -> None:
        self.rows: list[RecordRow] = []
        self.prepared: list[Prepared] = []
        self.max_per_block = max_per_block
        self._blocks: dict[str, dict[str, list[int]]] = {
            k: defaultdict(list) for k in blocking.KEY_NAMES
        }

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, row: RecordRow) -> None:
        position = len(self.rows)
        prepared = prepare(row.person)
        self.rows.append(row)
        self.prepared.append(prepared)
        for key, value in blocking.record_keys(prepared).as_dict().items():
            if value is not None:
                self._blocks[key][value].append(position)

    def source_of(self, position: int) -> str:
        return self.rows[position].source

    def candidates(
        self, query: Prepared, keys: Sequence[str] = blocking.QUERY_KEY_NAMES
    ) -> Iterator[tuple[int, Prepared]]:
        """Records filed under any of the query's values for the given blocking keys."""
        seen: set[int] = set()
        wanted = blocking.query_keys(query).as_dict()
        for key in keys:
            values, block = wanted[key], self._blocks[blocking.COLUMN_OF[key]]
            for value in values:
                for position in block.get(value, ())[: self.max_per_block]:
                    if position not in seen:
                        seen.add(position)
                        yield position, self.prepared[position]


@dataclass(frozen=True, slots=True)
class LinkSummary:
    index_records: int
    queries: int
    queries_with_candidates: int
    rows_written: int
    index_refused: tuple[RefusedRow, ...]
    query_refused: tuple[RefusedRow, ...]
    # Lines whose date of birth was not a real date: linked on its digits and the other fields.
    dates_not_understood: tuple[tuple[str, int], ...]
    seconds: float


def _rows(path: Path) -> Iterator[RecordRow | RefusedRow]:
    with path.open("rb") as stream:
        yield from read_records(stream, keep_impossible_dates=True)


def load_index(
    rows: Iterable[RecordRow | RefusedRow],
) -> tuple[MemoryIndex, list[RefusedRow], list[int]]:
    index = MemoryIndex()
    refused: list[RefusedRow] = []
    odd_dates: list[int] = []
    for row in rows:
        if isinstance(row, RefusedRow):
            refused.append(row)
            continue
        if row.date_not_understood:
            odd_dates.append(row.line)
        index.add(row)
    return index, refused, odd_dates


def link_files(
    index_path: str | Path,
    query_path: str | Path,
    out: TextIO,
    bands: Bands | None = None,
    weights: Weights | None = None,
) -> LinkSummary:
    """Write `query_id,record_id,score` for every index record at or above the "possible" band for
    each query row, best first within each query, queries in file order."""
    started = time.perf_counter()
    bands = bands or Bands()
    index, index_refused, index_odd = load_index(_rows(Path(index_path)))
    log.info("link: %d index records loaded, %d refused", len(index), len(index_refused))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OUTPUT_HEADER)
    queries = with_candidates = written = 0
    query_refused: list[RefusedRow] = []
    query_odd: list[int] = []
    for row in _rows(Path(query_path)):
        if isinstance(row, RefusedRow):
            query_refused.append(row)
            continue
        if row.date_not_understood:
            query_odd.append(row.line)
        queries += 1
        query = prepare(row.person)
        hits = search(
            query,
            partial(index.candidates, query),
            len(index),
            bands,
            weights,
            index.source_of,
        )
        if hits:
            with_candidates += 1
        for position, result, _band in hits:
            writer.writerow(
                (row.record_id, index.rows[position].record_id, f"{result.probability:.4f}")
            )
            written += 1
    seconds = time.perf_counter() - started
    log.info("link: %d queries, %d with candidates, %.1f s", queries, with_candidates, seconds)
    return LinkSummary(
        index_records=len(index),
        queries=queries,
        queries_with_candidates=with_candidates,
        rows_written=written,
        index_refused=tuple(index_refused),
        query_refused=tuple(query_refused),
        dates_not_understood=tuple(
            [("index", line) for line in index_odd] + [("query", line) for line in query_odd]
        ),
        seconds=seconds,
    )
