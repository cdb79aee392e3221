"""Every category code of taxonomy.yaml, from hand-written referral text."""

import pytest

from nlp import extract
from nlp.codes import CATEGORY_CODES

CASES = [
    ("physical_abuse", "He came in with a bruise on his cheek and says his dad slapped him."),
    ("physical_abuse", "Mum hits him with a belt when he is naughty."),
    ("emotional_abuse", "Her stepdad constantly calls her stupid and worthless."),
    (
        "emotional_abuse",
        "Mum locks him in his room for hours and says she wishes he was never born.",
    ),
    ("sexual_abuse", "She says her uncle touched her private parts."),
    ("sexual_abuse", "He was made to watch porn by an older cousin."),
    ("neglect", "There's nuttin to eat in the house and the kids are always hungry."),
    (
        "neglect",
        "The flat is filthy, with dog mess on the floor, and the baby has severe nappy rash.",
    ),
    ("domestic_abuse", "Police were called after dad punched mum in front of the children."),
    ("domestic_abuse", "DV incident at the address last night."),
    ("child_sexual_exploitation", "She is 14 and has a 24 year old boyfriend who buys her vodka."),
    ("child_sexual_exploitation", "CSE concerns: she is being picked up by older men in cars."),
    ("child_criminal_exploitation", "We think he is involved in county lines and running drugs."),
    ("trafficking", "He was trafficked into the UK and made to work in a nail bar."),
    ("missing", "She has run away from her placement three times this month."),
    ("child_mental_health", "Amy has been self harming and says she feels low all the time."),
    ("child_substance_misuse", "He is 15 and smoking weed every day before school."),
    ("parental_mental_health", "Mum has postnatal depression and is struggling to cope."),
    ("parental_substance_misuse", "Dad is an alcoholic and drinks from the morning."),
    ("homelessness", "The family have been evicted and are sofa surfing."),
    ("anti_social_behaviour", "He has been involved in vandalism and graffiti on the estate."),
    ("youth_offending", "He was arrested for shoplifting and is due in youth court."),
    ("radicalisation", "He has been watching extremist videos and talking about the far right."),
    ("fgm", "Her older sister has had FGM."),
    ("honour_based_abuse", "Her family are planning a forced marriage to a cousin."),
    (
        "private_fostering",
        "He has been living with a family friend for two months while mum is abroad.",
    ),
    (
        "unaccompanied_child",
        "He is an unaccompanied asylum seeking child who arrived by small boat.",
    ),
    ("child_disability", "Leo is autistic and non-verbal and has an EHCP."),
]


@pytest.mark.parametrize(("code", "text"), CASES)
def test_each_category_is_found_in_plain_referral_text(code, text):
    assert code in extract(text).categories


def test_every_category_code_has_a_hand_written_case():
    assert {code for code, _ in CASES} == set(CATEGORY_CODES)


def test_categories_are_multi_label():
    result = extract(
        "Mum is drinking heavily, dad punched her mum last night, and the children have had no food."
    )
    assert {"parental_substance_misuse", "domestic_abuse", "neglect"} <= set(result.categories)


def test_mums_self_harm_is_parental_not_child_mental_health():
    result = extract("Mum self-harms and has been sectioned before.")
    assert "parental_mental_health" in result.categories
    assert "child_mental_health" not in result.categories


def test_the_childs_self_harm_is_child_mental_health():
    result = extract("Mum says he has been self-harming for months.")
    assert "child_mental_health" in result.categories
    assert "parental_mental_health" not in result.categories


def test_a_parents_drinking_is_parental_substance_misuse():
    result = extract("His dad drinks every night and falls asleep on the sofa.")
    assert "parental_substance_misuse" in result.categories
    assert "child_substance_misuse" not in result.categories


def test_a_teenagers_drinking_is_child_substance_misuse():
    result = extract("She is 15 and was found drunk in the park on Saturday.")
    assert "child_substance_misuse" in result.categories
    assert "parental_substance_misuse" not in result.categories


def test_violence_towards_an_adult_partner_is_domestic_not_physical_abuse():
    result = extract("Dad hit mum.")
    assert result.categories == ["domestic_abuse"]


def test_a_fathers_arrest_is_not_the_childs_offending():
    assert "youth_offending" not in extract("Her dad was arrested last night.").categories


def test_sms_shorthand_and_misspellings_are_understood():
    result = extract("mums bf is drunk n kickin off, kids r starvin, no food in the hse")
    assert {"parental_substance_misuse", "neglect"} <= set(result.categories)


def test_american_spellings_are_understood():
    assert "honour_based_abuse" in extract("an honor based violence concern").categories
    assert "parental_mental_health" in extract("his mom has bipolar disorder").categories


def test_look_alikes_are_not_concerns():
    result = extract("He had a panic attack in class and his grandad had a heart attack.")
    assert "physical_abuse" not in result.categories
