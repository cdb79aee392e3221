"""Complete referrals by text message, from the first text to a processed contact."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from rq import Queue
from sqlalchemy import select, update

from intake.models import Answer, Contact, Conversation, OutboxJob, utcnow
from workers import queues
from workers.context import get_context
from workers.pipeline import process_contact
from workers.runner import run_worker

TEACHER_MESSAGE = (
    "Hi, my name is Sam Patel, I'm the DSL at Riverside Primary School. I am worried about "
    "Jordan Smith, DOB 03/04/2015, who lives at 10 High Street, Leeds LS1 4AP. He came in today "
    "with a bruise on his cheek and said mum's boyfriend hit him last night. His mum, Kelly "
    "Smith, does not know we are referring. Email me at sam.patel@riverside.example.org"
)

# What the teacher still has to be asked, by a few words of each question.
TEACHER_REPLIES = {
    "in danger right now": "no",
    "Who are you?": "teacher",
    "your job or role": "Designated Safeguarding Lead",
    "Which organisation": "Riverside Primary School",
    "What phone number": "SAME",
    "How should we tell you": "email",
    "girl or a boy": "boy",
    "child's address": "10 High Street, Leeds",
    "What language": "English",
    "disability": "SKIP",
    "another child as well": "no",
    "who the child lives with": "yes",
    "anyone else live with the child": ["yes", "no"],
    "What is their name?": "Dean Walsh",
    "How are they related": "mum's boyfriend",
    "When did this happen": "last night",
    "How do you know": "2",
    "worried will happen": "That he will be hurt again",
    "What has the child said": "Dean hit me because I was noisy",
    "any of these at home": "domestic abuse, drugs",
    "parents or carers know": "3",
    "Why not?": "1",
    "tell us more about why": "SKIP",
    "Which other services": "none",
}


def contact_of(session, phone) -> Contact:
    conversation = session.scalars(
        select(Conversation)
        .where(Conversation.address == phone.number)
        .order_by(Conversation.id.desc())
    ).first()
    session.expire_all()
    return session.get(Contact, conversation.contact_id)


def test_a_teacher_who_sends_everything_in_one_text_is_asked_only_what_is_missing(phone, session):
    first = phone.send(TEACHER_MESSAGE)
    assert "taken the details we could from your message" in first[-1]
    assert first[-1].endswith("Is a child in danger right now? Reply YES or NO.")

    asked = phone.converse(TEACHER_REPLIES)
    for prefilled in (
        "What is your full name?",
        "email address",
        "child's full name",
        "date of birth",
        "postcode",
        "school or nursery",
        "Tell us what has happened",
    ):
        assert not any(prefilled in question for question in asked), prefilled

    summary = "\n".join(phone.received)
    assert "Child 1 date of birth: 3 April 2015" in summary
    assert "Child 1 postcode: LS1 4AP" in summary
    assert "Your email: sam.patel@riverside.example.org" in summary
    assert all(len(piece) <= 306 for piece in phone.received)

    done = phone.send("YES")
    contact = contact_of(session, phone)
    assert contact.reference in done[0] and "has been sent" in done[0]
    assert contact.status == "submitted" and contact.channel == "sms"
    assert (contact.referrer_type, contact.referrer_source) == ("school", "2A")
    assert (contact.referrer_name, contact.referrer_email) == (
        "Sam Patel",
        "sam.patel@riverside.example.org",
    )
    assert contact.referrer_phone == phone.number and contact.feedback_by == "email"
    [child] = contact.children
    assert (child.given_name, child.family_name, child.date_of_birth) == (
        "Jordan",
        "Smith",
        date(2015, 4, 3),
    )
    assert (child.postcode, child.school, child.gender) == (
        "LS1 4AP",
        "Riverside Primary School",
        "male",
    )
    assert [(p.full_name, p.relationship_to_child) for p in contact.household] == [
        ("Kelly Smith", "mother"),
        ("Dean Walsh", "step_parent"),
    ]
    assert contact.concern_description == TEACHER_MESSAGE
    assert contact.consent_answer == "not_asked" and contact.consent_reason == "risk_of_harm"
    assert contact.home_concerns == ["domestic_abuse", "substance_misuse"]
    assert contact.origin_address == phone.number and TEACHER_MESSAGE in contact.raw_text
    sources = dict(
        session.execute(
            select(Answer.question_key, Answer.source).where(Answer.contact_id == contact.id)
        ).all()
    )
    assert sources["child.0.date_of_birth"] == "nlp" and sources["referrer_role"] == "referrer"

    assert process_contact(contact.id) == "processed"
    session.expire_all()
    assert session.get(Contact, contact.id).status == "awaiting_review"


PUBLIC_REPLIES = {
    "in danger right now": "no",
    "Who are you?": "I'm a neighbour",
    "stay anonymous": "no",
    "What is your full name?": "Alex Morgan",
    "What phone number": "SAME",
    "email address": "SKIP",
    "How should we tell you": "TEXT",
    "child's full name": "Amy Brown",
    "Do you know the child's date of birth": "1",
    "What is the child's date of birth": "12/5/2016",
    "girl or a boy": "girl",
    "child's address": "14 Park Road, Leeds",
    "child's postcode": "ls6 2ql",
    "school or nursery": "SKIP",
    "What language": "SKIP",
    "disability": "SKIP",
    "another child as well": "no",
    "who the child lives with": "yes",
    "What is their name?": "Dee Brown",
    "How are they related": "mum",
    "anyone else live with the child": "no",
    "Tell us what has happened": "I hear shouting every night and Amy was locked out in the cold last night, crying.",
    "When did this happen": "last night",
    "How do you know": "I saw it",
    "worried will happen": "SKIP",
    "What has the child said": "SKIP",
    "any of these at home": "don't know",
    "parents or carers know": "3",
    "Why not?": "1",
    "tell us more about why": "SKIP",
    "Which other services": "NONE",
}


def test_a_member_of_the_public_goes_back_and_changes_the_childs_date_of_birth(
    phone, session, redis_conn
):
    greeting = phone.send("Hello, I want to report something about a child next door")
    assert greeting[0].startswith("This is the children's safeguarding front door")
    phone.converse(PUBLIC_REPLIES)
    assert "Child 1 date of birth: 12 May 2016" in "\n".join(phone.received)

    listing = "\n".join(phone.send("CHANGE"))
    number = next(
        line.split(".")[0].split(" ")[-1]
        for line in listing.splitlines()
        if "Child 1 date of birth:" in line
    )
    asked = phone.send(number)
    assert asked == [
        "Your answer was: 12 May 2016.\n\nWhat is the child's date of birth? For example 27 3 2015."
    ]
    phone.send("3rd April 2016")
    summary = "\n".join(phone.received)
    assert "Child 1 date of birth: 3 April 2016" in summary and "12 May 2016" not in summary

    done = phone.send("yes")
    contact = contact_of(session, phone)
    assert contact.status == "submitted" and contact.reference in done[0]
    assert contact.children[0].date_of_birth == date(2016, 4, 3)
    assert (contact.referrer_type, contact.referrer_source, contact.referrer_anonymous) == (
        "acquaintance",
        "1B",
        False,
    )
    assert contact.referrer_phone == phone.number and contact.feedback_by == "sms"
    assert contact.household[0].relationship_to_child == "mother"
    dob_answers = session.scalars(
        select(Answer.raw)
        .where(Answer.contact_id == contact.id, Answer.question_key == "child.0.date_of_birth")
        .order_by(Answer.id)
    ).all()
    assert dob_answers == ["12/5/2016", "3rd April 2016"]

    # Through a real RQ worker: the submission was queued by id when the referrer said YES.
    job = session.scalar(
        select(OutboxJob).where(
            OutboxJob.kind == "process_contact", OutboxJob.subject_id == contact.id
        )
    )
    assert Queue(queues.CONTACTS, connection=redis_conn).job_ids == [job.job_id]
    run_worker(get_context(), redis_conn, burst=True, fork=False, with_relay=False)
    session.expire_all()
    assert session.get(Contact, contact.id).status == "awaiting_review"


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
def test_the_embedded_default_holds_the_same_conversation(phone, session):
    phone.send("hi")
    phone.converse(PUBLIC_REPLIES)
    phone.send("YES")
    contact = contact_of(session, phone)
    assert contact.status == "submitted" and contact.children[0].given_name == "Amy"
    assert process_contact(contact.id) == "processed"


def test_a_new_conversation_after_a_sent_referral_repeats_none_of_its_answers(phone, session):
    phone.send("hi")
    phone.converse(PUBLIC_REPLIES)
    phone.send("YES")
    greeting = phone.send("hello again")
    listing = "\n".join(phone.send("CHANGE"))
    for detail in ("Amy", "Brown", "2016", "LS6", "Alex", "Park Road"):
        assert detail not in "\n".join(greeting) + listing
    assert len(session.scalars(select(Contact)).all()) == 2


@pytest.mark.parametrize("courtesy", ["thanks!", "Thank you", "ok", "YES", "👍"])
def test_thanks_after_a_sent_referral_is_not_a_new_referral(phone, session, courtesy):
    phone.send("hi")
    phone.converse(PUBLIC_REPLIES)
    phone.send("YES")
    sent = contact_of(session, phone)
    [reply] = phone.send(courtesy)
    assert reply == (
        f"Your referral {sent.reference} has been sent. To tell us about another child or a "
        "new worry, text us what has happened. If a child is in danger now, call 999."
    )
    assert len(session.scalars(select(Contact)).all()) == 1  # no empty draft for the officers


def test_thanks_long_after_a_sent_referral_starts_afresh(phone, session):
    phone.send("hi")
    phone.converse(PUBLIC_REPLIES)
    phone.send("YES")
    session.execute(update(Conversation).values(closed_at=utcnow() - timedelta(hours=5)))
    session.commit()
    assert phone.send("thanks")[0].startswith("This is the children's safeguarding front door")
