"""`receive_email` itself: threads, who may add to a referral, and never losing a message."""

from __future__ import annotations

from email.utils import make_msgid

import pytest
from sqlalchemy import select

from channels.email import handler
from channels.email.handler import Status, receive_email
from channels.email.replies import MAX_NEW_REFERRALS_ASKED_PER_DAY, MAX_REPLIES_PER_DAY
from intake.models import InboundMessage, OutboundMessage
from tests.channels.email.mail import (
    COMPLETE_SCHOOL_REFERRAL,
    SCHOOL,
    SPARSE_REFERRAL,
    contacts,
    plain_email,
)


def _receive(context, message, envelope_from=SCHOOL):
    return receive_email(context, message.as_bytes(), envelope_from, ["mash@frontdoor.test"])


def _our_question_email(session) -> OutboundMessage:
    session.expire_all()
    return session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.purpose == "missing_info")
        .order_by(OutboundMessage.id.desc())
    ).first()


def test_a_reply_found_by_the_reference_in_its_subject_adds_to_the_same_referral(context, session):
    first = _receive(context, plain_email(SPARSE_REFERRAL))
    reply = plain_email("1. No", subject=f"Re: Referral {first.reference.lower()}")
    result = _receive(context, reply)
    assert (result.status, result.reference) == (Status.UPDATED, first.reference)
    [contact] = contacts(session)
    assert contact.flow_state["answers"]["immediate_danger"] is False
    assert "Email received" in contact.raw_text and "1. No" in contact.raw_text


def test_a_reply_from_another_address_starts_its_own_referral_and_changes_nothing(context, session):
    first = _receive(context, plain_email(SPARSE_REFERRAL))
    asked = _our_question_email(session)
    stranger = plain_email("1. Yes", sender="someone@elsewhere.example", name="Someone Else")
    stranger["In-Reply-To"] = asked.message_id
    result = _receive(context, stranger, "someone@elsewhere.example")
    assert result.status is Status.ACCEPTED and result.reference != first.reference
    original, _new = contacts(session)
    assert "immediate_danger" not in original.flow_state["answers"]


def test_answers_that_do_not_parse_are_asked_again_with_the_reason(context, session):
    _receive(context, plain_email(SPARSE_REFERRAL))
    asked = _our_question_email(session)
    reply = plain_email("1. maybe")
    reply["In-Reply-To"] = asked.message_id
    _receive(context, reply)
    again = _our_question_email(session)
    assert again.id != asked.id and again.in_reply_to == reply["Message-ID"]
    assert "1. Is a child in immediate danger right now?" in again.body
    assert (
        "(We could not use the answer you gave: If you are not sure, answer yes so that we treat "
        "it as urgent. If a child could be hurt soon, call 999.)"
    ) in again.body


def test_an_email_about_a_submitted_referral_is_kept_with_it_and_acknowledged(context, session):
    first = _receive(context, plain_email(COMPLETE_SCHOOL_REFERRAL))
    more = plain_email(
        "One more thing: his sister Amy is 4.", subject=f"Re: Referral received: {first.reference}"
    )
    result = _receive(context, more)
    assert (result.status, result.reference, result.complete) == (
        Status.UPDATED,
        first.reference,
        True,
    )
    [contact] = contacts(session)
    assert "his sister Amy is 4" in contact.raw_text
    assert "email_further_information" in [e.step for e in contact.events]
    reply = session.scalar(select(OutboundMessage).where(OutboundMessage.purpose == "reply"))
    assert reply.in_reply_to == more["Message-ID"] and first.reference in reply.body


def test_a_sender_that_keeps_replying_gets_no_more_than_the_daily_limit(context, session):
    first = _receive(context, plain_email(SPARSE_REFERRAL))
    for _ in range(MAX_REPLIES_PER_DAY + 3):
        _receive(context, plain_email("Thanks!", subject=f"Re: Referral {first.reference}"))
    session.expire_all()
    assert len(session.scalars(select(OutboundMessage)).all()) == MAX_REPLIES_PER_DAY
    [contact] = contacts(session)
    assert "email_reply_limited" in [e.step for e in contact.events]


