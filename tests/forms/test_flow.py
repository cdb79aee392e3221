from forms import flow
from forms.flow import FlowState
from forms.referral import build_referral

PROFESSIONAL = {
    "immediate_danger": "no",
    "referrer_type": "school",
    "referrer_name": "Sam Patel",
    "referrer_role": "DSL",
    "referrer_organisation": "Riverside Primary",
    "referrer_phone": "07700 900123",
    "referrer_email": "sam@example.org",
    "feedback_by": "email",
}


def answer_all(state, answers):
    for raw in answers:
        step = flow.current_step(state)
        assert step is not None, "the flow ended early"
        result = flow.answer(state, raw)
        assert result.ok, (step.key, result.error)


def complete_professional_state():
    state = FlowState()
    answer_all(state, PROFESSIONAL.values())
    answer_all(
        state,
        [
            {"given": "Jordan", "family": "Smith"},
            "date_of_birth",
            "3/4/2015",
            "male",
            "10 High St",
            "LS1 4AP",
            "Riverside",
            "",
            "",
            "no",
            "no",
            "He has a bruise",
            "yesterday",
            "told_by_child",
            "",
            "",
            "none",
            "not_asked",
            "risk_of_harm",
            "",
            "none",
        ],
    )
    return state


def test_a_professional_is_asked_every_question_in_order_and_the_flow_completes():
    state = complete_professional_state()
    assert flow.current_step(state) is None
    assert flow.is_complete(state)
    referral = build_referral(state)
    assert referral.referrer_source == "2A"
    assert referral.children[0].given_name == "Jordan"
    assert referral.consent_reason == "risk_of_harm"


def test_a_member_of_the_public_may_stay_anonymous_and_is_not_asked_contact_details():
    state = FlowState()
    answer_all(state, ["no", "public", "yes"])
    step = flow.current_step(state)
    assert step.key == "child.0.name"
    referral = build_referral(state)
    assert referral.anonymous and referral.referrer_source == "9"


def test_professionals_must_give_contact_details():
    state = FlowState()
    answer_all(state, ["no", "gp"])
    result = flow.answer(state, "")
    assert not result.ok and result.error == "Enter your name"


def test_consent_no_needs_a_reason_and_other_needs_words():
    state = complete_professional_state()
    flow.change(state, "consent")
    assert flow.answer(state, "yes").ok
    assert "consent_reason" not in {s.key for s in flow.steps(state.answers)}
    flow.change(state, "consent")
    assert flow.answer(state, "no").ok
    # The earlier reason still stands; the person changes it to "other".
    assert flow.current_step(state) is None
    flow.change(state, "consent_reason")
    flow.answer(state, "other")
    assert flow.current_step(state).key == "consent_reason_detail"
    assert flow.answer(state, "").error.startswith("Tell us why")
    assert flow.answer(state, "Dad would be violent").ok
    assert flow.is_complete(state)


def test_changing_a_branching_answer_asks_the_newly_relevant_question_and_drops_the_stale_one():
    state = complete_professional_state()
    flow.change(state, "child.0.age_known")
    flow.answer(state, "age")
    assert flow.current_step(state).key == "child.0.age"
    flow.answer(state, "9")
    referral = build_referral(state)
    assert referral.children[0].age_years == 9
    assert referral.children[0].date_of_birth is None


def test_saying_there_is_another_child_asks_about_a_second_child():
    state = complete_professional_state()
    flow.change(state, "child.0.more")
    flow.answer(state, "yes")
    assert flow.current_step(state).key == "child.1.name"
    answer_all(state, ["Amy Smith", "age", "4", "female", "", "", "", "", "", "no"])
    assert flow.current_step(state) is None
    assert [c.given_name for c in build_referral(state).children] == ["Jordan", "Amy"]


def test_back_returns_to_the_previous_answer_and_the_answer_can_be_replaced():
    state = FlowState()
    answer_all(state, ["no", "school", "Sam Patel"])
    step = flow.back(state)
    assert step.key == "referrer_name"
    step = flow.back(state)
    assert step.key == "referrer_type"
    flow.answer(state, "gp")
    assert build_referral(state).referrer_source == "3A"
    assert flow.current_step(state).key == "referrer_role"


def test_state_survives_a_round_trip_through_json():
    import json

    state = complete_professional_state()
    copy = FlowState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert build_referral(copy) == build_referral(state)


def test_prefill_never_overwrites_what_the_person_said_and_drops_invalid_values():
    state = FlowState()
    answer_all(state, ["no", "school"])
    filled = flow.prefill(
        state, {"referrer_type": "gp", "child.0.postcode": "LS1 4AP", "child.0.age": "not an age"}
    )
    assert filled == ["child.0.postcode"]
    assert state.answers["referrer_type"] == "school"
    assert state.sources["child.0.postcode"] == "nlp"


def test_choices_are_understood_by_number_label_and_everyday_words():
    state = FlowState()
    answer_all(state, ["no", "I'm the school nurse"])
    assert state.answers["referrer_type"] == "school_nurse"


def test_what_the_child_said_is_not_asked_when_every_child_is_not_born_yet():
    answers = {"child.0.age_known": "unborn"}
    assert flow.step_for("child_said", answers) is None
    assert flow.step_for("child_said", {"child.0.age_known": "age"}) is not None
    assert flow.step_for("child_said", {**answers, "child.1.age_known": "age"}) is None
    two = {**answers, "child.0.more": True, "child.1.age_known": "age"}
    assert flow.step_for("child_said", two) is not None


def test_parents_who_do_not_know_about_the_referral_have_not_been_asked():
    from forms.choices import CONSENT
    from forms.questions import match_choice

    for reply in ("mum doesn't know", "they don't know about it", "nobody knows yet"):
        assert match_choice(CONSENT, reply) == "not_asked", reply
    assert match_choice(CONSENT, "they do not agree") == "no"
