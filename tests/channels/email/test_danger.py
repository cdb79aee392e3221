"""An email that says a child is in danger now is marked at once and answered with what to do."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from channels.email.handler import Status, receive_email
from intake.models import ContactEvent, OutboundMessage
from tests.channels.email.mail import (
    COMPLETE_SCHOOL_REFERRAL,
    SCHOOL,
    SPARSE_REFERRAL,
    contacts,
    plain_email,
)
from workers.context import WorkerContext

KNIFE = (
    "Leo Grant's dad is outside the school gate right now with a knife, threatening to take "
    "him. Leo is 8."
)


@pytest.fixture
def duty_context(context: WorkerContext) -> WorkerContext:
    return replace(context, settings=replace(context.settings, duty_phone_number="+441134960000"))


def _receive(context, message):
    return receive_email(context, message.as_bytes(), SCHOOL, ["mash@frontdoor.test"])


def _latest_reply(session) -> OutboundMessage:
    session.expire_all()
    return session.scalars(select(OutboundMessage).order_by(OutboundMessage.id.desc())).first()


def _danger_events(session, contact) -> int:
    return len(
        session.scalars(
            select(ContactEvent).where(
                ContactEvent.contact_id == contact.id, ContactEvent.step == "danger_reported"
            )
        ).all()
    )


def test_a_new_email_saying_a_child_is_in_danger_now_is_marked_and_told_to_call(
    duty_context, session
):
    result = _receive(duty_context, plain_email(KNIFE, subject="URGENT"))

    [contact] = contacts(session)
    assert result.status is Status.ACCEPTED and not result.complete
    assert contact.immediate_danger is True and _danger_events(session, contact) == 1
    assert contact.flow_state["answers"]["immediate_danger"] is True
    reply = _latest_reply(session).body
    assert "You told us a child may be in danger right now. If so, call 999 now." in reply
    assert "call 0113 496 0000" in reply and "marked your referral as urgent" in reply
    assert reply.index("999") < reply.index("1. "), "what to do comes before any question"
    assert "Is a child in immediate danger right now?" not in reply, "already answered"


def test_a_yes_to_our_danger_question_marks_the_draft_at_once(duty_context, session):
    first = _receive(duty_context, plain_email(SPARSE_REFERRAL))
    [draft] = contacts(session)
    assert draft.immediate_danger is None

    _receive(
        duty_context,
        plain_email(
            "1. Yes - he said his dad will hurt him tonight",
            subject=f"Re: Referral {first.reference}",
        ),
    )

    [contact] = contacts(session)
    assert contact.immediate_danger is True and _danger_events(session, contact) == 1
    assert "If so, call 999 now" in _latest_reply(session).body


def test_our_own_danger_question_written_back_above_a_no_is_not_read_as_danger(
    duty_context, session
):
    first = _receive(duty_context, plain_email(SPARSE_REFERRAL))
    _receive(
        duty_context,
        plain_email(
            "1. Is a child in immediate danger right now?\nNo\n\n"
            "If a child is in immediate danger, call 999 now. Do not wait for a reply to this "
            "email.",
            subject=f"Re: Referral {first.reference}",
        ),
    )

    [contact] = contacts(session)
    assert contact.flow_state["answers"]["immediate_danger"] is False
    assert contact.immediate_danger is None and _danger_events(session, contact) == 0
    assert "You told us a child may be in danger" not in _latest_reply(session).body


def test_danger_written_after_the_referral_was_made_is_marked_and_answered_with_the_numbers(
    duty_context, session
):
    first = _receive(duty_context, plain_email(COMPLETE_SCHOOL_REFERRAL))
    [submitted] = contacts(session)
    assert submitted.immediate_danger is False

    result = _receive(
        duty_context,
        plain_email(
            "His mum's boyfriend is at the school now, shouting and waving a knife.",
            subject=f"Re: Referral received: {first.reference}",
        ),
    )

    [contact] = contacts(session)
    assert result.status is Status.UPDATED
    assert contact.immediate_danger is True and _danger_events(session, contact) == 1
    reply = _latest_reply(session).body
    assert "If so, call 999 now" in reply and "call 0113 496 0000" in reply
    assert "marked your referral as urgent" not in reply, "nothing re-rates it: do not promise"


def test_an_ordinary_email_is_not_marked(duty_context, session):
    _receive(duty_context, plain_email(SPARSE_REFERRAL))
    [contact] = contacts(session)
    assert contact.immediate_danger is None and _danger_events(session, contact) == 0
    assert "Is a child in immediate danger right now?" in _latest_reply(session).body


@pytest.mark.parametrize(
    "text",
    [
        "Police were called via 999 on Saturday after an argument; the child is now with nan "
        "and safe.",
        "There was an emergency protection order in 2021 and the family have worked with us since.",
        "She was placed in emergency foster care last year and is settled at home again.",
    ],
)
def test_999_or_emergency_in_an_account_of_the_past_is_not_danger_now(duty_context, session, text):
    _receive(duty_context, plain_email(text))
    [contact] = contacts(session)
    assert contact.immediate_danger is None and _danger_events(session, contact) == 0


def test_a_complete_referral_saying_danger_now_is_told_what_to_do_as_well_as_acknowledged(
    duty_context, session
):
    text = COMPLETE_SCHOOL_REFERRAL.replace(
        "Immediate danger: No", "Immediate danger: Yes, he is outside the school now with a knife"
    )
    result = _receive(duty_context, plain_email(text))
    assert result.complete
    session.expire_all()
    bodies = [m.body for m in session.scalars(select(OutboundMessage))]
    assert any("If so, call 999 now" in body and "call 0113 496 0000" in body for body in bodies)