def test_a_message_our_code_cannot_handle_is_kept_for_an_officer_without_a_reply(
    context, session, monkeypatch
):
    def broken(*_args, **_kwargs):
        raise ValueError("a fault of ours")

    monkeypatch.setattr(handler, "answers_from_new_email", broken)
    message = plain_email(SPARSE_REFERRAL)
    message.add_attachment(b"%PDF-1.4 x", maintype="application", subtype="pdf", filename="a.pdf")
    result = _receive(context, message)
    assert result.status is Status.ACCEPTED
    [contact] = contacts(session)
    assert contact.status == "draft" and "bruise on his cheek" in contact.raw_text
    assert [e.step for e in contact.events][-1] == "email_not_understood"
    assert session.scalars(select(OutboundMessage)).all() == []
    folder = context.settings.instance_dir / "attachments"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_database_failure_is_raised_so_the_sender_retries(context, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def down(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("connection lost"))

    monkeypatch.setattr(handler, "_store", down)
    with pytest.raises(OperationalError):
        _receive(context, plain_email(SPARSE_REFERRAL))


def test_a_message_without_a_message_id_is_still_taken_once(context, session):
    message = plain_email(SPARSE_REFERRAL)
    del message["Message-ID"]
    assert _receive(context, message).status is Status.ACCEPTED
    assert _receive(context, message).status is Status.DUPLICATE
    assert len(contacts(session)) == 1


def test_no_personal_data_is_logged(context, caplog):
    caplog.set_level("DEBUG", logger="channels")
    _receive(context, plain_email(COMPLETE_SCHOOL_REFERRAL, message_id=make_msgid("x")))
    _receive(context, plain_email("Away", subject="Out of office: Sam Patel"))
    logged = caplog.text
    for personal in ("Jordan", "Smith", "Sam", "Patel", "riverside", "LS1", "0113"):
        assert personal not in logged
    assert "email accepted: contact" in logged and "email ignored: auto_reply" in logged


def test_the_link_in_our_email_opens_the_draft_on_the_web_form(context, session, client):
    _receive(context, plain_email(SPARSE_REFERRAL))
    asked = _our_question_email(session)
    [link] = [line for line in asked.body.splitlines() if "/refer/resume/" in line]
    assert link.startswith("http://frontdoor.test/refer/resume/")
    response = client.get(link.removeprefix("http://frontdoor.test"))
    assert response.status_code == 302  # on to the next question, not a "link not valid" page
    assert client.get("/refer/resume/not-a-token").status_code == 404


def test_with_the_queue_down_the_email_is_still_taken_and_its_work_left_for_the_relay(
    context, session
):
    from redis import Redis

    from intake.models import OutboxJob
    from tests.redis_server import free_port

    nothing_there = Redis(port=free_port(), socket_connect_timeout=0.5)
    result = receive_email(
        context, plain_email(COMPLETE_SCHOOL_REFERRAL).as_bytes(), SCHOOL, queue=nothing_there
    )
    assert result.status is Status.ACCEPTED and result.complete
    session.expire_all()
    jobs = session.scalars(select(OutboxJob)).all()
    assert {j.kind for j in jobs} == {"process_contact", "send_message"}
    assert all(j.enqueued_at is None for j in jobs)


@pytest.mark.parametrize("backend", ["postgres", "embedded"], indirect=True)
def test_the_same_message_arriving_twice_at_once_is_taken_once(context, session):
    import threading

    raw = plain_email(SPARSE_REFERRAL).as_bytes()
    start = threading.Barrier(2)
    results = []

    def deliver():
        start.wait()
        results.append(receive_email(context, raw, SCHOOL))

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status for r in results) == [Status.ACCEPTED, Status.DUPLICATE]
    assert results[0].reference == results[1].reference
    assert len(contacts(session)) == 1
    assert len(session.scalars(select(OutboundMessage)).all()) == 1


def test_two_senders_whose_mailers_gave_the_same_message_id_both_have_their_referral_kept(
    context, session
):
    shared = "<20261206.1@localhost>"
    first = _receive(context, plain_email(SPARSE_REFERRAL, message_id=shared))
    other = plain_email(
        "I am worried about Noah Green in my class: he told me an adult touched him.",
        sender="jo.lee@another.example",
        name="Jo Lee",
        message_id=shared,
    )
    second = receive_email(
        context, other.as_bytes(), "jo.lee@another.example", ["mash@frontdoor.test"]
    )
    assert (first.status, second.status) == (Status.ACCEPTED, Status.ACCEPTED)
    assert first.reference != second.reference
    assert len(contacts(session)) == 2
    # And no address is kept in what marks a message as seen.
    keys = session.scalars(select(InboundMessage.external_id)).all()
    assert not any("another.example" in key or SCHOOL in key for key in keys)


