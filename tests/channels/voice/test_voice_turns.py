"""The phone line's turns: keypad answers, read-backs, silence, and being put through."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from channels.voice import call as calls
from intake.models import Contact, ContactEvent, Conversation
from tests.channels.twilio_signed import BASE_URL, sign


def to_questions(caller) -> None:
    caller.ring()
    caller.stay_silent()


def test_yes_no_and_choices_can_be_pressed_and_a_date_typed_without_a_read_back(caller, session):
    to_questions(caller)
    assert caller.gather.get("numDigits") == "1"
    caller.press("2")  # no
    caller.say("neighbour")
    caller.press("2")  # not anonymous
    caller.say("Kim Lee")
    caller.press("1")  # "I heard Kim Lee" - right
    assert "What is your phone number?" in caller.heard
    assert "To use the number you are calling from, press 1 then hash." in caller.heard
    caller.press("1")
    assert "What is your email address?" in caller.heard
    caller.say("skip")
    caller.press("2")  # feedback by text
    caller.say("skip")  # child's name
    caller.press("1")  # knows the date of birth
    assert caller.gather.get("finishOnKey") == "#"
    caller.press("03042015")
    assert "sex or gender" in caller.heard and "I heard" not in caller.heard
    conversation = session.scalar(select(Conversation).where(Conversation.address == caller.sid))
    contact = session.get(Contact, conversation.contact_id)
    answers = contact.flow_state["answers"]
    assert answers["immediate_danger"] is False and answers["anonymous"] is False
    assert answers["referrer_phone"] == caller.number and answers["feedback_by"] == "sms"
    assert answers["child.0.date_of_birth"] == "2015-04-03"


def test_a_date_of_birth_heard_wrongly_is_read_back_and_asked_again(caller):
    to_questions(caller)
    for turn in ("no", "neighbour", "yes", "skip"):
        caller.say(turn)
    caller.press("1")
    caller.say("the third of April twenty fifteen")
    assert (
        caller.heard
        == "I heard 3rd of April 2015. Is that right? Press 1 if that is right, or 2 if it is not."
    )
    caller.press("2")
    assert caller.heard.startswith(
        "Sorry about that. Let's try again. What is the child's date of birth?"
    )
    caller.say("13th of April 2015")
    assert caller.heard.startswith("I heard 13th of April 2015.")
    caller.say("yes")
    assert "sex or gender" in caller.heard


def test_silence_is_asked_again_once_then_the_keypad_and_a_call_back_are_offered(caller, session):
    to_questions(caller)
    caller.stay_silent()
    assert caller.heard.startswith(
        "Sorry, I did not catch that. Is a child in immediate danger right now?"
    )
    caller.say("mumble", confidence=0.31)
    assert "You can type your answer on your keypad, then press hash." in caller.heard
    assert "Or press star, and a contact officer will call you back on this number." in caller.heard
    caller.press("*")
    assert caller.hung_up and "A contact officer will call you back" in caller.heard
    contact = session.scalars(select(Contact)).one()
    assert contact.status == "draft" and contact.origin_address == caller.number
    assert session.scalar(select(ContactEvent.id).where(ContactEvent.step == "call_back_requested"))
    assert "Said: mumble (confidence 0.31)" in contact.raw_text


def test_a_withheld_number_is_not_offered_a_call_back(withheld_caller):
    to_questions(withheld_caller)
    withheld_caller.stay_silent()
    withheld_caller.stay_silent()
    assert "call you back" not in withheld_caller.heard
    assert "Or press 0 to speak to a contact officer now." in withheld_caller.heard


def test_low_confidence_on_an_optional_question_skips_it_after_one_retry(caller):
    to_questions(caller)
    for turn in ("no", "neighbour", "yes"):
        caller.say(turn)
    assert "What is the child's name?" in caller.heard
    caller.say("jaw dun", confidence=0.2)
    caller.say("jor dun", confidence=0.3)
    assert caller.heard.startswith(
        "That's fine, let's leave that one. Do you know the child's date of birth?"
    )


def test_go_back_help_and_start_again_work_by_voice(caller):
    to_questions(caller)
    caller.say("no")
    caller.say("Go back.")
    assert "Is a child in immediate danger right now?" in caller.heard
    caller.say("no")
    caller.say("help")
    assert (
        caller.heard.startswith("Answer each question by speaking")
        and "Who are you?" in caller.heard
    )
    caller.say("neighbour")
    caller.say("start again")
    assert (
        caller.heard.startswith("I have cleared your answers.")
        and "immediate danger" in caller.heard
    )


def test_saying_a_child_is_in_danger_gives_the_advice_and_offers_the_duty_line(caller, session):
    to_questions(caller)
    caller.say("yes")
    assert "hang up now and call 999" in caller.heard
    assert "To be put through to the duty social worker now, press 9." in caller.heard
    caller.press("9")
    dial = caller.root.find("Dial")
    assert (
        dial.text == "+441134960999"
        and dial.get("action") == f"{BASE_URL}/channels/voice/dial-ended"
    )


def test_pressing_9_at_the_start_puts_the_caller_through_to_the_duty_line(caller):
    caller.ring()
    caller.press("9")
    assert caller.root.find("Dial").text == "+441134960999"
    caller.post_to("/channels/voice/dial-ended", DialCallStatus="no-answer")
    assert caller.heard.startswith(
        "Sorry, no one could answer just now. I will take your referral instead."
    )
    assert "Is a child in immediate danger right now?" in caller.heard
    caller.post_to("/channels/voice/dial-ended", DialCallStatus="completed")
    assert caller.hung_up


def test_pressing_0_in_opening_hours_puts_the_caller_through_to_an_officer(caller, monkeypatch):
    monkeypatch.setattr(calls.opening_hours, "is_open", lambda spec, now: True)
    to_questions(caller)
    caller.press("0")
    assert caller.root.find("Dial").text == "+441134960111"


def test_pressing_0_out_of_hours_gives_the_advice_and_carries_on(caller, monkeypatch):
    monkeypatch.setattr(calls.opening_hours, "is_open", lambda spec, now: False)
    to_questions(caller)
    caller.say("no")
    caller.press("0")
    assert caller.heard.startswith(
        "Our contact officers answer calls Monday to Friday, 9am to 5pm. "
        "No one can take your call just now."
    )
    assert "press 9 for the duty social worker, or call 0113 496 0999" in caller.heard
    caller.stay_silent()
    assert "Who are you?" in caller.heard


def test_a_late_or_repeated_answer_does_not_answer_the_next_question(caller, session):
    to_questions(caller)
    first_action = caller.gather.get("action")
    caller.say("no")
    caller.post_to(first_action, SpeechResult="yes", Confidence="0.9")  # Twilio retrying
    assert "Who are you?" in caller.heard
    contact = session.scalars(select(Contact)).one()
    assert contact.flow_state["answers"]["immediate_danger"] is False


@pytest.mark.parametrize(
    "path",
    ["/channels/voice", "/channels/voice/answer?key=immediate_danger", "/channels/voice/status"],
)
def test_every_voice_url_refuses_a_request_not_signed_by_twilio(client, caller, session, path):
    params = caller._params(SpeechResult="yes", Confidence="0.9")
    forged = sign(f"{BASE_URL}/channels/voice/answer?key=referrer_type", params)
    response = client.post(path, data=params, headers={"X-Twilio-Signature": forged})
    assert response.status_code == 403
    assert session.scalar(select(Conversation.id)) is None


def test_the_key_in_an_action_url_is_covered_by_the_signature(webhooks, caller):
    to_questions(caller)
    params = caller._params(SpeechResult="yes", Confidence="0.9")
    signed_for_other_key = sign(f"{BASE_URL}/channels/voice/answer?key=immediate_danger", params)
    response = webhooks.post(
        "/channels/voice/answer?key=anonymous", params, signature=signed_for_other_key
    )
    assert response.status_code == 403


def test_danger_said_at_any_question_gives_the_advice_and_flags_the_referral(caller, session):
    to_questions(caller)
    caller.say("no")
    assert "Who are you?" in caller.heard
    caller.say("hes got a knife now")
    assert caller.heard.startswith("If a child is in immediate danger, hang up now and call 999.")
    assert "press 9" in caller.heard  # the duty line is offered
    conversation = session.scalar(select(Conversation).where(Conversation.address == caller.sid))
    contact = session.get(Contact, conversation.contact_id)
    session.refresh(contact)
    assert contact.flow_state["answers"]["immediate_danger"] is True
    assert session.scalar(select(ContactEvent.id).where(ContactEvent.step == "danger_reported"))
    caller.stay_silent()  # past the duty-line menu: the question that was interrupted
    assert "Who are you?" in caller.heard


def test_not_sure_about_danger_is_asked_again_not_taken_as_no(caller, session):
    to_questions(caller)
    caller.say("not sure")
    assert (
        "if you are not sure, answer yes" in caller.heard and "in immediate danger" in caller.heard
    )
    conversation = session.scalar(select(Conversation).where(Conversation.address == caller.sid))
    contact = session.get(Contact, conversation.contact_id)
    session.refresh(contact)
    assert "immediate_danger" not in contact.flow_state["answers"]


def test_a_postcode_said_after_the_words_post_code_is_read(caller):
    to_questions(caller)
    for turn in ("no", "neighbour", "yes", "skip"):
        caller.say(turn)
    caller.press("4")  # does not know the date of birth
    for _ in range(8):
        if "postcode" in caller.heard.lower():
            break
        caller.say("skip")
    assert "postcode" in caller.heard.lower(), caller.heard
    caller.say("post code L S six three A B")
    assert caller.heard.startswith("I heard L S 6, 3 A B.")


def test_a_caller_who_cannot_answer_and_gave_no_number_is_offered_an_officer_plainly(
    withheld_caller,
):
    to_questions(withheld_caller)
    for turn in ("no", "teacher"):
        withheld_caller.say(turn)
    assert "name" in withheld_caller.heard and "skip" not in withheld_caller.heard
    withheld_caller.press("*")  # a professional's name is needed
    # No call back without a number, no keypad for a name: the one offer left stands alone.
    assert withheld_caller.heard.startswith("Press 0 to speak to a contact officer now.")
