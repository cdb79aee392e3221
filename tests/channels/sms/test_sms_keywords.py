"""Words that work at any point: HELP, BACK, CHANGE, RESTART, STOP, RESUME, and danger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from intake.models import Answer, Contact, ContactEvent, Conversation, utcnow
from tests.channels.sms.test_sms_referrals import TEACHER_REPLIES


def start(phone, *replies: str) -> None:
    phone.send("hello")
    for reply in replies:
        phone.send(reply)


def test_help_explains_the_keywords_and_asks_the_question_again(phone):
    start(phone, "no")
    [reply] = phone.send("help")
    assert "Reply BACK to go back, CHANGE to change an answer" in reply
    assert reply.endswith(
        "Who are you? For example: teacher, GP, police, family member, neighbour, "
        "member of the public, or the young person."
    )


def test_back_goes_to_the_previous_question_and_shows_the_answer_given(phone):
    start(phone, "no", "neighbour", "no")
    assert "What is your full name?" in phone.last
    [reply] = phone.send("BACK")
    assert reply == (
        "Your answer was: No.\n\nDo you want to stay anonymous? Reply YES or NO. "
        "If you stay anonymous we cannot tell you what happens next."
    )
    phone.send("yes")
    assert "child's full name" in phone.last  # anonymous: no name or contact details asked


def test_back_at_the_first_question_says_so(phone):
    phone.send("hello")
    [reply] = phone.send("back")
    assert reply.startswith("That is the first question.")


def test_change_with_a_number_goes_straight_to_that_answer(phone):
    start(phone, "no", "neighbour", "no", "Alex Morgan")
    [reply] = phone.send("CHANGE 4")
    assert reply == "Your answer was: Alex Morgan.\n\nWhat is your full name?"
    phone.send("Alex Morgan-Reid")
    assert "What phone number" in phone.last


def test_change_with_a_number_not_on_the_list_asks_again(phone):
    start(phone, "no")
    phone.send("change")
    assert phone.send("9") == [
        "Please reply with a number from 1 to 1, or RESUME to carry on without changing anything."
    ]
    [reply] = phone.send("resume")
    assert reply.endswith(
        "Who are you? For example: teacher, GP, police, family member, neighbour, "
        "member of the public, or the young person."
    )


def test_restart_clears_the_answers_and_starts_again(phone, session):
    start(phone, "no", "neighbour")
    [reply] = phone.send("RESTART")
    assert (
        reply
        == "We have cleared your answers. Let's start again.\n\nIs a child in danger right now? Reply YES or NO."
    )
    contact = session.scalars(select(Contact)).one()
    session.refresh(contact)
    assert contact.flow_state["answers"] == {}
    # What was said before the restart is still on the draft: answers are never deleted.
    assert (
        session.scalar(select(Answer.raw).where(Answer.question_key == "referrer_type"))
        == "neighbour"
    )


def test_stop_ends_the_conversation_quietly_because_twilio_confirms_it(phone, session):
    start(phone, "no")
    assert phone.send("STOP") == []
    conversation = session.scalars(select(Conversation)).one()
    session.refresh(conversation)
    assert conversation.close_reason == "opted_out" and conversation.closed_at is not None
    # Texting again later (after START) begins afresh.
    assert phone.send("start")[0].startswith("This is the children's safeguarding front door")
    assert (
        session.scalar(select(Conversation.id).where(Conversation.closed_at.is_(None)))
        != conversation.id
    )


def test_every_twilio_opt_out_word_is_respected(phone):
    for word in ("stopall", "Unsubscribe", "cancel.", "END", "quit", "revoke", "optout"):
        phone.send("hello")
        assert phone.send(word) == [], word


def test_999_brings_the_emergency_advice_at_once_and_flags_the_referral(phone, session):
    start(phone, "no", "neighbour")
    [reply] = phone.send("999")
    assert reply.startswith(
        "If a child is in danger now, call 999 straight away. To speak to the duty "
        "social worker now, call 0113 496 0999."
    )
    assert reply.endswith("If you stay anonymous we cannot tell you what happens next.")
    contact = session.scalars(select(Contact)).one()
    session.refresh(contact)
    assert contact.flow_state["answers"]["immediate_danger"] is True
    assert session.scalar(select(ContactEvent.id).where(ContactEvent.step == "danger_reported"))


def test_saying_a_child_is_in_danger_now_gives_the_advice_before_anything_else(phone):
    [reply] = phone.send("he is in danger right now")
    assert reply.startswith("This is the children's safeguarding front door")
    assert "If a child is in danger now, call 999 straight away" in reply
    assert reply.endswith(
        "Who are you? For example: teacher, GP, police, family member, neighbour, "
        "member of the public, or the young person."
    )


def test_answering_yes_to_danger_gives_the_advice_and_carries_on(phone):
    phone.send("hello")
    [reply] = phone.send("yes")
    assert reply.startswith("If a child is in danger now, call 999 straight away")
    assert "Who are you?" in reply


def test_a_phone_number_or_the_emergency_department_is_not_an_emergency(phone):
    phone.send("hello")
    for reply in ("no", "hospital"):
        phone.send(reply)
    assert "call 999" not in phone.send("Emergency department nurse")[0]
    assert "call 999" not in phone.send("Kings Mill Hospital")[0]
    assert "call 999" not in phone.send("07700 900999")[0]


def idle(session, minutes: int) -> None:
    session.execute(
        update(Conversation).values(last_activity_at=utcnow() - timedelta(minutes=minutes))
    )
    session.commit()


def test_an_idle_conversation_is_paused_and_can_be_resumed_where_it_left_off(phone, session):
    start(phone, "no", "neighbour")
    idle(session, 61)
    [paused] = phone.send("no")
    assert paused == (
        "We paused your referral because we had not heard from you for 60 minutes. "
        "Nothing has been sent yet. Reply RESUME to carry on where you left off, or "
        "RESTART to start again."
    )
    assert phone.send("yes") == [paused]  # not taken as an answer while paused
    [resumed] = phone.send("RESUME")
    assert resumed.startswith("Welcome back.") and "Do you want to stay anonymous?" in resumed
    conversation = session.scalars(select(Conversation)).one()
    session.refresh(conversation)
    assert conversation.closed_at is None
    assert session.scalar(select(ContactEvent.id).where(ContactEvent.step == "conversation_paused"))


def test_an_idle_conversation_can_be_restarted(phone, session):
    start(phone, "no", "neighbour")
    idle(session, 120)
    phone.send("hi")
    [reply] = phone.send("restart")
    assert reply.endswith("Is a child in danger right now? Reply YES or NO.")
    assert len(session.scalars(select(Contact)).all()) == 1  # the same draft, started again


def test_a_conversation_paused_long_ago_is_not_resumed(phone, session):
    start(phone, "no")
    idle(session, 61)
    phone.send("hi")
    session.execute(update(Conversation).values(closed_at=utcnow() - timedelta(days=29)))
    session.commit()
    assert phone.send("RESUME")[0].startswith("This is the children's safeguarding front door")


def _danger_flagged(session) -> bool:
    contact = session.scalars(select(Contact)).one()
    session.refresh(contact)
    return contact.flow_state["answers"].get("immediate_danger") is True


@pytest.mark.parametrize(
    "alarm",
    [
        "he's got a knife now",
        "she's not safe tonight",
        "please help hes hitting her",
        "my dad is going to kill my mum",
    ],
)
def test_danger_in_the_referrers_own_words_is_an_alarm_at_any_question(phone, session, alarm):
    start(phone, "no", "member of the public", "no", "Sam Green")
    assert "What phone number can we call you on?" in phone.last
    [reply] = phone.send(alarm)
    assert reply.startswith("If a child is in danger now, call 999 straight away.")
    assert "What phone number can we call you on?" in reply.split("\n\n")[-1]  # asked again
    assert _danger_flagged(session)
    assert session.scalar(select(ContactEvent.id).where(ContactEvent.step == "danger_reported"))


@pytest.mark.parametrize("first", ["he's got a knife now", "not now but tonight when he gets home"])
def test_danger_as_the_first_text_is_an_alarm(phone, session, first):
    [reply] = phone.send(first)
    assert "If a child is in danger now, call 999 straight away" in reply
    assert _danger_flagged(session)


@pytest.mark.parametrize(
    "words", ["she is not in danger now", "no need to call 999", "he keeps a knife in his room"]
)
def test_danger_denied_or_not_now_is_not_an_alarm(phone, session, words):
    start(phone, "no", "member of the public", "no", "Sam Green")
    [reply] = phone.send(words)
    assert "call 999 straight away" not in reply
    assert not _danger_flagged(session)


def test_a_short_account_of_danger_is_an_alarm_and_the_answer_too(phone, session):
    # At a question asking for the referrer's own words, the words are kept as the answer.
    replies = {
        **TEACHER_REPLIES,
        "your full name": "Sam Green",
        "email address": "sam@riverside.sch.uk",
        "child's full name": "Jordan Smith",
        "know the child's date of birth": "4",
        "postcode": "LS6 3AB",
        "school": "Riverside Primary",
    }
    queues = {k: [v] if isinstance(v, str) else list(v) for k, v in replies.items()}
    phone.send("hello")
    for _ in range(40):
        if "what has happened" in phone.last:
            break
        queue = next((q for k, q in queues.items() if k in phone.last), None)
        assert queue is not None, phone.last
        phone.send(queue.pop(0) if len(queue) > 1 else queue[0])
    assert "what has happened" in phone.last
    [reply] = phone.send("the kids are scared to go home")
    assert reply.startswith("If a child is in danger now, call 999 straight away.")
    assert _danger_flagged(session)
    answers = session.scalars(select(Answer).where(Answer.question_key == "concern")).all()
    assert [a.raw for a in answers] == ["the kids are scared to go home"]


@pytest.mark.parametrize(
    "unsure",
    ["not sure", "don't know", "idk", "no idea", "maybe"],
)
def test_not_sure_whether_a_child_is_in_danger_is_never_taken_as_no(phone, session, unsure):
    phone.send("hello")
    [reply] = phone.send(unsure)
    assert reply.startswith("If you are not sure, answer yes so that we treat it as urgent.")
    assert reply.endswith("Is a child in danger right now? Reply YES or NO.")
    contact = session.scalars(select(Contact)).one()
    session.refresh(contact)
    assert "immediate_danger" not in contact.flow_state["answers"]


def test_an_alarm_while_paused_reopens_the_referral_and_flags_it(phone, session):
    start(phone, "no", "neighbour")
    idle(session, 61)
    [reply] = phone.send("999")
    assert reply.startswith("If a child is in danger now, call 999 straight away.")
    assert "We paused your referral" not in reply
    assert reply.endswith("If you stay anonymous we cannot tell you what happens next.")
    assert _danger_flagged(session)


def test_change_before_anything_is_answered_says_there_is_nothing_to_change(phone):
    phone.send("hello")
    [reply] = phone.send("change")
    assert reply == (
        "You have not answered any questions yet, so there is nothing to change.\n\n"
        "Is a child in danger right now? Reply YES or NO."
    )
    [reply] = phone.send("change 0")
    assert reply.startswith("You have not answered any questions yet")


def test_resume_with_nothing_to_resume_says_a_new_referral_is_starting(phone):
    start(phone, "no", "teacher")
    phone.send("STOP")
    [reply] = phone.send("RESUME")
    assert "There is no unfinished referral from this number to carry on with" in reply
    assert "Welcome back" not in reply
    assert reply.endswith("Is a child in danger right now? Reply YES or NO.")


def _to_date_of_birth_question(phone) -> None:
    start(phone, "no", "member of the public", "yes", "Jordan Smith")
    assert "Do you know the child's date of birth?" in phone.last, phone.last


@pytest.mark.parametrize(
    ("reply", "key", "value"),
    [
        ("she's about 7", "age", 7),
        ("she's about seven", "age", 7),
        ("2. about 7", "age", 7),  # the 2 chose "roughly how old"; the age is 7
        ("dob 3/4/15", "date_of_birth", "2015-04-03"),
    ],
)
def test_an_age_or_date_given_with_the_choice_is_taken_not_asked_for(
    phone, session, reply, key, value
):
    _to_date_of_birth_question(phone)
    [answer] = phone.send(reply)
    assert "How old" not in answer and "What is the child's date of birth?" not in answer
    contact = session.scalars(select(Contact)).one()
    session.refresh(contact)
    assert contact.flow_state["answers"][f"child.0.{key}"] == value


@pytest.mark.parametrize(
    ("reply", "asked"),
    [
        ("yes", "What is the child's date of birth? For example 27 3 2015."),
        ("2", "How old is the child, in years?"),
    ],
)
def test_a_choice_alone_leads_to_its_question(phone, reply, asked):
    _to_date_of_birth_question(phone)
    [answer] = phone.send(reply)
    assert answer.startswith(asked)  # not "Select one option", which asks the choice again


def test_dont_know_shorthand_is_a_blank_not_a_name(phone, session):
    start(phone, "no", "member of the public", "yes")
    assert "child's full name" in phone.last
    phone.send("idk")
    contact = session.scalars(select(Contact)).one()
    session.refresh(contact)
    assert contact.flow_state["answers"].get("child.0.name") is None