def test_a_reference_is_found_after_words_that_only_look_like_one(context, session):
    first = _receive(context, plain_email(SPARSE_REFERRAL))
    reply = plain_email("1. No", subject=f"ADDENDUM THURSDAY re referral {first.reference}")
    result = _receive(context, reply)
    assert (result.status, result.reference) == (Status.UPDATED, first.reference)


def test_a_sender_starting_new_referrals_all_day_stops_getting_our_questions(context, session):
    for number in range(MAX_NEW_REFERRALS_ASKED_PER_DAY + 2):
        # An auto-responder with none of the usual headers, answering each question email anew.
        _receive(context, plain_email(f"Thank you for contacting us ({number}). " * 3))
    session.expire_all()
    assert len(contacts(session)) == MAX_NEW_REFERRALS_ASKED_PER_DAY + 2, "every one is kept"
    questions = session.scalars(
        select(OutboundMessage).where(OutboundMessage.purpose == "missing_info")
    ).all()
    assert len(questions) == MAX_NEW_REFERRALS_ASKED_PER_DAY
    assert "email_reply_limited" in [e.step for e in contacts(session)[-1].events]


def test_answers_typed_under_our_quoted_questions_below_an_attribution_are_read(context, session):
    first = _receive(context, plain_email(SPARSE_REFERRAL))
    asked = _our_question_email(session)
    quoted = "\n".join(f"> {line}" for line in asked.body.splitlines())
    # Gmail's inline reply: the attribution, then our email quoted, an answer under question 1.
    inline = quoted.replace(
        "> 1. Is a child in immediate danger right now?",
        "> 1. Is a child in immediate danger right now?\nNo",
        1,
    )
    assert inline != quoted, "the question is in our email"
    reply = plain_email(
        f"Answers below.\n\nOn Sun, 6 Dec 2026 at 22:54, MASH <mash@frontdoor.test> wrote:\n{inline}",
        subject=f"Re: Referral {first.reference}",
    )
    reply["In-Reply-To"] = asked.message_id
    _receive(context, reply)
    [contact] = contacts(session)
    assert contact.flow_state["answers"]["immediate_danger"] is False


def test_an_outlook_signature_with_no_sign_off_is_read_as_who_wrote_it(context, session):
    text = (
        "I am worried about a boy called Jordan Smith in Year 4. He came in with a bruise on his "
        "cheek today and said his mum's boyfriend did it.\n\n"
        "Priya Sharma\nDesignated Safeguarding Lead\nRiverside Primary School\n0113 496 0123\n"
    )
    _receive(context, plain_email(text, name="Priya Sharma"))
    [contact] = contacts(session)
    answers = contact.flow_state["answers"]
    assert answers.get("referrer_role") == "Designated Safeguarding Lead"
    assert "Priya Sharma" not in (answers.get("concern") or "")


def test_a_safeguarding_lead_replying_all_day_about_one_referral_still_gets_questions_on_a_new_one(
    context, session
):
    first = _receive(context, plain_email(SPARSE_REFERRAL))
    for number in range(MAX_NEW_REFERRALS_ASKED_PER_DAY + 2):
        _receive(
            context, plain_email(f"More ({number})", subject=f"Re: Referral {first.reference}")
        )
    _receive(context, plain_email("I am worried about another child, Amy Jones, aged 6. " * 2))
    newest = contacts(session)[-1]
    asked = session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.contact_id == newest.id, OutboundMessage.purpose == "missing_info"
        )
    ).all()
    assert len(asked) == 1


def test_a_sender_over_the_daily_limit_still_gets_what_to_do_when_a_child_is_in_danger(
    context, session
):
    for number in range(MAX_NEW_REFERRALS_ASKED_PER_DAY):
        _receive(context, plain_email(f"Thank you for contacting us ({number}). " * 3))
    _receive(
        context,
        plain_email(
            "Leo's dad is outside the school gate right now with a knife, threatening him."
        ),
    )
    newest = contacts(session)[-1]
    replies = session.scalars(
        select(OutboundMessage).where(OutboundMessage.contact_id == newest.id)
    ).all()
    assert newest.immediate_danger is True
    assert replies and "call 999 now" in replies[0].body
