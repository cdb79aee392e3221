"""The vocabulary of a rule's `when:`: each key is one check, and a rule fires when all hold.

Each check returns the evidence it used (the words, the records, the children, the counts) or
None when it does not hold. Keys are parsed once, when the rules file is loaded, so a mistake in a
hub's file is reported then and not in the middle of rating a contact.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from forms.choices import CONSENT, CONSENT_REASONS, Choice
from workers.rating.inputs import ChildFacts, Mention, RatingInput
from workers.rating.result import Evidence, RecordEvidence
from workers.rating.vocabulary import CONSENT_ANSWERS, RECORD_FLAGS

Check = Callable[[RatingInput], Evidence | None]

# Ages are worked out on the day the contact arrived, as the hub sees the date.
HUB_ZONE = ZoneInfo("Europe/London")

QUALIFIERS = ("not_historical", "historical_only", "not_possible", "not_other_experiencer")


class ConditionError(ValueError):
    """A `when:` that cannot be understood; the message says what to change."""


@dataclass(frozen=True)
class Condition:
    """A rule's `when:`: every check must hold."""

    checks: tuple[Check, ...]

    def evaluate(self, inp: RatingInput) -> Evidence | None:
        evidence = Evidence()
        for check in self.checks:
            found = check(inp)
            if found is None:
                return None
            evidence = evidence.merge(found)
        return evidence


@dataclass(frozen=True)
class _Options:
    """Keys that change how other keys read the contact rather than being checks themselves."""

    qualifiers: frozenset[str]
    min_match_probability: float
    categories: frozenset[str]
    risk_indicators: frozenset[str]


_MODIFIERS = ("qualifiers", "min_match_probability")


def compile_condition(
    when: Any, *, categories: frozenset[str], risk_indicators: frozenset[str]
) -> Condition:
    if not isinstance(when, Mapping) or not when:
        raise ConditionError("`when` must be a mapping with at least one condition")
    unknown = [key for key in when if key not in _BUILDERS and key not in _MODIFIERS]
    if unknown:
        raise ConditionError(_unknown("condition", unknown[0], [*_BUILDERS, *_MODIFIERS]))
    options = _Options(
        qualifiers=_qualifiers(when.get("qualifiers", [])),
        min_match_probability=_probability(when.get("min_match_probability", 0.0)),
        categories=categories,
        risk_indicators=risk_indicators,
    )
    if "qualifiers" in when and not {"category_any", "category_all", "risk_indicator_any"} & set(
        when
    ):
        raise ConditionError(
            "`qualifiers` only apply with category_any, category_all or risk_indicator_any"
        )
    if "min_match_probability" in when and "matched_flag_any" not in when:
        raise ConditionError("`min_match_probability` only applies with matched_flag_any")
    checks = tuple(
        _BUILDERS[key](value, options) for key, value in when.items() if key in _BUILDERS
    )
    return Condition(checks=checks)


def condition_names() -> tuple[str, ...]:
    return (*_BUILDERS, *_MODIFIERS)


# Mentions ----------------------------------------------------------------------------------


def _counted(
    mentions: Iterable[Mention], codes: Collection[str] | None, qualifiers: frozenset[str]
) -> tuple[Mention, ...]:
    """The mentions a rule may use: never negated ones, then whatever its qualifiers allow.

    `historical_only` is about the whole picture: it gives nothing if any counted mention of
    these codes is current, so "it happened before" rules stay quiet when it is happening now.
    """
    counted = [
        m
        for m in mentions
        if not m.negated
        and (codes is None or m.code in codes)
        and not ("not_possible" in qualifiers and m.possible)
        and not ("not_other_experiencer" in qualifiers and m.other_experiencer)
    ]
    if "not_historical" in qualifiers:
        counted = [m for m in counted if not m.historical]
    if "historical_only" in qualifiers and any(not m.historical for m in counted):
        return ()
    return tuple(counted)


def _category_any(value: Any, options: _Options) -> Check:
    codes = _codes("category_any", value, options.categories, "category")

    def check(inp: RatingInput) -> Evidence | None:
        found = _counted(inp.categories, codes, options.qualifiers)
        return Evidence(mentions=found) if found else None

    return check


def _category_all(value: Any, options: _Options) -> Check:
    codes = _codes("category_all", value, options.categories, "category")

    def check(inp: RatingInput) -> Evidence | None:
        found = _counted(inp.categories, codes, options.qualifiers)
        if {m.code for m in found} != set(codes):
            return None
        return Evidence(mentions=found)

    return check


