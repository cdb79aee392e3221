"""What `nlp.extract` returns, and its JSON form (the `frontdoor nlp extract` contract).

Every offset is a character offset into the text that was passed to `extract`, so
`text[start:end] == item.text` always holds. See the `nlp` package docstring for the JSON shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

AgeUnit = Literal["years", "months", "weeks", "days"]
_AGE_UNITS: tuple[AgeUnit, ...] = ("years", "months", "weeks", "days")


@dataclass(frozen=True)
class Mention:
    """Words in the text that support one code, with their ConText qualifiers."""

    code: str
    start: int
    end: int
    text: str
    negated: bool = False
    possible: bool = False
    historical: bool = False
    other_experiencer: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "negated": self.negated,
            "possible": self.possible,
            "historical": self.historical,
            "other_experiencer": self.other_experiencer,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mention:
        return cls(
            code=str(data["code"]),
            start=int(data["start"]),
            end=int(data["end"]),
            text=str(data["text"]),
            negated=bool(data.get("negated", False)),
            possible=bool(data.get("possible", False)),
            historical=bool(data.get("historical", False)),
            other_experiencer=bool(data.get("other_experiencer", False)),
        )


@dataclass(frozen=True)
class Detail:
    """A detail found in the text: `value` is its normalised form (ISO date, E.164 phone...)."""

    value: str
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "text": self.text, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Detail:
        return cls(
            value=str(data["value"]),
            text=str(data["text"]),
            start=int(data["start"]),
            end=int(data["end"]),
        )


@dataclass(frozen=True)
class Age:
    """A child's age as said: `value` whole `unit`s ("6 month old" is 6 months)."""

    value: int
    unit: AgeUnit
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Age:
        unit = str(data.get("unit", "years"))
        if unit not in _AGE_UNITS:
            raise ValueError(f"unknown age unit {unit!r}")
        return cls(
            value=int(data["value"]),
            unit=unit,
            text=str(data["text"]),
            start=int(data["start"]),
            end=int(data["end"]),
        )


@dataclass(frozen=True)
class Name:
    """A person's name where the text says whose it is; `role` is e.g. "child", "mother"."""

    value: str
    role: str
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "role": self.role,
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Name:
        return cls(
            value=str(data["value"]),
            role=str(data["role"]),
            text=str(data["text"]),
            start=int(data["start"]),
            end=int(data["end"]),
        )


@dataclass(frozen=True)
class Entities:
    """Details for pre-filling answers, each list in text order."""

    dates_of_birth: list[Detail] = field(default_factory=list)
    ages: list[Age] = field(default_factory=list)
    postcodes: list[Detail] = field(default_factory=list)
    phones: list[Detail] = field(default_factory=list)
    emails: list[Detail] = field(default_factory=list)
    names: list[Name] = field(default_factory=list)
    schools: list[Detail] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dates_of_birth": [d.to_dict() for d in self.dates_of_birth],
            "ages": [a.to_dict() for a in self.ages],
            "postcodes": [d.to_dict() for d in self.postcodes],
            "phones": [d.to_dict() for d in self.phones],
            "emails": [d.to_dict() for d in self.emails],
            "names": [n.to_dict() for n in self.names],
            "schools": [d.to_dict() for d in self.schools],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entities:
        return cls(
            dates_of_birth=[Detail.from_dict(d) for d in data.get("dates_of_birth", [])],
            ages=[Age.from_dict(a) for a in data.get("ages", [])],
            postcodes=[Detail.from_dict(d) for d in data.get("postcodes", [])],
            phones=[Detail.from_dict(d) for d in data.get("phones", [])],
            emails=[Detail.from_dict(d) for d in data.get("emails", [])],
            names=[Name.from_dict(n) for n in data.get("names", [])],
            schools=[Detail.from_dict(d) for d in data.get("schools", [])],
        )


@dataclass(frozen=True)
class Extraction:
    """Categories, risk indicators, the mentions behind them, and details, for one text."""

    categories: list[str] = field(default_factory=list)
    risk_indicators: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    entities: Entities = field(default_factory=Entities)

    def to_dict(self) -> dict[str, Any]:
        """The JSONL contract of design.md, less the "id" that the caller adds."""
        return {
            "categories": list(self.categories),
            "risk_indicators": list(self.risk_indicators),
            "mentions": [m.to_dict() for m in self.mentions],
            "entities": self.entities.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Extraction:
        """Read back what `to_dict` wrote (an "id" or other extra keys are ignored)."""
        return cls(
            categories=[str(c) for c in data.get("categories", [])],
            risk_indicators=[str(c) for c in data.get("risk_indicators", [])],
            mentions=[Mention.from_dict(m) for m in data.get("mentions", [])],
            entities=Entities.from_dict(data.get("entities", {})),
        )
