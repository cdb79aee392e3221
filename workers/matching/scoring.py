"""Fellegi-Sunter scoring: field comparisons weighed by m/u probabilities into a match probability."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from workers.matching import compare
from workers.matching.compare import Comparison, Level
from workers.matching.person import Prepared

MATCH = "match"
POSSIBLE = "possible"


@dataclass(frozen=True, slots=True)
class Bands:
    """Probability thresholds: at or above `match` is a match, at or above `possible` a possible
    match, below that a candidate is not shown."""

    match: float = 0.95
    possible: float = 0.85

    def __post_init__(self) -> None:
        if not 0.0 < self.possible <= self.match <= 1.0:
            raise ValueError("bands need 0 < possible <= match <= 1")

    def band(self, probability: float) -> str | None:
        if probability >= self.match:
            return MATCH
        if probability >= self.possible:
            return POSSIBLE
        return None


@dataclass(frozen=True, slots=True)
class FieldResult:
    """One field's comparison and the evidence (log2 Bayes factor) it added."""

    field: str
    level: Level
    weight: float
    note: str | None = None

    @property
    def agreed(self) -> bool:
        return self.level in (Level.EXACT, Level.CLOSE, Level.PARTIAL) and self.weight > 0

    @property
    def disagreed(self) -> bool:
        return self.level is Level.DISAGREE or (self.level is not Level.MISSING and self.weight < 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "level": str(self.level),
            "weight": round(self.weight, 2),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Score:
    """`evidence` is the log2 Bayes factor the fields add up to: their weights' sum, except that
    when a field says the record may be a relative's, less (see _log2_odds)."""

    probability: float
    evidence: float
    fields: tuple[FieldResult, ...]

    @property
    def agreed(self) -> tuple[FieldResult, ...]:
        return tuple(f for f in self.fields if f.agreed)

    @property
    def disagreed(self) -> tuple[FieldResult, ...]:
        return tuple(f for f in self.fields if f.disagreed)


@dataclass(frozen=True, slots=True)
class Weights:
    """log2(m/u) per field table and level, how to set the prior, and for each kind of relative
    the chance that one has a record on the index while the person has none."""

    tables: dict[str, dict[Level, float]]
    in_index: float
    min_index_size: int
    relatives: dict[str, float]

    def weight(self, table: str, level: Level) -> float:
        if level is Level.MISSING:
            return 0.0
        return self.tables[table][level]

    def prior_log2_odds(self, index_size: int) -> float:
        """The odds that one record, picked before looking, is the person asked about."""
        chance = self.in_index / max(index_size, self.min_index_size)
        return math.log2(chance / (1.0 - chance))

    def relative_log2_odds(self, relative: str) -> float:
        """The odds that a record which may be this relative's is the person's own instead."""
        return math.log2(self.in_index / self.relatives[relative])

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Weights:
        tables: dict[str, dict[Level, float]] = {}
        for table, levels in data["fields"].items():
            tables[table] = {}
            for level, mu in levels.items():
                m, u = float(mu["m"]), float(mu["u"])
                if not (0.0 < m < 1.0 and 0.0 < u < 1.0):
                    raise ValueError(f"{table}.{level}: m and u must be between 0 and 1")
                tables[table][Level(level)] = math.log2(m / u)
        relatives = {name: float(v["chance"]) for name, v in data["relatives"].items()}
        if not all(0.0 < chance < 1.0 for chance in relatives.values()):
            raise ValueError("relatives: each chance must be between 0 and 1")
        return cls(
            tables=tables,
            in_index=float(data["prior"]["in_index"]),
            min_index_size=int(data["prior"]["min_index_size"]),
            relatives=relatives,
        )


@cache
def default_weights() -> Weights:
    text = resources.files(__package__).joinpath("weights.yaml").read_text(encoding="utf-8")
    return Weights.from_mapping(yaml.safe_load(text))


def _agrees(level: Level) -> bool:
    return level in (Level.EXACT, Level.CLOSE)


def compare_all(query: Prepared, record: Prepared) -> list[Comparison]:
    """Every field comparison for a pair, the date field chosen by what the query gives."""
    given, family = compare.compare_names(query, record)
    if query.unborn:
        born = compare.compare_expected_date(query, record)
    elif query.dob_digits is None and query.age_years is not None:
        born = compare.compare_age(query, record)
    else:
        born = compare.compare_date_of_birth(query, record)
    return [
        given,
        family,
        born,
        compare.compare_sex(query, record),
        compare.compare_address(query, record),
        compare.compare_postcode(query, record),
    ]


# The fields that tell one member of a household from another, and the levels at which they
# single a person out. A given name only spelt alike (Ellie, Elsie; Kyle, Kylie) does not:
# brothers' and sisters' names often are. A typo of the recorded name that is no name at all
# (Anfrew for Andrew) does; compare_given tells the two apart with a list of given names and
# calls only the typo close. A date of birth one digit out does: a brother or sister born on the
# same day of the year, or within days, is rare (twins share the whole date, and are told apart
# by the candidates competing, candidates.rank).
_SINGLES_OUT = {
    "given_name": (Level.EXACT, Level.CLOSE),
    "date_of_birth": (Level.EXACT, Level.CLOSE, Level.PARTIAL),
    "expected_date": (Level.EXACT, Level.CLOSE, Level.PARTIAL),
}


def _nothing_personal_agrees(by_field: dict[str, Level]) -> bool:
    return not any(by_field.get(field) in levels for field, levels in _SINGLES_OUT.items())


def _table_for(comparison: Comparison, by_field: dict[str, Level]) -> str:
    """Which m/u table applies, given the fields this one depends on."""
    if comparison.field == "address" and _agrees(by_field["postcode"]):
        return "address_same_postcode"
    if (
        comparison.field == "family_name"
        and _agrees(by_field["address"])
        and _nothing_personal_agrees(by_field)
    ):
        return "family_name_same_household"
    return comparison.field


def comparison_vector(query: Prepared, record: Prepared) -> list[tuple[str, Comparison]]:
    """Each field's comparison with the m/u table that weighs it."""
    comparisons = compare_all(query, record)
    by_field = {c.field: c.level for c in comparisons}
    return [(_table_for(c, by_field), c) for c in comparisons]


# A field level that says the record may be a relative's rather than the person's: which relative
# (weights.yaml, relatives), and the fields that tell the two apart. Those count in full; what the
# others add, with the prior, is capped at the odds that the record is the person's own. A twin
# shares all but the given name (and the sex, one time in three); a namesake of another
# generation all but the date of birth (and sometimes the sex).
_RELATIVES: dict[tuple[str, Level], tuple[str, frozenset[str]]] = {
    ("given_name", Level.OTHER_NAME): ("twin", frozenset({"given_name", "sex"})),
    ("date_of_birth", Level.FAR_APART): ("namesake", frozenset({"date_of_birth", "sex"})),
    ("age", Level.FAR_APART): ("namesake", frozenset({"age", "sex"})),
}


def _log2_odds(fields: tuple[FieldResult, ...], weights: Weights, prior: float) -> float:
    """The prior plus the fields' evidence, with what a relative would share capped."""
    relatives = [_RELATIVES[(f.field, f.level)] for f in fields if (f.field, f.level) in _RELATIVES]
    if not relatives:
        return prior + sum(f.weight for f in fields)
    telling = frozenset().union(*(told_by for _, told_by in relatives))
    cap = min(weights.relative_log2_odds(relative) for relative, _ in relatives)
    told = sum(f.weight for f in fields if f.field in telling)
    shared = sum(f.weight for f in fields if f.field not in telling)
    return told + min(prior + shared, cap)


def score(
    query: Prepared, record: Prepared, index_size: int, weights: Weights | None = None
) -> Score:
    weights = weights or default_weights()
    fields = tuple(
        FieldResult(c.field, c.level, weights.weight(table, c.level), c.note)
        for table, c in comparison_vector(query, record)
    )
    prior = weights.prior_log2_odds(index_size)
    log2_odds = _log2_odds(fields, weights, prior)
    # Clamped so that 2**x cannot overflow for absurd inputs.
    probability = 1.0 / (1.0 + 2.0 ** -max(min(log2_odds, 60.0), -60.0))
    return Score(probability=probability, evidence=log2_odds - prior, fields=fields)
