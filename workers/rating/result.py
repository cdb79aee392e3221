"""What the rating produces: the rating, the reasons with their evidence, and the deadline.

Everything converts to and from plain JSON values so the worker can store it as it is and the
officer pages can show exactly what the rules saw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from workers.rating.deadlines import Clock, parse_clock
from workers.rating.inputs import Mention
from workers.rating.vocabulary import Rating, is_rating

_T = TypeVar("_T")


@dataclass(frozen=True)
class RecordEvidence:
    """A matched person record a rule relied on.

    `restricted` is passed through so whoever shows the reason can hide a restricted record's
    details from staff who may not see them.
    """

    child_ref: str
    record_id: str
    probability: float
    flags: tuple[str, ...]
    restricted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "child_ref": self.child_ref,
            "record_id": self.record_id,
            "probability": self.probability,
            "flags": list(self.flags),
            "restricted": self.restricted,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RecordEvidence:
        return cls(
            child_ref=str(data["child_ref"]),
            record_id=str(data["record_id"]),
            probability=float(data["probability"]),
            flags=tuple(str(f) for f in data.get("flags", ())),
            restricted=bool(data.get("restricted", False)),
        )


@dataclass(frozen=True)
class Evidence:
    """What a rule saw when it fired: the words, the records, the children, the counts."""

    mentions: tuple[Mention, ...] = ()
    records: tuple[RecordEvidence, ...] = ()
    child_refs: tuple[str, ...] = ()
    repeat_contacts: int | None = None
    facts: tuple[str, ...] = ()

    def merge(self, other: Evidence) -> Evidence:
        return Evidence(
            mentions=_unique(self.mentions + other.mentions),
            records=_unique(self.records + other.records),
            child_refs=_unique(self.child_refs + other.child_refs),
            repeat_contacts=(
                self.repeat_contacts if other.repeat_contacts is None else other.repeat_contacts
            ),
            facts=_unique(self.facts + other.facts),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "mentions": [m.to_dict() for m in self.mentions],
            "records": [r.to_dict() for r in self.records],
            "child_refs": list(self.child_refs),
            "repeat_contacts": self.repeat_contacts,
            "facts": list(self.facts),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        repeat = data.get("repeat_contacts")
        return cls(
            mentions=tuple(Mention.from_dict(m) for m in data.get("mentions", ())),
            records=tuple(RecordEvidence.from_dict(r) for r in data.get("records", ())),
            child_refs=tuple(str(c) for c in data.get("child_refs", ())),
            repeat_contacts=None if repeat is None else int(repeat),
            facts=tuple(str(f) for f in data.get("facts", ())),
        )


@dataclass(frozen=True)
class Reason:
    """One rule that fired: what it says in plain English, what it did, and its evidence.

    A rule either proposes a rating (`proposes`) or raises the rating by `raise_by` levels,
    to no less than `at_least`.
    """

    rule_id: str
    description: str
    proposes: Rating | None = None
    raise_by: int = 0
    at_least: Rating | None = None
    evidence: Evidence = field(default_factory=Evidence)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "description": self.description,
            "proposes": self.proposes,
            "raise_by": self.raise_by,
            "at_least": self.at_least,
            "evidence": self.evidence.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        return cls(
            rule_id=str(data["rule_id"]),
            description=str(data["description"]),
            proposes=_optional_rating(data.get("proposes")),
            raise_by=int(data.get("raise_by", 0)),
            at_least=_optional_rating(data.get("at_least")),
            evidence=Evidence.from_dict(data.get("evidence", {})),
        )


@dataclass(frozen=True)
class RatingResult:
    """The provisional rating of a contact and when a decision on it is due."""

    rating: Rating
    reasons: tuple[Reason, ...]
    rules_version: str
    deadline: datetime
    clock: Clock
    minutes: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "rating": self.rating,
            "reasons": [r.to_dict() for r in self.reasons],
            "rules_version": self.rules_version,
            "deadline": self.deadline.isoformat(),
            "clock": self.clock,
            "minutes": self.minutes,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RatingResult:
        rating = data["rating"]
        if not is_rating(rating):
            raise ValueError(f"not a rating: {rating!r}")
        deadline = datetime.fromisoformat(str(data["deadline"]))
        if deadline.tzinfo is None:
            raise ValueError("deadline must carry its UTC offset")
        return cls(
            rating=rating,
            reasons=tuple(Reason.from_dict(r) for r in data.get("reasons", ())),
            rules_version=str(data["rules_version"]),
            deadline=deadline,
            clock=parse_clock(data["clock"]),
            minutes=int(data["minutes"]),
        )


def _optional_rating(value: Any) -> Rating | None:
    if value is None:
        return None
    if not is_rating(value):
        raise ValueError(f"not a rating: {value!r}")
    return value


def _unique(items: tuple[_T, ...]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))
