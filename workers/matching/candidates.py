"""Scored candidates for one query, best first, and what may be shown of a restricted one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from workers.matching import blocking, compare
from workers.matching.compare import Level
from workers.matching.person import Person, Prepared
from workers.matching.scoring import (
    MATCH,
    Bands,
    FieldResult,
    Score,
    Weights,
    default_weights,
    score,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Candidate:
    """An existing record that may be the person asked about.

    `person_record_id` is the database id (None when linking files in memory). A restricted
    record carries `restricted=True`; callers whose user may not see it show `redacted()`.
    """

    person_record_id: int | None
    source: str
    record_id: str
    probability: float
    band: str
    fields: tuple[FieldResult, ...]
    restricted: bool = False
    person: Person | None = None
    flags: tuple[str, ...] = ()
    open_case_ref: str | None = None

    @property
    def agreed(self) -> tuple[FieldResult, ...]:
        return tuple(f for f in self.fields if f.agreed)

    @property
    def disagreed(self) -> tuple[FieldResult, ...]:
        return tuple(f for f in self.fields if f.disagreed)

    def redacted(self) -> Candidate:
        """Only that a record exists, where, and how strongly it matched: no record id, personal
        details, flags, case reference, or which fields agreed (that too tells about the record).
        The database id stays so the match can be stored and opened by someone allowed to."""
        return replace(
            self,
            record_id="",
            fields=(),
            person=None,
            flags=(),
            open_case_ref=None,
            restricted=True,
        )

    def agreements(self) -> list[dict[str, Any]]:
        """The field comparisons as plain data, for PersonMatch.agreements and the API."""
        return [f.as_dict() for f in self.fields]


# A candidate this likely on its own counts as a rival to the others (see rank).
RIVAL_PROBABILITY = 0.5


def rank(
    query: Prepared,
    records: Iterable[tuple[T, Prepared]],
    index_size: int,
    bands: Bands,
    weights: Weights | None = None,
    source_of: Callable[[T], str] | None = None,
) -> list[tuple[T, Score, str]]:
    """The records that reach a band, with their score and band, best first.

    One source keeps one record per person, so two records from the same source that it holds
    as different people (twins, siblings at one address: their given names, sex or dates of
    birth disagree) cannot both be the person asked about. Each one's probability is then shared
    with its rivals, as Bayes' rule over exclusive alternatives gives: twin A's own record takes
    the probability from twin B's, which agrees on everything but the given name. Records that
    do not disagree (a duplicate within a source) are not rivals.
    """
    weights = weights or default_weights()
    scored = [(item, record, score(query, record, index_size, weights)) for item, record in records]
    rivals = [hit for hit in scored if hit[2].probability >= RIVAL_PROBABILITY]
    prior = weights.prior_log2_odds(index_size)
    found: list[tuple[T, Score, str]] = []
    for item, record, result in scored:
        if bands.band(result.probability) is None:
            continue
        if source_of is not None and len(rivals) > 1:
            result = _shared_with_rivals(item, record, result, rivals, source_of, prior)
        band = bands.band(result.probability)
        if band is not None:
            found.append((item, result, band))
    found.sort(key=lambda hit: (-hit[1].probability, -hit[1].evidence))
    return found


def search(
    query: Prepared,
    lookup: Callable[[Sequence[str]], Iterable[tuple[T, Prepared]]],
    index_size: int,
    bands: Bands,
    weights: Weights | None = None,
    source_of: Callable[[T], str] | None = None,
) -> list[tuple[T, Score, str]]:
    """Look records up stage by stage (blocking.STAGES) and rank them; stop at the first stage
    that finds a match. `lookup` returns the records filed under the given blocking keys."""
    pool: dict[T, Prepared] = {}
    hits: list[tuple[T, Score, str]] = []
    for keys in blocking.STAGES:
        pool.update(lookup(keys))
        hits = rank(query, pool.items(), index_size, bands, weights, source_of)
        if hits and hits[0][2] == MATCH:
            break
    return hits


# Levels at which a source's two records are of two people (a name or date that disagrees).
_DIFFERENT = frozenset({Level.DISAGREE, Level.OTHER_NAME, Level.FAR_APART})


def _held_as_different_people(a: Prepared, b: Prepared) -> bool:
    return any(
        comparison.level in _DIFFERENT
        for comparison in (
            compare.compare_given(a, b),
            compare.compare_sex(a, b),
            compare.compare_date_of_birth(a, b),
        )
    )


def _odds(result: Score, prior: float) -> float:
    return float(2.0 ** min(result.evidence + prior, 60.0))


def _shared_with_rivals(
    item: T,
    record: Prepared,
    result: Score,
    rivals: list[tuple[T, Prepared, Score]],
    source_of: Callable[[T], str],
    prior: float,
) -> Score:
    rival_odds = sum(
        _odds(other_result, prior)
        for other, other_record, other_result in rivals
        if other != item
        and source_of(other) == source_of(item)
        and _held_as_different_people(record, other_record)
    )
    if rival_odds == 0.0:
        return result
    odds = _odds(result, prior)
    return replace(result, probability=odds / (1.0 + odds + rival_odds))
