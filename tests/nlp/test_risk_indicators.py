"""Every risk indicator code of taxonomy.yaml."""

import pytest

from nlp import extract
from nlp.codes import RISK_INDICATOR_CODES

CASES = [
    ("immediate_danger", "He is scared to go home tonight because mum's partner is back."),
    ("immediate_danger", "pls help hes outside the house now banging on the door"),
    ("serious_injury", "The baby has a fractured skull."),
    ("serious_injury", "She was taken to A&E with scalds to her legs."),
    ("injury_non_mobile_baby", "A 3 month old baby with bruising to the ear."),
    ("injury_non_mobile_baby", "Bruise found on the non-mobile infant's chest."),
    ("sexual_abuse_disclosure", "She told her teacher that her stepdad touches her private parts."),
    ("sexual_abuse_disclosure", "The child has disclosed sexual abuse by a neighbour."),
    ("weapon", "He threatened mum with a kitchen knife."),
    ("weapon", "Dad keeps a machete under the bed."),
    ("strangulation", "He grabbed her by the throat."),
    ("strangulation", "Mum says he strangled her until she could not breathe."),
    ("child_alone", "The kids are left home alone every night."),
    ("child_alone", "A 4 year old was left on his own in the flat."),
    ("child_alone", "mum is drunk and passed out and the baby is alone"),
    ("child_alone", "The children are on their own again."),
    ("suicide_risk", "She says she wants to kill herself and has a plan."),
    ("suicide_risk", "He took an overdose last week."),
    ("missing_now", "She has been missing since Friday and her phone is off."),
    ("missing_now", "He didn't come home last night and nobody knows where he is."),
    ("fgm_imminent", "The family are taking her to Somalia this summer to be cut."),
    ("fgm_imminent", "A cutter is coming to the house for a special ceremony."),
]


@pytest.mark.parametrize(("code", "text"), CASES)
def test_each_risk_indicator_is_found(code, text):
    assert code in extract(text).risk_indicators


def test_every_risk_indicator_code_has_a_hand_written_case():
    assert {code for code, _ in CASES} == set(RISK_INDICATOR_CODES)


def test_the_issue_example_is_marked_as_the_officer_needs_it():
    text = (
        "mum's new partner grabbed him by the throat last night, he's scared to go home, "
        "no concerns about school"
    )
    result = extract(text)
    assert {"domestic_abuse", "physical_abuse"} <= set(result.categories)
    assert {"strangulation", "immediate_danger"} <= set(result.risk_indicators)


def test_a_negated_risk_indicator_is_not_a_risk_indicator():
    result = extract("There are no weapons in the house.")
    assert "weapon" not in result.risk_indicators
    assert [m.negated for m in result.mentions if m.code == "weapon"] == [True]


def test_a_parents_suicide_risk_is_still_a_risk_marked_about_someone_else():
    result = extract("Mum is suicidal and has taken an overdose.")
    assert "suicide_risk" in result.risk_indicators
    assert all(m.other_experiencer for m in result.mentions if m.code == "suicide_risk")


@pytest.mark.parametrize(
    "text",
    [
        "Aisha has been missing school a lot this term.",
        "She has been missing a lot of school since Christmas.",
        "He is missing lessons most afternoons.",
    ],
)
def test_missing_school_is_not_a_child_missing_now(text):
    # Poor attendance is a concern, not a missing child: it must not make the contact Red.
    assert "missing_now" not in extract(text).risk_indicators


def test_a_child_missing_for_days_still_is():
    assert "missing_now" in extract("She has been missing two days now.").risk_indicators


# Found by a manager's audit of 151 realistic referrals: each was below Red before.
AUDIT_REDS = [
    ("child_alone", "the 2 little ones at no 14 have been on their own since this morning"),
    ("child_alone", "The kids at no 7 are home alone again, the youngest is only 3."),
    (
        "injury_non_mobile_baby",
        "Flat 3, no 22 Oak Street: baby aged 8 weeks has a bruise on his face.",
    ),
    (
        "sexual_abuse_disclosure",
        "Jade (yr 5) told me at breaktime that her mums boyfriend comes into her room at night and "
        "touches her under her pyjamas.",
    ),
    (
        "sexual_abuse_disclosure",
        "Dad's mate Steve keeps touching my daughter (9) inappropriately when he comes round, she "
        "told me last night.",
    ),
    (
        "suicide_risk",
        "Aisha (15) has been stockpiling her mums tablets and plans to take them all.",
    ),
    (
        "child_alone",
        "the 3 yr old upstairs was wandering in the road on his own at 11pm, no adult about",
    ),
    ("child_alone", "A 2 year old girl was found alone in the park at 9pm, no parent anywhere."),
    ("child_alone", "he's about 6, he was locked out all night in the cold"),
    (
        "fgm_imminent",
        "Amira said her older cousin is coming from abroad to cut her and her sister during the "
        "holidays so they will be clean.",
    ),
    ("missing_now", "Mum rang in a panic, her daughter Kayla (13) ran off about 2 hours ago."),
    ("missing_now", "Kayla ran away from home this afternoon and hasn't come back."),
    ("strangulation", "Kirsty states he grabbed her round the throat."),
]


@pytest.mark.parametrize(("code", "text"), AUDIT_REDS)
def test_what_the_audit_found_below_red_is_found(code, text):
    assert code in extract(text).risk_indicators


@pytest.mark.parametrize(
    "text",
    [
        "He has a small cut on his arm from football, the cut was cleaned by the first aider.",
        "She denies suicidal ideation or plans. Safety plan agreed.",
        "She self-harms but says she does not want to die.",
        "Mum works long hours as a nurse so nan does the school run.",
        "The knife crime workshop at school went well, no concerns about any individual.",
        "Mum has a 13 year old daughter and is pregnant again.",
        "Mum is going to cut her fringe before the school holiday.",
        "He has a rash round the neck.",
    ],
)
def test_what_the_audit_found_wrongly_red_is_not(text):
    found = extract(text)
    assert not found.risk_indicators and "fgm" not in found.categories
    assert "trafficking" not in found.categories and "sexual_abuse" not in found.categories


@pytest.mark.parametrize("text", ["The cutting is planned for the summer.", "THE CUTTING is soon."])
def test_the_cutting_at_the_start_of_a_sentence_is_still_fgm(text):
    assert "fgm" in extract(text).categories
