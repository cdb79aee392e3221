"""The questions a reply asks, and the numbered answers read back from the referrer's reply."""

from __future__ import annotations

from channels.email.questions import (
    Asked,
    apply_answer,
    numbered_answers,
    questions_to_ask,
)
from forms.flow import FlowState

ASKED = [
    Asked("immediate_danger", "Is a child in immediate danger right now? (yes or no)"),
    Asked("referrer_role", "What is your role?"),
    Asked("other_agencies", "Which other services are involved with the child or family?"),
]


def test_numbered_answers_are_matched_to_the_numbered_questions():
    text = "1. No\n2) Class teacher\n3 - CAMHS, and\nthe school nurse\n4. not a question we asked"
    assert numbered_answers(text, ASKED) == {
        "immediate_danger": "No",
        "referrer_role": "Class teacher",
        "other_agencies": "CAMHS, and\nthe school nurse",
    }


def test_answers_written_under_our_quoted_questions_are_read():
    text = (
        "> 1. Is a child in immediate danger right now? (yes or no)\nNo\n"
        "> 2. What is your role?\n> \nHead of Year 6\n"
        "> 3. Which other services are involved with the child or family?\n"
        "> Or finish the referral on our website.\n"
    )
    assert numbered_answers(text, ASKED) == {
        "immediate_danger": "No",
        "referrer_role": "Head of Year 6",
    }


def test_a_pasted_question_before_the_answer_is_removed():
    text = "2. What is your role? Designated Safeguarding Lead"
    assert numbered_answers(text, ASKED) == {"referrer_role": "Designated Safeguarding Lead"}


def test_everything_required_is_asked_with_a_professionals_details_alongside_who_are_you():
    asked = questions_to_ask(FlowState(answers={"concern": "He has a bruise on his cheek."}))
    keys = [a.key for a in asked]
    assert keys[:6] == [
        "immediate_danger",
        "referrer_type",
        "referrer_name",
        "referrer_role",
        "referrer_organisation",
        "referrer_phone",
    ]
    assert "concern" not in keys and "child.0.age_known" in keys and "consent" in keys
    prompts = {a.key: a.prompt for a in asked}
    assert prompts["referrer_role"].startswith("If you are contacting us as a professional:")
    assert prompts["how_known"].endswith(
        "(I saw or heard it myself; The child told me; Someone else told me; Another way)"
    )
    assert not prompts["child.0.age_known"].startswith("Child 1")


def test_a_date_of_birth_or_an_age_answers_the_combined_question():
    state = FlowState()
    applied = apply_answer(state, "child.0.age_known", "3rd April 2015")
    assert state.answers["child.0.age_known"] == "date_of_birth"
    assert state.answers["child.0.date_of_birth"] == "2015-04-03"
    assert applied.sources["child.0.date_of_birth"] == "referrer"

    state = FlowState()
    apply_answer(state, "child.0.age_known", "about 7")
    assert (state.answers["child.0.age_known"], state.answers["child.0.age"]) == ("age", 7)

    state = FlowState()
    apply_answer(state, "child.0.age_known", "Not known")
    assert state.answers["child.0.age_known"] == "unknown"

    state = FlowState()
    applied = apply_answer(state, "child.0.age_known", "31/02/2015")
    assert "child.0.age_known" not in state.answers
    assert (
        applied.errors["child.0.age_known"] == "The date must be a real date, for example 27 3 2015"
    )


def test_consent_and_its_reason_are_read_from_one_answer():
    state = FlowState()
    apply_answer(state, "consent", "No, I have not asked them because it would put her at risk")
    assert state.answers["consent"] == "not_asked"
    assert state.answers["consent_reason"] == "risk_of_harm"


def test_an_answer_that_does_not_parse_is_reported_against_its_question():
    state = FlowState()
    applied = apply_answer(state, "immediate_danger", "perhaps")
    assert "immediate_danger" not in state.answers
    assert applied.errors["immediate_danger"].startswith("If you are not sure, answer yes")
    applied = apply_answer(state, "immediate_danger", "purple")
    assert applied.errors == {"immediate_danger": "Answer yes or no"}


def test_times_and_decimals_in_an_answer_are_not_taken_for_question_numbers():
    text = "1.No\n3. At school.\n2:15 pm, and again\n3.5 hours later"
    assert numbered_answers(text, ASKED) == {
        "immediate_danger": "No",
        "other_agencies": "At school.\n2:15 pm, and again\n3.5 hours later",
    }


def test_a_short_answer_is_its_first_line_and_a_signature_under_it_is_not_part_of_it():
    state = FlowState(answers={"referrer_type": "school"})
    apply_answer(state, "referrer_role", "Class teacher\nSam Patel\nRiverside Primary")
    apply_answer(state, "other_agencies", "CAMHS\nand a family support worker")
    assert state.answers["referrer_role"] == "Class teacher"
    assert state.answers["other_agencies"] == "CAMHS\nand a family support worker"
