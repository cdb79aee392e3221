import pytest
from sqlalchemy import select

from intake.models import ContactEvent, MessageStatus, OutboundMessage, OutboxJob
from tests.feedback_support import ANONYMOUS, FAMILY, PROFESSIONAL, PUBLIC, SELF, submit
from workers.feedback import queue_acknowledgement, queue_outcome, resend
from workers.feedback.messages import ResendRefused, can_resend, explain, messages_for_contact


def outbox_subjects(session):
    return [
        row.subject_id
        for row in session.scalars(select(OutboxJob).where(OutboxJob.kind == "send_message"))
    ]


def events(session, contact, step):
    return [
        e.detail
        for e in session.scalars(
            select(ContactEvent).where(
                ContactEvent.contact_id == contact.id, ContactEvent.step == step
            )
        )
    ]


def decide(session, contact, outcome):
    contact.outcome = outcome
    messages = queue_outcome(session, contact)
    session.commit()
    return messages


@pytest.mark.parametrize("backend", ["postgres", "embedded"], indirect=True)
def test_a_submission_writes_an_acknowledgement_by_the_referrers_chosen_way_with_its_send_job(
    session,
):
    contact = submit(session, PROFESSIONAL)
    [message] = messages_for_contact(session, contact.id)
    assert (message.purpose, message.transport, message.status) == (
        "acknowledgement",
        "email",
        MessageStatus.PENDING,
    )
    assert message.recipient == "sam.patel@riverside.example.org"
    assert contact.reference in message.subject and contact.reference in message.body
    assert "within 1 working day" in message.body
    assert outbox_subjects(session) == [message.id]
    assert events(session, contact, "message_queued") == [
        {"purpose": "acknowledgement", "transport": "email", "message_id": message.id}
    ]


def test_a_referrer_who_chose_text_messages_is_acknowledged_by_text_on_their_number(session):
    contact = submit(session, FAMILY)
    [message] = messages_for_contact(session, contact.id)
    assert (message.transport, message.recipient, message.subject) == ("sms", "+447700900456", None)
    assert contact.reference in message.body


def test_an_anonymous_referrer_gets_nothing_and_the_contact_says_why(session):
    contact = submit(session, ANONYMOUS)
    assert messages_for_contact(session, contact.id) == []
    assert outbox_subjects(session) == []
    assert events(session, contact, "message_not_written") == [
        {"purpose": "acknowledgement", "rule": "anonymous"}
    ]
    assert decide(session, contact, "nfa") == []


def test_acknowledging_twice_writes_one_message(session):
    contact = submit(session, PROFESSIONAL)
    again = queue_acknowledgement(session, contact)
    session.commit()
    assert [m.id for m in again] == [m.id for m in messages_for_contact(session, contact.id)]


def test_a_professional_is_told_the_outcome(session):
    contact = submit(session, PROFESSIONAL)
    [message] = decide(session, contact, "early_help")
    assert (message.purpose, message.status) == ("outcome", MessageStatus.PENDING)
    assert "Stepped across to Early Help" in message.body
    assert message.subject == f"Outcome of referral {contact.reference}"


@pytest.mark.parametrize("referrer", [PUBLIC, FAMILY], ids=["public", "family"])
def test_the_public_and_family_are_told_only_that_it_was_looked_at_and_acted_on(session, referrer):
    contact = submit(session, referrer, consent={"answer": "yes"})
    [message] = decide(session, contact, "csc_assessment")
    assert message.status == MessageStatus.PENDING
    assert "looked at and acted on" in message.body
    assert "Social Care" not in message.body and "assessment" not in message.body


def test_a_young_person_gets_an_outcome_written_for_them(session):
    contact = submit(session, SELF, consent={"answer": "yes"})
    [message] = decide(session, contact, "strategy_discussion")
    assert "what you told us" in message.body and "Childline" in message.body
    assert "section 47" not in message.body and "Strategy" not in message.body


def test_an_outcome_for_a_family_member_is_held_when_asking_the_parents_would_put_the_child_at_risk(
    session,
):
    contact = submit(
        session, FAMILY
    )  # the builder's consent: not asked, it would put Jordan at risk
    assert contact.consent_reason == "risk_of_harm"
    [message] = decide(session, contact, "nfa")
    assert message.status == MessageStatus.SUPPRESSED
    assert message.id not in outbox_subjects(session), "a held message has no send job"
    assert explain(message).startswith(
        "Held for an officer \N{EM DASH} not sent. The referrer said asking"
    )
    assert events(session, contact, "message_held")[0]["rule"] == "household_at_risk_outcome"


def test_the_same_outcome_is_told_once_and_a_changed_outcome_is_told_again(session):
    contact = submit(session, PROFESSIONAL)
    [first] = decide(session, contact, "nfa")
    [same] = decide(session, contact, "nfa")
    [changed] = decide(session, contact, "csc_assessment")
    assert same.id == first.id
    assert changed.id != first.id and changed.attempt_group == first.attempt_group + 1
    assert "Children's Social Care" in changed.body


def test_a_resend_is_a_new_tracked_message_to_the_referrers_corrected_number(session):
    contact = submit(session, FAMILY)
    [message] = messages_for_contact(session, contact.id)
    message.status = MessageStatus.FAILED
    contact.referrer_phone = "+447700900999"
    again = resend(session, message)
    session.commit()
    assert again.id != message.id and again.attempt_group == message.attempt_group + 1
    assert (again.status, again.recipient, again.body) == (
        MessageStatus.PENDING,
        "+447700900999",
        message.body,
    )
    assert again.id in outbox_subjects(session)


def test_a_held_message_can_be_sent_by_an_officer(session):
    contact = submit(session, FAMILY)
    [held] = decide(session, contact, "nfa")
    sent = resend(session, held)
    session.commit()
    assert sent.status == MessageStatus.PENDING and sent.body == held.body


def test_a_message_still_being_sent_cannot_be_resent(session):
    contact = submit(session, PROFESSIONAL)
    [message] = messages_for_contact(session, contact.id)
    assert not can_resend(message)
    with pytest.raises(ResendRefused, match="still being sent"):
        resend(session, message)
    message.status, message.provider_id = MessageStatus.QUEUED, None
    assert not can_resend(message), "claimed by a send job right now"
    message.provider_id = "SM123"
    assert can_resend(message), "with the provider, who may never call back"
    assert (
        session.scalar(select(OutboundMessage.id).where(OutboundMessage.attempt_group > 0)) is None
    )
