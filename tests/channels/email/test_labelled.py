"""Answers from "Label: value" lines and from signatures."""

from __future__ import annotations

from channels.email.labelled import consent_answers, household_answers, read_labelled
from channels.email.signature import referrer_from_signature


def test_labelled_fields_of_a_pasted_referral_template_become_answers():
    labelled = read_labelled(
        "Some words first.\n"
        "Child's name: Jordan Smith\n"
        "DOB: 03/04/2015 (age 9)\n"
        "Child 2 name: Amy Smith\n"
        "Child 2 age: 4 years\n"
        "Other children: none\n"
        "Concern: He has a bruise.\n"
        "He said it was mum's boyfriend.\n\n"
        "He was scared.\n"
        "Other agencies: CAMHS\n"
        "Favourite colour: blue\n"
    )
    assert labelled.values == {
        "child.0.name": "Jordan Smith",
        "child.0.age_known": "date_of_birth",
        "child.0.date_of_birth": "03/04/2015",
        "child.1.name": "Amy Smith",
        "child.1.age_known": "age",
        "child.1.age": "4 years",
        "child.0.more": True,
        "child.1.more": False,
        "concern": "He has a bruise.\nHe said it was mum's boyfriend.\n\nHe was scared.",
        "other_agencies": "CAMHS",
    }
    assert 0 not in labelled.used_lines and 11 not in labelled.used_lines  # not fields


def test_consent_as_referral_templates_word_it():
    assert consent_answers("Not sought - asking would put Jordan at risk") == {
        "consent": "not_asked",
        "consent_reason": "risk_of_harm",
        "consent_reason_detail": "Not sought - asking would put Jordan at risk",
    }
    assert consent_answers("Yes, mum is aware and agrees")["consent"] == "yes"
    assert consent_answers("Dad refused")["consent"] == "no"


def test_who_the_child_lives_with_becomes_household_members():
    assert household_answers("Mother (Kelly Smith) and her partner Dean Jones") == {
        "household_known": True,
        "household.0.name": "Kelly Smith",
        "household.0.relationship": "mother",
        "household.0.more": True,
        "household.1.name": "Dean Jones",
        "household.1.relationship": "step_parent",
        "household.1.more": False,
    }
    assert household_answers("Not known") == {"household_known": False}


def test_a_signature_gives_the_referrers_name_role_organisation_and_phone():
    found = referrer_from_signature(
        "Sam Patel\nDesignated Safeguarding Lead\nRiverside Primary School\n"
        "Tel: 0113 496 0123\nwww.riverside.sch.uk"
    )
    assert found == {
        "referrer_name": "Sam Patel",
        "referrer_role": "Designated Safeguarding Lead",
        "referrer_organisation": "Riverside Primary School",
        "referrer_phone": "0113 496 0123",
    }


def test_a_one_line_signature_with_bars_is_split():
    found = referrer_from_signature("Dr Asha Rao | GP Partner | Moor Lane Surgery | 07700 900456")
    assert found["referrer_name"] == "Dr Asha Rao"
    assert found["referrer_role"] == "GP Partner"
    assert found["referrer_organisation"] == "Moor Lane Surgery"
    assert found["referrer_phone"] == "07700 900456"


def test_a_first_name_sign_off_takes_the_full_name_from_the_from_header_only_if_it_matches():
    assert referrer_from_signature("Sam", "Sam Patel") == {"referrer_name": "Sam Patel"}
    assert referrer_from_signature("Sam", "Safeguarding Team") == {}
