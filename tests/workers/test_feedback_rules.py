import pytest

from intake.models import Contact
from workers.feedback.rules import (
    DEFAULT_RULE,
    RULES,
    Audience,
    Purpose,
    Route,
    Verdict,
    decide,
    reason_for,
)


def contact(**fields):
    defaults = {
        "reference": "ABCD-EFGH",
        "channel": "web",
        "referrer_type": "school",
        "referrer_anonymous": False,
        "referrer_phone": "+447700900123",
        "referrer_email": "dsl@school.example.org",
        "feedback_by": "email",
        "consent_answer": "yes",
        "outcome": "nfa",
    }
    return Contact(**{**defaults, **fields})


@pytest.mark.parametrize("purpose", list(Purpose))
def test_an_anonymous_referrer_is_never_written_to_even_if_details_slipped_through(purpose):
    decision = decide(
        contact(referrer_type="public", referrer_anonymous=True, feedback_by="sms"), purpose
    )
    assert (
        decision.verdict is Verdict.SKIP and decision.rule == "anonymous" and decision.route is None
    )


def test_a_referrer_who_asked_not_to_hear_back_is_not_written_to():
    decision = decide(contact(feedback_by="none"), Purpose.ACKNOWLEDGEMENT)
    assert (decision.verdict, decision.rule) == (Verdict.SKIP, "no_reply_wanted")


def test_a_chosen_way_without_its_details_writes_nothing():
    decision = decide(contact(feedback_by="sms", referrer_phone=None), Purpose.ACKNOWLEDGEMENT)
    assert (decision.verdict, decision.rule) == (Verdict.SKIP, "no_route")


def test_the_referrers_chosen_way_is_used():
    assert decide(contact(feedback_by="sms"), Purpose.ACKNOWLEDGEMENT).route == Route(
        "sms", "+447700900123"
    )
    assert decide(contact(feedback_by="email"), Purpose.ACKNOWLEDGEMENT).route == Route(
        "email", "dsl@school.example.org"
    )


def test_a_professional_who_made_no_choice_hears_back_by_work_email():
    decision = decide(contact(feedback_by=None), Purpose.OUTCOME)
    assert decision.verdict is Verdict.SEND
    assert decision.route == Route("email", "dsl@school.example.org")


def test_a_family_member_who_made_no_choice_is_not_texted_on_a_number_that_may_be_shared():
    decision = decide(contact(referrer_type="family", feedback_by=None), Purpose.ACKNOWLEDGEMENT)
    assert (decision.verdict, decision.rule) == (Verdict.SKIP, "no_route")


@pytest.mark.parametrize("referrer_type", ["family", "self"])
def test_an_outcome_to_the_household_is_held_when_asking_the_parents_would_put_the_child_at_risk(
    referrer_type,
):
    risky = contact(
        referrer_type=referrer_type,
        feedback_by="sms",
        consent_answer="not_asked",
        consent_reason="risk_of_harm",
    )
    held = decide(risky, Purpose.OUTCOME)
    assert (held.verdict, held.rule) == (Verdict.HOLD, "household_at_risk_outcome")
    assert held.route == Route("sms", "+447700900123"), (
        "held messages are written, for an officer to send"
    )
    assert decide(risky, Purpose.ACKNOWLEDGEMENT).verdict is Verdict.SEND


@pytest.mark.parametrize("referrer_type", ["family", "self"])
def test_an_outcome_to_the_household_goes_when_consent_was_withheld_for_another_reason(
    referrer_type,
):
    refused = contact(
        referrer_type=referrer_type, consent_answer="no", consent_reason="could_not_reach"
    )
    assert decide(refused, Purpose.OUTCOME).verdict is Verdict.SEND


@pytest.mark.parametrize("referrer_type", ["public", "acquaintance", "school"])
def test_referrers_outside_the_household_are_told_even_when_consent_was_withheld_for_risk(
    referrer_type,
):
    risky = contact(referrer_type=referrer_type, consent_answer="no", consent_reason="risk_of_harm")
    assert decide(risky, Purpose.OUTCOME).verdict is Verdict.SEND


def test_no_outcome_message_is_written_before_an_outcome_is_recorded():
    decision = decide(contact(outcome=None), Purpose.OUTCOME)
    assert (decision.verdict, decision.rule) == (Verdict.SKIP, "outcome_not_recorded")


@pytest.mark.parametrize(
    ("referrer_type", "audience"),
    [
        ("police", Audience.PROFESSIONAL),
        ("gp", Audience.PROFESSIONAL),
        ("family", Audience.FAMILY),
        ("self", Audience.SELF),
        ("acquaintance", Audience.PUBLIC),
        ("public", Audience.PUBLIC),
        (None, Audience.PUBLIC),
    ],
)
def test_each_referrer_type_gets_the_wording_of_its_audience(referrer_type, audience):
    assert (
        decide(contact(referrer_type=referrer_type), Purpose.ACKNOWLEDGEMENT).audience is audience
    )


def test_every_rule_is_written_down_with_a_reason_an_officer_can_read():
    for rule in (*RULES, DEFAULT_RULE):
        assert len(rule.reason) > 40 and rule.reason.endswith((".", ".)")), rule.name
        assert reason_for(rule.name) == rule.reason
    assert len({rule.name for rule in RULES}) == len(RULES)
