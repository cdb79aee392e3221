"""The codes the rating speaks in: ratings, categories, risk indicators, record flags, consent.

Category and risk-indicator codes are copied from `taxonomy.yaml` (version 1). The rules loader
checks a hub's rules file against them, because a misspelt code in a Red rule would otherwise
switch that rule off without anyone noticing.
"""

from __future__ import annotations

from typing import Literal, TypeGuard, get_args

Rating = Literal["blue", "green", "amber", "red"]
ConsentAnswer = Literal["yes", "no", "not_asked"]

# Lowest first: a rating's position is its level, so "the safer of two" is simply the higher one.
RATINGS: tuple[Rating, ...] = get_args(Rating)
CONSENT_ANSWERS: tuple[ConsentAnswer, ...] = get_args(ConsentAnswer)

CATEGORY_CODES: frozenset[str] = frozenset(
    {
        "physical_abuse",
        "emotional_abuse",
        "sexual_abuse",
        "neglect",
        "domestic_abuse",
        "child_sexual_exploitation",
        "child_criminal_exploitation",
        "trafficking",
        "missing",
        "child_mental_health",
        "child_substance_misuse",
        "parental_mental_health",
        "parental_substance_misuse",
        "homelessness",
        "anti_social_behaviour",
        "youth_offending",
        "radicalisation",
        "fgm",
        "honour_based_abuse",
        "private_fostering",
        "unaccompanied_child",
        "child_disability",
    }
)

RISK_INDICATOR_CODES: frozenset[str] = frozenset(
    {
        "immediate_danger",
        "serious_injury",
        "injury_non_mobile_baby",
        "sexual_abuse_disclosure",
        "weapon",
        "strangulation",
        "child_alone",
        "suicide_risk",
        "missing_now",
        "fgm_imminent",
    }
)

# The flags a person record can carry (the `flags` column of the records CSV, plus an open case).
RECORD_FLAGS: tuple[str, ...] = ("cp_plan", "cin", "lac", "open_case", "restricted")


def is_rating(value: object) -> TypeGuard[Rating]:
    return isinstance(value, str) and value in RATINGS


def level(rating: Rating) -> int:
    return RATINGS.index(rating)


def higher(a: Rating, b: Rating) -> Rating:
    return a if level(a) >= level(b) else b


def raised(rating: Rating, steps: int) -> Rating:
    return RATINGS[min(level(rating) + steps, len(RATINGS) - 1)]
