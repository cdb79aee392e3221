"""The threshold document: rules a hub can read and change, loaded and checked from YAML.

A rule either proposes a rating (`rating: amber`) or raises whatever the other rules gave
(`raise_by: 1`, optionally `at_least: amber`). The rating is the highest proposal, so rules can
only add caution: a hub's file cannot argue another rule down.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from workers.rating.conditions import Condition, ConditionError, compile_condition
from workers.rating.inputs import RatingInput
from workers.rating.result import Reason
from workers.rating.vocabulary import (
    CATEGORY_CODES,
    RATINGS,
    RISK_INDICATOR_CODES,
    Rating,
    is_rating,
)

DEFAULT_RULES_FILE = "default_rules.yaml"
DEFAULT_DESCRIPTION = (
    "No rule matched. A referral with no clear level is proposed Green so that an officer "
    "still reads it."
)


class RulesError(ValueError):
    """The rules document is not usable; the message names the file, the rule and the fix."""


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    condition: Condition
    rating: Rating | None = None
    raise_by: int = 0
    at_least: Rating | None = None

    def fire(self, inp: RatingInput) -> Reason | None:
        evidence = self.condition.evaluate(inp)
        if evidence is None:
            return None
        return Reason(
            rule_id=self.id,
            description=self.description,
            proposes=self.rating,
            raise_by=self.raise_by,
            at_least=self.at_least,
            evidence=evidence,
        )


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[Rule, ...]
    default_rating: Rating = "green"
    default_description: str = DEFAULT_DESCRIPTION
    source: str = "<rules>"


def load_rules(
    path: str | os.PathLike[str] | None = None,
    *,
    categories: frozenset[str] = CATEGORY_CODES,
    risk_indicators: frozenset[str] = RISK_INDICATOR_CODES,
) -> RuleSet:
    """Load a rules file, or the shipped defaults when `path` is None or empty.

    The caller passes the path (from FRONTDOOR_RATING_RULES via the settings); nothing here
    reads the environment.
    """
    if path is None or str(path) == "":
        shipped = resources.files("workers.rating").joinpath(DEFAULT_RULES_FILE)
        source = str(shipped)
        text = shipped.read_text("utf-8")
    else:
        source = str(path)
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as error:
            raise RulesError(f"{source}: cannot read the rules file ({error.strerror})") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RulesError(f"{source}: not valid YAML: {error}") from None
    return parse_rules(
        document, source=source, categories=categories, risk_indicators=risk_indicators
    )


_TOP_KEYS = {"version", "description", "default", "rules"}
_RULE_KEYS = {"id", "description", "when", "rating", "raise_by", "at_least"}


def parse_rules(
    document: Any,
    *,
    source: str = "<rules>",
    categories: frozenset[str] = CATEGORY_CODES,
    risk_indicators: frozenset[str] = RISK_INDICATOR_CODES,
) -> RuleSet:
    """Check a rules document (already parsed from YAML) and compile it."""
    if not isinstance(document, Mapping):
        raise RulesError(f"{source}: expected a mapping with `version` and `rules`")
    unknown = sorted(str(key) for key in set(document) - _TOP_KEYS)
    if unknown:
        raise RulesError(f"{source}: unknown key {unknown[0]!r} (known: {_listed(_TOP_KEYS)})")
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, str | int | float) or version == "":
        raise RulesError(f'{source}: `version` is required, e.g. version: "2025-09"')
    default_rating, default_description = _default(document.get("default"), source)
    raw_rules = document.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RulesError(f"{source}: `rules` must be a list with at least one rule")
    rules: list[Rule] = []
    seen: set[str] = set()
    for position, raw in enumerate(raw_rules, start=1):
        rule = _rule(raw, f"{source}: rule {position}", categories, risk_indicators)
        if rule.id in seen:
            raise RulesError(f"{source}: rule {position}: the id {rule.id!r} is used twice")
        seen.add(rule.id)
        rules.append(rule)
    return RuleSet(
        version=str(version),
        rules=tuple(rules),
        default_rating=default_rating,
        default_description=default_description,
        source=source,
    )


def _default(raw: Any, source: str) -> tuple[Rating, str]:
    if raw is None:
        return "green", DEFAULT_DESCRIPTION
    if not isinstance(raw, Mapping) or set(raw) - {"rating", "description"}:
        raise RulesError(f"{source}: `default` takes only `rating` and `description`")
    rating = raw.get("rating", "green")
    if not is_rating(rating):
        raise RulesError(f"{source}: default: " + _bad_rating("rating", rating))
    description = raw.get("description", DEFAULT_DESCRIPTION)
    if not isinstance(description, str) or not description.strip():
        raise RulesError(f"{source}: default: `description` must be text")
    return rating, description.strip()


def _rule(
    raw: Any, where: str, categories: frozenset[str], risk_indicators: frozenset[str]
) -> Rule:
    if not isinstance(raw, Mapping):
        raise RulesError(f"{where}: each rule must be a mapping with id, description and when")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise RulesError(f"{where}: `id` is required and must be text")
    where = f"{where} ({rule_id!r})"
    unknown = sorted(str(key) for key in set(raw) - _RULE_KEYS)
    if unknown:
        raise RulesError(f"{where}: unknown key {unknown[0]!r} (known: {_listed(_RULE_KEYS)})")
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        raise RulesError(f"{where}: `description` is required: say in plain English what it does")
    if "when" not in raw:
        raise RulesError(f"{where}: `when` is required")
    try:
        condition = compile_condition(
            raw["when"], categories=categories, risk_indicators=risk_indicators
        )
    except ConditionError as error:
        raise RulesError(f"{where}: when: {error}") from None
    rating, raise_by, at_least = _action(raw, where)
    return Rule(
        id=rule_id.strip(),
        description=" ".join(description.split()),
        condition=condition,
        rating=rating,
        raise_by=raise_by,
        at_least=at_least,
    )


def _action(raw: Mapping[str, Any], where: str) -> tuple[Rating | None, int, Rating | None]:
    if ("rating" in raw) == ("raise_by" in raw):
        raise RulesError(f"{where}: give either `rating` (red, amber, green, blue) or `raise_by`")
    if "rating" in raw:
        if "at_least" in raw:
            raise RulesError(f"{where}: `at_least` goes with `raise_by`, not with `rating`")
        rating = raw["rating"]
        if not is_rating(rating):
            raise RulesError(f"{where}: " + _bad_rating("rating", rating))
        return rating, 0, None
    steps = raw["raise_by"]
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps < len(RATINGS):
        raise RulesError(f"{where}: `raise_by` must be 1, 2 or 3 levels, not {steps!r}")
    at_least = raw.get("at_least")
    if at_least is not None and not is_rating(at_least):
        raise RulesError(f"{where}: " + _bad_rating("at_least", at_least))
    return None, steps, at_least


def _bad_rating(key: str, value: Any) -> str:
    return f"`{key}` must be one of red, amber, green, blue, not {value!r}"


def _listed(keys: set[str]) -> str:
    return ", ".join(sorted(keys))