def _risk_indicator_any(value: Any, options: _Options) -> Check:
    codes = (
        None
        if value == "any"
        else _codes("risk_indicator_any", value, options.risk_indicators, "risk indicator")
    )

    def check(inp: RatingInput) -> Evidence | None:
        found = _counted(inp.risk_indicators, codes, options.qualifiers)
        return Evidence(mentions=found) if found else None

    return check


def _concerns_found(value: Any, options: _Options) -> Check:
    wanted = _bool("concerns_found", value)

    def check(inp: RatingInput) -> Evidence | None:
        found = bool(inp.live_categories() or inp.live_risk_indicators())
        if found != wanted:
            return None
        if found:
            return Evidence(facts=("The text describes at least one concern",))
        return Evidence(facts=("No category of concern or risk indicator was found in the text",))

    return check


# Children ----------------------------------------------------------------------------------


def _received_on(inp: RatingInput) -> date:
    return inp.received_at.astimezone(HUB_ZONE).date()


def _label(child: ChildFacts, position: int) -> str:
    return child.ref or f"child {position}"


def _child_under_months(value: Any, options: _Options) -> Check:
    limit = _positive_int("child_under_months", value)

    def check(inp: RatingInput) -> Evidence | None:
        on = _received_on(inp)
        refs: list[str] = []
        facts: list[str] = []
        for position, child in enumerate(inp.children, start=1):
            ages = child.age_range_months(on)
            if ages is None or ages[0] >= limit:
                continue
            label = _label(child, position)
            refs.append(label)
            if ages[0] == ages[1]:
                facts.append(f"{label} is {ages[0]} months old")
            else:
                facts.append(
                    f"{label} is {ages[0] // 12} years old, so could be under {limit} months"
                )
        return Evidence(child_refs=tuple(refs), facts=tuple(facts)) if refs else None

    return check


def _unborn_child(value: Any, options: _Options) -> Check:
    wanted = _bool("unborn_child", value)

    def check(inp: RatingInput) -> Evidence | None:
        on = _received_on(inp)
        refs = tuple(
            _label(child, position)
            for position, child in enumerate(inp.children, start=1)
            if child.is_unborn(on)
        )
        if bool(refs) != wanted:
            return None
        if refs:
            return Evidence(child_refs=refs, facts=tuple(f"{ref} is not yet born" for ref in refs))
        return Evidence(facts=("No child on the contact is unborn",))

    return check


def _matched_flag_any(value: Any, options: _Options) -> Check:
    flags = _codes("matched_flag_any", value, frozenset(RECORD_FLAGS), "record flag")

    def check(inp: RatingInput) -> Evidence | None:
        records: list[RecordEvidence] = []
        for position, child in enumerate(inp.children, start=1):
            for record in child.matched_records:
                if record.probability < options.min_match_probability:
                    continue
                hits = tuple(flag for flag in record.flags() if flag in flags)
                if hits:
                    records.append(
                        RecordEvidence(
                            child_ref=_label(child, position),
                            record_id=record.record_id,
                            probability=record.probability,
                            flags=hits,
                            restricted=record.restricted,
                        )
                    )
        return Evidence(records=tuple(records)) if records else None

    return check


# Contact facts -----------------------------------------------------------------------------


def _immediate_danger(value: Any, options: _Options) -> Check:
    wanted = _bool("immediate_danger", value)

    def check(inp: RatingInput) -> Evidence | None:
        if inp.immediate_danger is not wanted:
            return None
        answer = "yes" if wanted else "no"
        return Evidence(facts=(f"The referrer answered {answer} to 'is a child in danger now'",))

    return check


def _repeat_contacts_at_least(value: Any, options: _Options) -> Check:
    least = _positive_int("repeat_contacts_at_least", value)

    def check(inp: RatingInput) -> Evidence | None:
        count = inp.repeat_contacts_12m
        if count < least:
            return None
        return Evidence(
            repeat_contacts=count,
            facts=(f"{count} contacts about the child or children in the last 12 months",),
        )

    return check


def _repeat_threshold_reached(value: Any, options: _Options) -> Check:
    wanted = _bool("repeat_threshold_reached", value)

    def check(inp: RatingInput) -> Evidence | None:
        if inp.repeat_threshold_reached is not wanted:
            return None
        count = inp.repeat_contacts_12m
        verb = "reaches" if wanted else "is below"
        return Evidence(
            repeat_contacts=count,
            facts=(
                f"{count} contacts about the child or children in the last 12 months, "
                f"which {verb} the hub's repeat threshold",
            ),
        )

    return check


