"""The default rules, one behaviour at a time, and the shape of what rate() returns."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from workers.rating import (
    ALWAYS_RED_ID,
    DEFAULT_ID,
    DEFAULT_TIMESCALES,
    ChildFacts,
    MatchedRecord,
    Mention,
    RatingInput,
    RatingResult,
    WorkingCalendar,
    load_rules,
    rate,
    split_mentions,
)
from workers.rating.vocabulary import RISK_INDICATOR_CODES

# Monday 1 September 2025, 10:00 in London (BST): an ordinary working morning.
RECEIVED = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)

HARM = [
    "physical_abuse",
    "sexual_abuse",
    "emotional_abuse",
    "neglect",
    "domestic_abuse",
    "child_sexual_exploitation",
    "child_criminal_exploitation",
    "missing",
]
WELLBEING = [
    "child_disability",
    "homelessness",
    "anti_social_behaviour",
    "youth_offending",
    "private_fostering",
    "parental_mental_health",
    "parental_substance_misuse",
    "child_substance_misuse",
]


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def calendar():
    return WorkingCalendar.england_and_wales()


@pytest.fixture
def rated(rules, calendar):
    def rated(**fields: Any) -> RatingResult:
        fields.setdefault("received_at", RECEIVED)
        return rate(RatingInput(**fields), rules, DEFAULT_TIMESCALES, calendar)

    return rated


def mention(code: str, text: str = "", start: int = 0, **flags: bool) -> Mention:
    text = text or code.replace("_", " ")
    return Mention(code=code, text=text, start=start, end=start + len(text), **flags)


def fired(result: RatingResult) -> list[str]:
    return [reason.rule_id for reason in result.reasons]


def reason(result: RatingResult, rule_id: str):
    return next(r for r in result.reasons if r.rule_id == rule_id)


def baby(months: int) -> ChildFacts:
    # A date of birth that makes the child exactly `months` old on RECEIVED.
    year, month = divmod(2025 * 12 + 8 - months, 12)
    return ChildFacts(ref="c1", date_of_birth=date(year, month + 1, 1))


# Red ---------------------------------------------------------------------------------------


def test_a_yes_to_immediate_danger_is_red_on_a_four_hour_calendar_clock(rated):
    result = rated(immediate_danger=True)

    assert result.rating == "red"
    assert "immediate_danger" in fired(result)
    assert result.clock == "calendar"
    assert result.minutes == 240
    assert result.deadline == RECEIVED + timedelta(hours=4)


def test_an_unanswered_immediate_danger_question_does_not_make_it_red(rated):
    assert rated(immediate_danger=None).rating == "green"
    assert rated(immediate_danger=False).rating == "green"


@pytest.mark.parametrize("code", sorted(RISK_INDICATOR_CODES))
def test_every_risk_indicator_makes_the_contact_red(rated, code):
    result = rated(risk_indicators=(mention(code, "he had a knife", start=17),))

    assert result.rating == "red"
    used = reason(result, "risk_indicator").evidence.mentions
    assert [(m.code, m.text, m.start, m.end) for m in used] == [(code, "he had a knife", 17, 31)]


def test_a_negated_risk_indicator_does_not_count(rated):
    result = rated(risk_indicators=(mention("serious_injury", negated=True),))

    assert result.rating == "green"
    assert "risk_indicator" not in fired(result)
    assert ALWAYS_RED_ID not in fired(result)


def test_a_historical_or_possible_risk_indicator_still_makes_it_red(rated):
    assert rated(risk_indicators=(mention("weapon", historical=True),)).rating == "red"
    assert rated(risk_indicators=(mention("strangulation", possible=True),)).rating == "red"


def test_sexual_abuse_reported_as_current_is_red(rated):
    result = rated(categories=(mention("sexual_abuse", "touched her"),))

    assert result.rating == "red"
    assert "sexual_abuse_reported" in fired(result)


def test_sexual_abuse_that_is_only_feared_is_amber(rated):
    result = rated(categories=(mention("sexual_abuse", possible=True),))

    assert result.rating == "amber"
    assert fired(result) == ["harm"]


def test_sexual_abuse_only_in_the_past_is_amber(rated):
    result = rated(categories=(mention("sexual_abuse", historical=True),))

    assert result.rating == "amber"
    assert fired(result) == ["serious_concern_in_the_past"]


@pytest.mark.parametrize(
    "flags", [{}, {"historical": True}, {"possible": True}], ids=["current", "past", "possible"]
)
def test_fgm_is_red_whether_it_happened_is_planned_or_feared(rated, flags):
    result = rated(categories=(mention("fgm", **flags),))

    assert result.rating == "red"
    assert fired(result) == ["fgm"]


@pytest.mark.parametrize(
    ("code", "rule_id"),
    [
        ("trafficking", "trafficking"),
        ("honour_based_abuse", "forced_marriage"),
        ("radicalisation", "radicalisation"),
    ],
)
def test_trafficking_forced_marriage_and_radicalisation_are_red_on_their_own(rated, code, rule_id):
    assert rated(categories=(mention(code),)).rating == "red"
    assert rated(categories=(mention(code, possible=True),)).rating == "red"
    assert rule_id in fired(rated(categories=(mention(code),)))


@pytest.mark.parametrize("code", ["trafficking", "honour_based_abuse", "radicalisation"])
def test_trafficking_forced_marriage_and_radicalisation_in_the_past_are_amber(rated, code):
    result = rated(categories=(mention(code, historical=True),))

    assert result.rating == "amber"
    assert fired(result) == ["serious_concern_in_the_past"]


@pytest.mark.parametrize("code", ["child_sexual_exploitation", "child_criminal_exploitation"])
def test_an_active_pattern_of_exploitation_is_red_but_a_worry_about_it_is_amber(rated, code):
    active = rated(categories=(mention(code, "running drugs for older boys"),))
    feared = rated(categories=(mention(code, possible=True),))

    assert active.rating == "red"
    assert "exploitation_active" in fired(active)
    assert feared.rating == "amber"
    assert "exploitation_active" not in fired(feared)


@pytest.mark.parametrize(
    "code",
    ["physical_abuse", "sexual_abuse", "neglect", "domestic_abuse", "parental_substance_misuse"],
)
def test_a_baby_under_twelve_months_with_a_serious_concern_is_red(rated, code):
    result = rated(categories=(mention(code, possible=True),), children=(baby(months=3),))

    assert result.rating == "red"
    evidence = reason(result, "baby_serious_concern").evidence
    assert evidence.child_refs == ("c1",)
    assert evidence.facts == ("c1 is 3 months old",)


def test_a_child_of_twelve_months_is_no_longer_a_baby_for_the_rules(rated):
    result = rated(categories=(mention("neglect"),), children=(baby(months=12),))

    assert result.rating == "amber"
    assert "baby_serious_concern" not in fired(result)


def test_a_child_aged_zero_years_counts_as_a_baby_because_they_could_be(rated):
    zero = rated(categories=(mention("domestic_abuse"),), children=(ChildFacts(age_years=0),))
    one = rated(categories=(mention("domestic_abuse"),), children=(ChildFacts(age_years=1),))

    assert zero.rating == "red"
    assert reason(zero, "baby_serious_concern").evidence.child_refs == ("child 1",)
    assert one.rating == "amber"


def test_an_age_in_months_is_used_when_there_is_no_date_of_birth(rated):
    result = rated(categories=(mention("neglect"),), children=(ChildFacts(age_months=11),))

    assert result.rating == "red"


def test_a_babys_age_is_taken_on_the_london_date_the_contact_arrived(rated):
    # 23:30 UTC on 31 August is 00:30 on 1 September in London: the baby's first birthday.
    late = datetime(2025, 8, 31, 23, 30, tzinfo=UTC)
    child = ChildFacts(date_of_birth=date(2024, 9, 1))

    result = rated(received_at=late, categories=(mention("neglect"),), children=(child,))

    assert result.rating == "amber"


def test_a_baby_with_only_a_wellbeing_concern_is_not_red(rated):
    result = rated(categories=(mention("child_disability"),), children=(baby(months=2),))

    assert result.rating == "green"


def test_an_unborn_baby_with_a_serious_concern_is_red(rated):
    flagged = rated(categories=(mention("domestic_abuse"),), children=(ChildFacts(unborn=True),))
    due = ChildFacts(ref="c2", date_of_birth=date(2026, 1, 15))
    by_date = rated(categories=(mention("parental_substance_misuse"),), children=(due,))

    assert flagged.rating == "red"
    assert by_date.rating == "red"
    assert reason(by_date, "unborn_serious_concern").evidence.facts == ("c2 is not yet born",)


def test_a_child_on_a_protection_plan_with_a_new_concern_is_red(rated):
    record = MatchedRecord(record_id="SC-1001", probability=0.97, cp_plan=True)
    child = ChildFacts(ref="c1", matched_records=(record,))

    result = rated(categories=(mention("emotional_abuse"),), children=(child,))

    assert result.rating == "red"
    used = reason(result, "child_protection_plan_new_concern").evidence.records
    assert [(r.child_ref, r.record_id, r.probability, r.flags) for r in used] == [
        ("c1", "SC-1001", 0.97, ("cp_plan",))
    ]


# Amber -------------------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["cp_plan", "cin", "lac", "open_case"])
def test_a_child_known_to_social_care_is_at_least_amber(rated, flag):
    record = MatchedRecord(record_id="R-7", probability=0.9, **{flag: True})
    child = ChildFacts(ref="c1", matched_records=(record,))

    result = rated(categories=(mention("homelessness"),), children=(child,))

    assert result.rating == "amber"
    assert reason(result, "known_to_social_care").evidence.records[0].flags == (flag,)


def test_a_restricted_record_alone_does_not_raise_the_rating(rated):
    record = MatchedRecord(record_id="R-8", probability=0.99, restricted=True)

    result = rated(children=(ChildFacts(matched_records=(record,)),))

    assert result.rating == "green"


def test_a_restricted_record_is_marked_restricted_in_the_evidence(rated):
    record = MatchedRecord(record_id="R-9", probability=0.99, lac=True, restricted=True)

    result = rated(children=(ChildFacts(matched_records=(record,)),))

    assert reason(result, "known_to_social_care").evidence.records[0].restricted is True


@pytest.mark.parametrize("code", HARM)
def test_a_possible_concern_of_harm_is_amber(rated, code):
    result = rated(categories=(mention(code, possible=True),))

    assert result.rating == "amber"
    assert "harm" in fired(result)


def test_harm_to_someone_other_than_the_child_still_counts(rated):
    result = rated(categories=(mention("physical_abuse", other_experiencer=True),))

    assert result.rating == "amber"


@pytest.mark.parametrize("code", ["child_mental_health", "unaccompanied_child"])
def test_a_childs_own_mental_health_or_being_unaccompanied_is_amber(rated, code):
    assert rated(categories=(mention(code),)).rating == "amber"


def test_parents_mental_health_and_substance_misuse_together_are_amber(rated):
    both = rated(
        categories=(mention("parental_mental_health"), mention("parental_substance_misuse"))
    )

    assert both.rating == "amber"
    assert "parents_mental_health_and_substance_misuse" in fired(both)


def test_consent_not_sought_because_it_would_put_the_child_at_risk_is_amber(rated):
    result = rated(consent_answer="not_asked", consent_reason="risk_of_harm")

    assert result.rating == "amber"
    assert reason(result, "consent_not_sought_child_at_risk").evidence.facts == (
        "Asked whether the family know and agree: I have not asked them",
        "Why the family were not asked or do not agree: Asking would put the child at risk",
    )


def test_consent_not_given_for_another_reason_does_not_change_the_rating(rated):
    assert rated(consent_answer="no", consent_reason="could_not_reach").rating == "green"
    assert rated(consent_answer="yes").rating == "green"


# Green and blue ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", WELLBEING)
def test_a_wellbeing_concern_on_its_own_is_green(rated, code):
    result = rated(categories=(mention(code),))

    assert result.rating == "green"
    assert fired(result) == ["wellbeing"]
    assert (result.clock, result.minutes) == ("working", 1440)


@pytest.mark.parametrize("code", ["physical_abuse", "emotional_abuse", "neglect", "missing"])
def test_harm_mentioned_only_in_the_past_weighs_less_and_is_green(rated, code):
    result = rated(categories=(mention(code, historical=True),))

    assert result.rating == "green"
    assert fired(result) == ["harm_in_the_past"]


def test_past_harm_does_not_count_as_past_only_when_it_is_also_happening_now(rated):
    result = rated(
        categories=(
            mention("domestic_abuse", "in 2019", historical=True),
            mention("domestic_abuse", "last night", start=40),
        )
    )

    assert result.rating == "amber"
    assert "harm_in_the_past" not in fired(result)
    assert [m.text for m in reason(result, "harm").evidence.mentions] == ["last night"]


def test_an_information_request_with_no_concern_is_blue(rated):
    result = rated(is_information_request=True, has_concern_text=False)

    assert result.rating == "blue"
    assert fired(result) == ["information_request"]
    assert (result.clock, result.minutes) == ("working", 1440)


def test_an_information_request_that_describes_a_concern_is_not_blue(rated):
    with_text = rated(is_information_request=True, has_concern_text=True)
    with_category = rated(
        is_information_request=True, has_concern_text=False, categories=(mention("neglect"),)
    )

    assert with_text.rating == "green"
    assert with_category.rating == "amber"


def test_an_information_request_about_a_child_known_to_social_care_is_amber(rated):
    record = MatchedRecord(record_id="R-1", probability=0.99, open_case=True)

    result = rated(
        is_information_request=True,
        has_concern_text=False,
        children=(ChildFacts(matched_records=(record,)),),
    )

    assert result.rating == "amber"


def test_when_no_rule_matches_the_contact_is_green_with_that_reason(rated):
    result = rated()

    assert result.rating == "green"
    assert fired(result) == [DEFAULT_ID]
    assert "No rule matched" in result.reasons[0].description


# Repeats and combinations ------------------------------------------------------------------


def test_repeat_contacts_raise_a_green_concern_to_amber(rated):
    result = rated(
        categories=(mention("homelessness"),),
        repeat_contacts_12m=3,
        repeat_threshold_reached=True,
    )

    assert result.rating == "amber"
    assert reason(result, "repeat_contacts").evidence.repeat_contacts == 3


def test_repeat_contacts_raise_an_amber_concern_to_red(rated):
    result = rated(
        categories=(mention("neglect"),), repeat_contacts_12m=4, repeat_threshold_reached=True
    )

    assert result.rating == "red"


def test_repeat_contacts_raise_even_an_information_request_to_amber(rated):
    result = rated(
        is_information_request=True,
        has_concern_text=False,
        repeat_contacts_12m=5,
        repeat_threshold_reached=True,
    )

    assert result.rating == "amber"


def test_contacts_below_the_repeat_threshold_change_nothing(rated):
    result = rated(categories=(mention("homelessness"),), repeat_contacts_12m=2)

    assert result.rating == "green"
    assert "repeat_contacts" not in fired(result)


def test_the_highest_rating_proposed_wins_and_every_fired_rule_is_a_reason(rated):
    result = rated(
        categories=(mention("homelessness"), mention("neglect", start=30), mention("fgm")),
    )

    assert result.rating == "red"
    assert fired(result) == ["fgm", "harm", "wellbeing"]


# The result --------------------------------------------------------------------------------


def test_an_amber_deadline_is_eight_working_hours_after_receipt(rated):
    result = rated(categories=(mention("neglect"),))

    # Monday 10:00 BST plus 480 working minutes: 7 hours on Monday, 1 on Tuesday.
    assert result.deadline == datetime(2025, 9, 2, 9, 0, tzinfo=UTC)
    assert (result.clock, result.minutes) == ("working", 480)


def test_the_result_carries_the_rules_version(rated, rules):
    assert rated().rules_version == rules.version == "2025.1"


def test_a_result_survives_a_trip_through_json(rated):
    record = MatchedRecord(record_id="SC-1", probability=0.96, cp_plan=True, restricted=True)
    result = rated(
        immediate_danger=True,
        risk_indicators=(mention("weapon", "a knife", start=5),),
        categories=(mention("physical_abuse", possible=True),),
        children=(ChildFacts(ref="c1", age_months=2, matched_records=(record,)),),
        repeat_contacts_12m=3,
        repeat_threshold_reached=True,
    )

    data = json.loads(json.dumps(result.to_dict()))

    assert RatingResult.from_dict(data) == result
    assert data["deadline"] == "2025-09-01T13:00:00+00:00"


def test_a_result_from_json_with_a_bad_rating_is_refused(rated):
    data = rated().to_dict()
    data["rating"] = "purple"

    with pytest.raises(ValueError, match="not a rating"):
        RatingResult.from_dict(data)


# The input ---------------------------------------------------------------------------------


def test_a_rating_input_needs_an_aware_receipt_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        RatingInput(received_at=datetime(2025, 9, 1, 10, 0))


def test_a_rating_input_refuses_an_unknown_consent_answer():
    with pytest.raises(ValueError, match="consent_answer"):
        RatingInput(received_at=RECEIVED, consent_answer="maybe")  # type: ignore[arg-type]


def test_a_child_cannot_have_a_negative_age():
    with pytest.raises(ValueError, match="age_months"):
        ChildFacts(age_months=-1)


def test_nlp_mentions_split_into_categories_and_risk_indicators():
    nlp_mentions = [
        {"code": "neglect", "start": 0, "end": 5, "text": "dirty", "negated": False},
        {"code": "weapon", "start": 10, "end": 15, "text": "knife", "historical": True},
        {"code": "physical_abuse", "start": 20, "end": 24, "text": "hits", "negated": True},
    ]

    categories, risk_indicators = split_mentions(nlp_mentions)

    assert [m.code for m in categories] == ["neglect", "physical_abuse"]
    assert categories[1].negated is True
    assert risk_indicators == (
        Mention(code="weapon", text="knife", start=10, end=15, historical=True),
    )


def test_a_rating_input_is_immutable():
    inp = RatingInput(received_at=RECEIVED)

    with pytest.raises(AttributeError):
        inp.immediate_danger = True  # type: ignore[misc]
    assert replace(inp, immediate_danger=True).immediate_danger is True


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Request for information: CAFCASS requests any information held on the children.", True),
        ("Could you tell me whether the family has an allocated social worker? No concerns.", True),
        # A question alone is not enough: the NLP may miss the concern that follows it.
        ("Is this family known to you? Dad was arrested last night at the address.", False),
        ("Could you let me know what happens next? He came in with a black eye.", False),
    ],
)
def test_only_a_plain_request_for_information_is_read_as_one(text, asks):
    from workers.rating.information_request import asks_for_information

    assert asks_for_information(text) is asks
