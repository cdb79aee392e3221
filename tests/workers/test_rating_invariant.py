"""Nothing with a risk indicator is ever below Red, whatever the input and whatever the rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from workers.rating import (
    ALWAYS_RED_ID,
    DEFAULT_TIMESCALES,
    RATINGS,
    ChildFacts,
    MatchedRecord,
    Mention,
    RatingInput,
    WorkingCalendar,
    load_rules,
    parse_rules,
    rate,
)
from workers.rating.vocabulary import CATEGORY_CODES, RISK_INDICATOR_CODES

CALENDAR = WorkingCalendar.england_and_wales()
DEFAULT_RULES = load_rules()

flags = st.booleans()


def mentions(codes: frozenset[str], negated: st.SearchStrategy[bool] = flags):
    return st.builds(
        Mention,
        code=st.sampled_from(sorted(codes)),
        text=st.text(max_size=20),
        start=st.integers(0, 5000),
        negated=negated,
        possible=flags,
        historical=flags,
        other_experiencer=flags,
    )


records = st.builds(
    MatchedRecord,
    record_id=st.text(min_size=1, max_size=8),
    probability=st.floats(0, 1),
    cp_plan=flags,
    cin=flags,
    lac=flags,
    open_case=flags,
    restricted=flags,
)

children = st.builds(
    ChildFacts,
    ref=st.text(max_size=6),
    date_of_birth=st.none() | st.dates(date(2005, 1, 1), date(2029, 12, 31)),
    age_years=st.none() | st.integers(0, 18),
    age_months=st.none() | st.integers(0, 216),
    unborn=flags,
    matched_records=st.lists(records, max_size=3).map(tuple),
)

received_times = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


def rating_inputs(risk_indicators: st.SearchStrategy[tuple[Mention, ...]]):
    return st.builds(
        RatingInput,
        received_at=received_times,
        immediate_danger=st.none() | flags,
        risk_indicators=risk_indicators,
        categories=st.lists(mentions(CATEGORY_CODES), max_size=6).map(tuple),
        children=st.lists(children, max_size=3).map(tuple),
        consent_answer=st.sampled_from(["yes", "no", "not_asked"]),
        consent_reason=st.none() | st.sampled_from(["risk_of_harm", "could_not_reach"]),
        repeat_contacts_12m=st.integers(0, 10),
        repeat_threshold_reached=flags,
        is_information_request=flags,
        has_concern_text=flags,
    )


# At least one risk indicator that is not negated, among any others.
with_live_indicator = st.tuples(
    mentions(RISK_INDICATOR_CODES, negated=st.just(False)),
    st.lists(mentions(RISK_INDICATOR_CODES), max_size=4),
).map(lambda pair: (pair[0], *pair[1]))

only_negated_indicators = st.lists(
    mentions(RISK_INDICATOR_CODES, negated=st.just(True)), max_size=4
).map(tuple)

# Conditions a hub's file might use, to build files that try every way to keep a contact low.
conditions = st.sampled_from(
    [
        {"risk_indicator_any": "any"},
        {"risk_indicator_any": ["weapon", "serious_injury"], "qualifiers": ["not_historical"]},
        {"immediate_danger": True},
        {"category_any": sorted(CATEGORY_CODES)},
        {"category_any": ["neglect"], "qualifiers": ["historical_only"]},
        {"child_under_months": 12},
        {"unborn_child": True},
        {"matched_flag_any": ["cp_plan", "lac"]},
        {"repeat_contacts_at_least": 1},
        {"consent_answer_any": ["no"]},
        {"information_request": True},
        {"concerns_found": True},
        {"concern_text": False},
    ]
)


@st.composite
def hub_rule_documents(draw):
    count = draw(st.integers(1, 6))
    rules = []
    for number in range(count):
        rule = {"id": f"r{number}", "description": "A rule a hub wrote.", "when": draw(conditions)}
        if draw(st.booleans()):
            rule["rating"] = draw(st.sampled_from(RATINGS))
        else:
            rule["raise_by"] = draw(st.integers(1, 3))
        rules.append(rule)
    default = {"rating": draw(st.sampled_from(RATINGS))}
    return {"version": "hostile", "default": default, "rules": rules}


def cited_by_red_reasons(result) -> set[Mention]:
    return {m for r in result.reasons if r.proposes == "red" for m in r.evidence.mentions}


@given(rating_inputs(with_live_indicator))
@settings(max_examples=200)
def test_a_live_risk_indicator_is_red_under_the_default_rules(inp):
    result = rate(inp, DEFAULT_RULES, DEFAULT_TIMESCALES, CALENDAR)

    assert result.rating == "red"
    assert set(inp.live_risk_indicators()) <= cited_by_red_reasons(result)


@given(rating_inputs(with_live_indicator), hub_rule_documents())
@settings(max_examples=200)
def test_a_live_risk_indicator_is_red_whatever_the_hubs_rules_say(inp, document):
    rules = parse_rules(document)

    result = rate(inp, rules, DEFAULT_TIMESCALES, CALENDAR)

    assert result.rating == "red"
    assert set(inp.live_risk_indicators()) <= cited_by_red_reasons(result)


@given(rating_inputs(only_negated_indicators), hub_rule_documents())
@settings(max_examples=200)
def test_a_yes_to_immediate_danger_is_red_whatever_the_hubs_rules_say(inp, document):
    result = rate(
        replace(inp, immediate_danger=True), parse_rules(document), DEFAULT_TIMESCALES, CALENDAR
    )

    assert result.rating == "red"


@given(rating_inputs(only_negated_indicators))
@settings(max_examples=200)
def test_negated_risk_indicators_never_trigger_the_red_floor(inp):
    result = rate(replace(inp, immediate_danger=False), DEFAULT_RULES, DEFAULT_TIMESCALES, CALENDAR)

    assert ALWAYS_RED_ID not in [r.rule_id for r in result.reasons]
    assert "risk_indicator" not in [r.rule_id for r in result.reasons]


def test_a_file_that_rates_everything_blue_still_gives_red_for_a_risk_indicator():
    rules = parse_rules(
        {
            "version": "all-blue",
            "default": {"rating": "blue"},
            "rules": [
                {
                    "id": "calm",
                    "description": "Everything is blue.",
                    "when": {"risk_indicator_any": "any"},
                    "rating": "blue",
                }
            ],
        }
    )
    weapon = Mention("weapon", "a knife", start=3, end=10)
    inp = RatingInput(received_at=datetime(2025, 9, 1, 9, tzinfo=UTC), risk_indicators=(weapon,))

    result = rate(inp, rules, DEFAULT_TIMESCALES, CALENDAR)

    assert result.rating == "red"
    assert [r.rule_id for r in result.reasons] == ["calm", ALWAYS_RED_ID]
    assert result.reasons[-1].evidence.mentions == (weapon,)
    assert (result.clock, result.minutes) == ("calendar", 240)


@given(rating_inputs(st.lists(mentions(RISK_INDICATOR_CODES), max_size=3).map(tuple)))
@settings(max_examples=200)
def test_every_result_has_a_reason_a_deadline_after_receipt_and_survives_json(inp):
    result = rate(inp, DEFAULT_RULES, DEFAULT_TIMESCALES, CALENDAR)

    assert result.reasons
    assert result.deadline > inp.received_at
    assert result.deadline.utcoffset().total_seconds() == 0
    timescale = DEFAULT_TIMESCALES.for_rating(result.rating)
    assert (result.clock, result.minutes) == (timescale.clock, timescale.minutes)
    assert type(result).from_dict(result.to_dict()) == result
