"""What the rating looks at: plain values the worker copies out of the contact, NLP and matching.

Nothing here knows about the database, so the rules can be tested (and re-run) on their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from workers.rating.vocabulary import (
    CONSENT_ANSWERS,
    RISK_INDICATOR_CODES,
    ConsentAnswer,
)


@dataclass(frozen=True)
class Mention:
    """One place in the referral's text where NLP found a category or risk indicator.

    The shape of a mention in the NLP output. `start`/`end` are None when the code did not come
    from the text (a box the referrer ticked, say); `text` is then a short label of where it came
    from.
    """

    code: str
    text: str = ""
    start: int | None = None
    end: int | None = None
    negated: bool = False
    possible: bool = False
    historical: bool = False
    other_experiencer: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "negated": self.negated,
            "possible": self.possible,
            "historical": self.historical,
            "other_experiencer": self.other_experiencer,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Mention:
        return cls(
            code=str(data["code"]),
            text=str(data.get("text", "")),
            start=_optional_int(data.get("start")),
            end=_optional_int(data.get("end")),
            negated=bool(data.get("negated", False)),
            possible=bool(data.get("possible", False)),
            historical=bool(data.get("historical", False)),
            other_experiencer=bool(data.get("other_experiencer", False)),
        )


def split_mentions(
    mentions: Iterable[Mapping[str, Any]],
) -> tuple[tuple[Mention, ...], tuple[Mention, ...]]:
    """Split NLP `mentions` into (categories, risk_indicators) for a RatingInput.

    Negated mentions are kept: the rules ignore them, but they are part of what was read.
    """
    categories: list[Mention] = []
    risk_indicators: list[Mention] = []
    for raw in mentions:
        mention = Mention.from_dict(raw)
        if mention.code in RISK_INDICATOR_CODES:
            risk_indicators.append(mention)
        else:
            categories.append(mention)
    return tuple(categories), tuple(risk_indicators)


@dataclass(frozen=True)
class MatchedRecord:
    """An existing person record that matching linked to a child, with its flags."""

    record_id: str
    probability: float
    cp_plan: bool = False
    cin: bool = False
    lac: bool = False
    open_case: bool = False
    restricted: bool = False

    def flags(self) -> tuple[str, ...]:
        return tuple(
            name
            for name, on in (
                ("cp_plan", self.cp_plan),
                ("cin", self.cin),
                ("lac", self.lac),
                ("open_case", self.open_case),
                ("restricted", self.restricted),
            )
            if on
        )


@dataclass(frozen=True)
class ChildFacts:
    """One child on the contact, as far as the rules need to know them.

    `ref` identifies the child in reasons (the contact child's id); never put a name in it.
    Give whichever of date of birth, age in months or age in years the referrer gave; a date of
    birth after the contact was received means the child is not yet born.
    """

    ref: str = ""
    date_of_birth: date | None = None
    age_years: int | None = None
    age_months: int | None = None
    unborn: bool = False
    matched_records: tuple[MatchedRecord, ...] = ()

    def __post_init__(self) -> None:
        for name in ("age_years", "age_months"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} cannot be negative")

    def is_unborn(self, on: date) -> bool:
        return self.unborn or (self.date_of_birth is not None and self.date_of_birth > on)

    def age_range_months(self, on: date) -> tuple[int, int] | None:
        """The youngest and oldest the child can be, in whole months, or None if unknown.

        An age in years is a range (a "0 year old" is 0 to 11 months), so a rule about babies
        counts the child if they could be young enough: the safer reading.
        """
        if self.is_unborn(on):
            return None
        if self.date_of_birth is not None:
            months = _whole_months_between(self.date_of_birth, on)
            return months, months
        if self.age_months is not None:
            return self.age_months, self.age_months
        if self.age_years is not None:
            return self.age_years * 12, self.age_years * 12 + 11
        return None


@dataclass(frozen=True)
class RatingInput:
    """Everything the rating rules look at for one contact.

    `repeat_contacts_12m` counts contacts about the same child or children in the twelve months
    up to and including this one; `repeat_threshold_reached` is matching's flag for it (the
    hub's threshold). `is_information_request` is the referrer saying they only want
    information or advice; `has_concern_text` is whether they described a concern at all.
    """

    received_at: datetime
    immediate_danger: bool | None = None
    risk_indicators: tuple[Mention, ...] = ()
    categories: tuple[Mention, ...] = ()
    children: tuple[ChildFacts, ...] = ()
    consent_answer: ConsentAnswer = "not_asked"
    consent_reason: str | None = None
    repeat_contacts_12m: int = 0
    repeat_threshold_reached: bool = False
    is_information_request: bool = False
    has_concern_text: bool = True

    def __post_init__(self) -> None:
        if self.received_at.tzinfo is None or self.received_at.utcoffset() is None:
            raise ValueError("received_at must be timezone-aware")
        if self.consent_answer not in CONSENT_ANSWERS:
            raise ValueError(f"consent_answer must be one of {', '.join(CONSENT_ANSWERS)}")
        if self.repeat_contacts_12m < 0:
            raise ValueError("repeat_contacts_12m cannot be negative")

    def live_risk_indicators(self) -> tuple[Mention, ...]:
        return tuple(m for m in self.risk_indicators if not m.negated)

    def live_categories(self) -> tuple[Mention, ...]:
        return tuple(m for m in self.categories if not m.negated)


def _whole_months_between(earlier: date, later: date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(months, 0)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)
