"""Complete referrals by phone, and calls that end part way."""

from __future__ import annotations

from sqlalchemy import select

from intake.models import Answer, Contact, ContactEvent, Conversation
from tests.channels.twilio_signed import BASE_URL
from workers.context import get_context
from workers.pipeline import process_contact
from workers.runner import run_worker

ANONYMOUS_SCRIPT = {
    "Is a child in immediate danger right now?": ("say", "No."),
    "Who are you?": ("say", "A member of the public", 0.81),
    "Do you want to stay anonymous?": ("press", "1"),
    "What is the child's name?": ("say", "Jordan Smith."),
    "I heard Jordan Smith.": ("press", "1"),
    "Do you know the child's date of birth?": ("press", "2"),
    "How old is the child?": ("say", "about seven"),
    "What is the child's sex or gender?": ("say", "he's a boy"),
    "What is the child's address?": ("say", "skip"),
    "What is the child's postcode?": ("say", "L S one four A P"),
    "I heard L S 1, 4 A P.": ("say", "yes that's right"),
    "Which school or nursery": ("say", "Riverside Primary"),
    "What language does the child's family speak": ("press", "*"),
    "disability or additional needs": ("silence",),
    "Is this referral about another child": ("press", "2"),
    "Do you know who the child lives with?": ("say", "No"),
    "What has happened?": (
        "say",
        "I saw a man drag the boy down the street by his arm and slap him "
        "hard across the face outside the shop.",
    ),
    "When did this happen?": ("say", "About an hour ago"),
    "How do you know about this?": ("press", "1"),
    "What are you worried will happen": ("say", "That he is being hit at home"),
    "What has the child said": ("say", "skip"),
    "Are you worried about any of these in the child's home?": ("say", "I don't know"),
    "Do the child's parents or carers know": ("press", "3"),
    "Why have they not agreed": ("press", "1"),
    "Tell us more about why": ("say", "skip"),
    "Which other services are involved": ("say", "None that I know of"),
}


def contact_of_call(session, caller) -> Contact:
    conversation = session.scalar(select(Conversation).where(Conversation.address == caller.sid))
    session.expire_all()
    return session.get(Contact, conversation.contact_id)


def test_an_anonymous_caller_is_taken_through_every_question_and_gets_a_reference(
    withheld_caller, session, redis_conn
):
    caller = withheld_caller
    caller.ring()
    assert "If a child is in immediate danger, hang up and call 999." in caller.heard
    assert "To be put through to the duty social worker now, press 9." in caller.heard
    assert "You can press 0 at any time to speak to a contact officer." in caller.heard
    caller.stay_silent()  # not pressing anything at the greeting starts the questions
    gather = caller.gather
    assert gather.get("input") == "speech dtmf" and gather.get("language") == "en-GB"
    assert gather.get("speechTimeout") == "auto" and gather.get("profanityFilter") == "false"
    assert gather.get("action") == f"{BASE_URL}/channels/voice/answer?key=immediate_danger"

    heard = caller.converse(ANONYMOUS_SCRIPT)
    assert not any("What is your name?" in h for h in heard)  # anonymous: never asked
    assert any("Sorry, I did not catch that." in h and "disability" in h for h in heard)
    caller.press("2")
    assert (
        "Child 1 age: 7 years old." in caller.heard
        and "Child 1 postcode: L S 1, 4 A P." in caller.heard
    )
    caller.press("1")
    assert caller.hung_up

    contact = contact_of_call(session, caller)
    assert contact.reference.replace("-", "") in caller.heard.replace(", then ", "").replace(
        ", ", ""
    )
    assert contact.status == "submitted" and contact.channel == "voice"
    assert (
        contact.referrer_anonymous
        and contact.referrer_source == "9"
        and contact.referrer_name is None
    )
    assert contact.origin_address is None  # the number was withheld
    [child] = contact.children
    assert (child.given_name, child.family_name, child.age_years, child.gender) == (
        "Jordan",
        "Smith",
        7,
        "male",
    )
    assert (child.postcode, child.school, child.language, child.disability) == (
        "LS1 4AP",
        "Riverside Primary",
        None,
        None,
    )
    assert contact.concern_description.startswith("I saw a man drag the boy")
    assert contact.home_concerns == ["unknown"] and contact.consent_answer == "not_asked"
    assert "Said: A member of the public (confidence 0.81)" in contact.raw_text
    stored = session.execute(
        select(Answer.raw, Answer.confidence).where(
            Answer.contact_id == contact.id, Answer.question_key == "referrer_type"
        )
    ).one()
    assert tuple(stored) == ("A member of the public", 0.81)

    run_worker(get_context(), redis_conn, burst=True, fork=False, with_relay=False)
    session.expire_all()
    assert session.get(Contact, contact.id).status == "awaiting_review"


def test_a_caller_who_hangs_up_half_way_leaves_a_draft_with_their_number_and_words(caller, session):
    caller.ring()
    caller.stay_silent()
    caller.say("no")
    caller.say("I'm a teacher")
    caller.say("Priya Shah")
    assert "I heard Priya Shah." in caller.heard
    caller.press("1")
    caller.say("Head of year")
    assert caller.hang_up() == 204

    contact = contact_of_call(session, caller)
    assert contact.status == "draft" and contact.origin_address == caller.number
    assert contact.flow_state["answers"]["referrer_name"] == "Priya Shah"
    for said in (
        "Said: no",
        "Said: I'm a teacher",
        "Said: Priya Shah",
        "Pressed: 1",
        "Said: Head of year",
    ):
        assert said in contact.raw_text
    conversation = session.scalar(select(Conversation).where(Conversation.address == caller.sid))
    assert conversation.close_reason == "hung_up"
    assert session.scalar(
        select(ContactEvent.detail).where(ContactEvent.step == "call_ended_before_submission")
    ) == {"answers": 4}
    # Twilio may send the callback twice; the second finds nothing left to do.
    assert caller.hang_up() == 204


def test_a_call_that_is_sent_and_then_ends_is_not_made_a_draft(withheld_caller, session):
    caller = withheld_caller
    caller.ring()
    caller.stay_silent()
    caller.converse(ANONYMOUS_SCRIPT)
    caller.press("1")
    caller.hang_up()
    contact = contact_of_call(session, caller)
    assert contact.status == "submitted"
    assert process_contact(contact.id) == "processed"
    assert (
        session.scalar(
            select(ContactEvent.id).where(ContactEvent.step == "call_ended_before_submission")
        )
        is None
    )
