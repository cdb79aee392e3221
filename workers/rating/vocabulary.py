"""The codes the rating speaks in: ratings, categories, risk indicators, record flags, consent.

Category and risk-indicator codes are those of `taxonomy.yaml`, kept in `nlp.codes`. The rules loader
checks a hub's rules file against them, because a misspelt code in a Red rule would otherwise
switch that rule off without anyone noticing.
"""

from __future__ import annotations

from typing import Literal, TypeGuard, get_args

import nlp.codes as nlp_codes

Rating = Literal["blue", "green", "amber", "red"]
ConsentAnswer = Literal["yes", "no", "not_asked"]

# Lowest first: a rating's position is its level, so "the safer of two" is simply the higher one.
RATINGS: tuple[Rating, ...] = get_args(Rating)
CONSENT_ANSWERS: tuple[ConsentAnswer, ...] = get_args(ConsentAnswer)

# One list of codes for the whole service: the NLP's, which a test checks against taxonomy.yaml.
CATEGORY_CODES: frozenset[str] = frozenset(nlp_codes.CATEGORY_CODES)
RISK_INDICATOR_CODES: frozenset[str] = frozenset(nlp_codes.RISK_INDICATOR_CODES)

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
