"""The provisional BRAG rating of a contact, its reasons, and its deadline.

Pure functions over plain values: the worker copies what it needs from the database into a
`RatingInput`, loads the rules, timescales and calendar once per process, and calls `rate()`.
"""

from workers.rating.deadlines import (
    DEFAULT_TIMESCALES,
    Clock,
    Timescale,
    Timescales,
    WorkingCalendar,
    compute_deadline,
    england_and_wales_bank_holidays,
    hub_timescales,
    load_timescales,
)
from workers.rating.engine import ALWAYS_RED_ID, DEFAULT_ID, rate
from workers.rating.inputs import (
    ChildFacts,
    MatchedRecord,
    Mention,
    RatingInput,
    split_mentions,
)
from workers.rating.result import Evidence, RatingResult, Reason, RecordEvidence
from workers.rating.rules import Rule, RulesError, RuleSet, load_rules, parse_rules
from workers.rating.vocabulary import RATINGS, ConsentAnswer, Rating, is_rating

__all__ = [
    "ALWAYS_RED_ID",
    "DEFAULT_ID",
    "DEFAULT_TIMESCALES",
    "RATINGS",
    "ChildFacts",
    "Clock",
    "ConsentAnswer",
    "Evidence",
    "MatchedRecord",
    "Mention",
    "Rating",
    "RatingInput",
    "RatingResult",
    "Reason",
    "RecordEvidence",
    "Rule",
    "RuleSet",
    "RulesError",
    "Timescale",
    "Timescales",
    "WorkingCalendar",
    "compute_deadline",
    "england_and_wales_bank_holidays",
    "hub_timescales",
    "is_rating",
    "load_rules",
    "load_timescales",
    "parse_rules",
    "rate",
    "split_mentions",
]