def _choice_words(choices: tuple[Choice, ...], code: str | None) -> str:
    """The words the referrer chose ("Asking would put the child at risk"), not the code."""
    return next((c.label for c in choices if c.value == code), str(code))


def _consent_answer_any(value: Any, options: _Options) -> Check:
    # YAML reads a bare `no` or `yes` as a boolean; a hub writing `[no, not_asked]` means the
    # answers, so read them back as such.
    if isinstance(value, list):
        value = [{False: "no", True: "yes"}.get(v, v) if isinstance(v, bool) else v for v in value]
    answers = _codes("consent_answer_any", value, frozenset(CONSENT_ANSWERS), "consent answer")

    def check(inp: RatingInput) -> Evidence | None:
        if inp.consent_answer not in answers:
            return None
        answer = _choice_words(CONSENT, inp.consent_answer)
        return Evidence(facts=(f"Asked whether the family know and agree: {answer}",))

    return check


def _consent_reason_any(value: Any, options: _Options) -> Check:
    # Reason codes belong to the form, not the taxonomy, so any non-empty code is accepted.
    reasons = _strings("consent_reason_any", value)

    def check(inp: RatingInput) -> Evidence | None:
        if inp.consent_reason not in reasons:
            return None
        reason = _choice_words(CONSENT_REASONS, inp.consent_reason)
        return Evidence(facts=(f"Why the family were not asked or do not agree: {reason}",))

    return check


def _information_request(value: Any, options: _Options) -> Check:
    wanted = _bool("information_request", value)

    def check(inp: RatingInput) -> Evidence | None:
        if inp.is_information_request is not wanted:
            return None
        if wanted:
            return Evidence(facts=("The referrer asked for information or advice",))
        return Evidence(facts=("The referrer did not ask only for information or advice",))

    return check


def _concern_text(value: Any, options: _Options) -> Check:
    wanted = _bool("concern_text", value)

    def check(inp: RatingInput) -> Evidence | None:
        if inp.has_concern_text is not wanted:
            return None
        if wanted:
            return Evidence(facts=("The referrer described a concern",))
        return Evidence(facts=("The referrer described no concern",))

    return check


_BUILDERS: dict[str, Callable[[Any, _Options], Check]] = {
    "immediate_danger": _immediate_danger,
    "risk_indicator_any": _risk_indicator_any,
    "category_any": _category_any,
    "category_all": _category_all,
    "concerns_found": _concerns_found,
    "child_under_months": _child_under_months,
    "unborn_child": _unborn_child,
    "matched_flag_any": _matched_flag_any,
    "repeat_contacts_at_least": _repeat_contacts_at_least,
    "repeat_threshold_reached": _repeat_threshold_reached,
    "consent_answer_any": _consent_answer_any,
    "consent_reason_any": _consent_reason_any,
    "information_request": _information_request,
    "concern_text": _concern_text,
}


# Parsing values ----------------------------------------------------------------------------


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConditionError(f"`{key}` must be true or false, not {value!r}")
    return value


def _positive_int(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConditionError(f"`{key}` must be a whole number above 0, not {value!r}")
    return value


def _probability(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConditionError(f"`min_match_probability` must be between 0 and 1, not {value!r}")
    return float(value)


def _strings(key: str, value: Any) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ConditionError(f"`{key}` must be a list with at least one code")
    if not all(isinstance(item, str) and item for item in value):
        raise ConditionError(f"`{key}` must list codes as text")
    return frozenset(value)


def _codes(key: str, value: Any, known: frozenset[str], kind: str) -> frozenset[str]:
    codes = _strings(key, value)
    for code in sorted(codes):
        if code not in known:
            raise ConditionError(f"`{key}`: " + _unknown(kind, code, sorted(known)))
    return codes


def _qualifiers(value: Any) -> frozenset[str]:
    if value == []:
        return frozenset()
    qualifiers = _strings("qualifiers", value)
    for qualifier in sorted(qualifiers):
        if qualifier not in QUALIFIERS:
            raise ConditionError("`qualifiers`: " + _unknown("qualifier", qualifier, QUALIFIERS))
    if {"not_historical", "historical_only"} <= qualifiers:
        raise ConditionError("`qualifiers` cannot have both not_historical and historical_only")
    return qualifiers


def _unknown(kind: str, name: str, known: Iterable[str]) -> str:
    choices = list(known)
    close = difflib.get_close_matches(name, choices, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {kind} {name!r}{hint} (known: {', '.join(choices)})"
