"""Pre-filling the flow from what nlp finds in free text."""

from __future__ import annotations

from forms import flow
from forms.flow import FlowState
from forms.prefill import answers_from_extraction
from nlp.extraction import Age, Detail, Entities, Extraction, Name

LONG = "x" * 120


def detail(value: str) -> Detail:
    return Detail(value=value, text=value, start=0, end=len(value))


def name(value: str, role: str) -> Name:
    return Name(value=value, role=role, text=value, start=0, end=len(value))


def extraction(**entities) -> Extraction:
    return Extraction(entities=Entities(**entities))


def test_details_found_in_the_text_become_answers_to_the_questions_they_answer():
    found = extraction(
        dates_of_birth=[detail("2015-04-03"), detail("2017-01-01")],
        postcodes=[detail("LS1 4AP")],
        schools=[detail("Riverside Primary School")],
        phones=[detail("+447700900123")],
        emails=[detail("sam@example.org")],
        names=[
            name("Sam Patel", "referrer"),
            name("Jordan Smith", "child"),
            name("Kelly Smith", "mother"),
            name("Dean Walsh", "partner"),
            name("Mr Jones", "other"),
        ],
    )
    assert answers_from_extraction(found, "short") == {
        "child.0.age_known": "date_of_birth",
        "child.0.date_of_birth": "2015-04-03",
        "child.0.postcode": "LS1 4AP",
        "child.0.school": "Riverside Primary School",
        "referrer_phone": "+447700900123",
        "referrer_email": "sam@example.org",
        "child.0.name": "Jordan Smith",
        "household.0.name": "Kelly Smith",
        "household.0.relationship": "mother",
        "household.1.name": "Dean Walsh",
        "household.1.relationship": "step_parent",
        "household.0.more": True,
        "referrer_name": "Sam Patel",
    }


def test_an_age_in_months_is_an_age_of_nought_years_and_a_date_of_birth_wins_over_an_age():
    months = extraction(ages=[Age(value=8, unit="months", text="8 months", start=0, end=8)])
    assert answers_from_extraction(months, "") == {"child.0.age_known": "age", "child.0.age": 0}
    both = extraction(
        ages=[Age(value=7, unit="years", text="7", start=0, end=1)],
        dates_of_birth=[detail("2015-04-03")],
    )
    assert answers_from_extraction(both, "")["child.0.age_known"] == "date_of_birth"


def test_a_long_text_is_the_concern_and_a_short_one_is_not():
    assert answers_from_extraction(extraction(), f"  {LONG}  ")["concern"] == LONG
    assert "concern" not in answers_from_extraction(extraction(), "Hi, I need to report something")


def test_several_named_children_are_each_pre_filled_with_the_flow_asking_about_more():
    found = extraction(names=[name("Amy Brown", "child"), name("Ben Brown", "child")])
    state = FlowState()
    filled = flow.prefill(state, answers_from_extraction(found, ""), source="nlp")
    assert set(filled) == {"child.0.name", "child.1.name", "child.0.more"}
    assert state.answers["child.1.name"] == {"given": "Ben", "family": "Brown"}
    assert state.sources["child.0.name"] == "nlp"


def test_the_flow_drops_what_does_not_validate_and_keeps_what_the_referrer_said():
    found = extraction(postcodes=[detail("not a postcode")], emails=[detail("sam@example.org")])
    state = FlowState(answers={"referrer_email": "own@example.org"})
    assert flow.prefill(state, answers_from_extraction(found, ""), source="nlp") == []
    assert state.answers == {"referrer_email": "own@example.org"}
