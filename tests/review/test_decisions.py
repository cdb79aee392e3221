"""What an officer decides: the rating (both kept), the outcome, the assignee, the matches."""

from __future__ import annotations

from datetime import timedelta

from rq import Queue
from sqlalchemy import select

from intake.models import AuditEvent, Contact, OutboundMessage, OutboxJob, utcnow
from intake.models.records import PersonMatch
from tests.review.support import outbound_message, person_match, reviewable_contact
from workers import queues


def reload(session, contact: Contact) -> Contact:
    session.expire_all()
    return session.get(Contact, contact.id)


def audit_actions(session, reference: str) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_id == reference, AuditEvent.action != "contact_viewed")
            .order_by(AuditEvent.id)
        )
    )


def test_confirming_the_provisional_rating_needs_no_reason(officer, session):
    contact = reviewable_contact(session, provisional_rating="amber")
    response = officer.post(
        f"/officer/contacts/{contact.reference}/rating", data={"rating": "amber"}
    )
    assert response.status_code == 302
    saved = reload(session, contact)
    assert (saved.provisional_rating, saved.final_rating) == ("amber", "amber")
    assert saved.rating_change_reason is None
    assert audit_actions(session, contact.reference) == ["rating_confirmed"]


def test_changing_the_rating_without_a_reason_is_refused_with_a_message(officer, session):
    contact = reviewable_contact(session, provisional_rating="amber")
    response = officer.post(f"/officer/contacts/{contact.reference}/rating", data={"rating": "red"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Explain why you are changing the rating from Amber to Red" in page
    assert reload(session, contact).final_rating is None


def test_a_changed_rating_keeps_both_ratings_and_the_reason(officer, staff, session):
    contact = reviewable_contact(session, provisional_rating="amber")
    officer.post(
        f"/officer/contacts/{contact.reference}/rating",
        data={"rating": "red", "reason": "Police report a knife at the address"},
    )
    saved = reload(session, contact)
    assert (saved.provisional_rating, saved.final_rating) == ("amber", "red")
    assert saved.rating_change_reason == "Police report a knife at the address"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "rating_changed"))
    assert event.user_id == staff["officer"].id
    assert event.detail["provisional"] == "amber" and event.detail["final"] == "red"


def test_escalating_brings_the_deadline_forward_but_de_escalating_never_pushes_it_back(
    officer, session
):
    received = utcnow() - timedelta(hours=1)
    later = utcnow() + timedelta(hours=20)
    escalated = reviewable_contact(
        session, provisional_rating="green", submitted_at=received, deadline=later
    )
    officer.post(
        f"/officer/contacts/{escalated.reference}/rating",
        data={"rating": "red", "reason": "Disclosure on a second call"},
    )
    # Red is 4 calendar hours from receipt.
    assert reload(session, escalated).deadline == received + timedelta(hours=4)

    soon = utcnow() + timedelta(hours=2)
    eased = reviewable_contact(
        session, provisional_rating="red", submitted_at=received, deadline=soon
    )
    officer.post(
        f"/officer/contacts/{eased.reference}/rating",
        data={"rating": "green", "reason": "Already known and safe"},
    )
    assert reload(session, eased).deadline == soon


def test_the_outcome_waits_for_the_rating_to_be_confirmed(officer, session):
    contact = reviewable_contact(session)
    response = officer.post(
        f"/officer/contacts/{contact.reference}/outcome",
        data={"outcome": "nfa", "note": "Checked"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    # Linked to the rating's form: the outcome's is not on the page until the rating is.
    assert 'href="#rating">Confirm or change the rating before you record the outcome' in page
    assert 'id="rating"' in page
    assert reload(session, contact).status == "awaiting_review"


def test_an_outcome_needs_a_known_code_and_a_note(officer, session):
    contact = reviewable_contact(session, final_rating="amber")
    response = officer.post(
        f"/officer/contacts/{contact.reference}/outcome", data={"outcome": "shrug", "note": ""}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose the outcome" in page and "Write a note about the decision" in page


def test_recording_the_outcome_decides_the_contact_and_writes_the_referrers_message(
    officer, staff, session, redis_conn
):
    contact = reviewable_contact(session, final_rating="amber")
    response = officer.post(
        f"/officer/contacts/{contact.reference}/outcome",
        data={"outcome": "early_help", "note": "Family agree to Early Help"},
    )
    assert response.status_code == 302
    saved = reload(session, contact)
    assert saved.status == "decided" and saved.outcome == "early_help"
    assert saved.outcome_note == "Family agree to Early Help"
    assert saved.decided_by_id == staff["officer"].id and saved.decided_at is not None
    message = session.scalar(
        select(OutboundMessage).where(
            OutboundMessage.contact_id == contact.id, OutboundMessage.purpose == "outcome"
        )
    )
    assert message is not None and message.transport == "email"
    job = session.scalar(
        select(OutboxJob).where(
            OutboxJob.kind == "send_message", OutboxJob.subject_id == message.id
        )
    )
    # On the queue at once, not left for the relay.
    assert Queue(queues.MESSAGES, connection=redis_conn).job_ids == [job.job_id]
    assert audit_actions(session, contact.reference)[-1] == "outcome_recorded"


def test_an_anonymous_referrer_is_sent_nothing(officer, session):
    contact = reviewable_contact(
        session,
        final_rating="green",
        payload={
            "referrer": {"source": "1D", "anonymous": True},
            "consent": {"answer": "yes"},
        },
    )
    officer.post(
        f"/officer/contacts/{contact.reference}/outcome", data={"outcome": "nfa", "note": "Fine"}
    )
    assert reload(session, contact).status == "decided"
    assert not session.scalars(
        select(OutboundMessage).where(OutboundMessage.purpose == "outcome")
    ).all()


def test_a_decided_contact_cannot_be_decided_again(officer, session):
    contact = reviewable_contact(session, status="decided", final_rating="amber", outcome="nfa")
    response = officer.post(
        f"/officer/contacts/{contact.reference}/rating", data={"rating": "red", "reason": "x"}
    )
    assert response.status_code == 400
    assert reload(session, contact).final_rating == "amber"
    # The error summary's link goes somewhere on the page (a decided contact has no rating form).
    page = response.get_data(as_text=True)
    assert 'href="#decision">This contact has already been decided' in page
    assert 'id="decision"' in page


def test_a_contact_can_be_given_to_a_colleague_and_back_to_no_one(officer, staff, session):
    contact = reviewable_contact(session)
    manager = staff["manager"]
    officer.post(
        f"/officer/contacts/{contact.reference}/assign", data={"assignee": str(manager.id)}
    )
    assert reload(session, contact).assigned_to_id == manager.id
    officer.post(f"/officer/contacts/{contact.reference}/assign", data={"assignee": ""})
    assert reload(session, contact).assigned_to_id is None
    assert audit_actions(session, contact.reference) == ["contact_assigned", "contact_assigned"]


def test_a_contact_cannot_be_given_to_someone_who_does_not_work_on_contacts(
    officer, staff, session
):
    contact = reviewable_contact(session)
    response = officer.post(
        f"/officer/contacts/{contact.reference}/assign", data={"assignee": str(staff["admin"].id)}
    )
    assert response.status_code == 400
    assert reload(session, contact).assigned_to_id is None


def test_a_restricted_contact_cannot_be_given_to_someone_who_could_not_open_it(
    officer, staff, session
):
    contact = reviewable_contact(session, restricted=True)
    unrestricted = staff["officer_unrestricted"]
    page = officer.get(f"/officer/contacts/{contact.reference}").get_data(as_text=True)
    assert f'value="{unrestricted.id}"' not in page, "not offered in the list"

    response = officer.post(
        f"/officer/contacts/{contact.reference}/assign", data={"assignee": str(unrestricted.id)}
    )

    assert response.status_code == 400
    assert "choose a colleague with access to restricted records" in response.get_data(as_text=True)
    assert reload(session, contact).assigned_to_id is None


def test_a_decided_contact_is_not_assigned_and_odd_assignees_are_refused_kindly(
    officer, staff, session
):
    contact = reviewable_contact(session, status="decided", outcome="nfa")
    response = officer.post(
        f"/officer/contacts/{contact.reference}/assign", data={"assignee": str(staff["officer"].id)}
    )
    assert response.status_code == 400 and reload(session, contact).assigned_to_id is None
    open_contact = reviewable_contact(session)
    for odd in ("²", "99999999999999999999999", "١"):
        response = officer.post(
            f"/officer/contacts/{open_contact.reference}/assign", data={"assignee": odd}
        )
        assert response.status_code == 400, odd
    assert reload(session, open_contact).assigned_to_id is None


def test_ids_too_large_for_the_database_are_not_found_not_errors(officer, session):
    contact = reviewable_contact(session)
    huge = "99999999999999999999999"
    assert (
        officer.get(f"/officer/contacts/{contact.reference}/attachments/{huge}").status_code == 404
    )


def test_confirming_and_rejecting_matches_records_who_and_when(officer, staff, session):
    contact = reviewable_contact(session)
    first = person_match(session, contact, record_id="SC-1")
    second = person_match(session, contact, record_id="SC-2")
    officer.post(
        f"/officer/contacts/{contact.reference}/matches/{first.id}", data={"decision": "confirm"}
    )
    officer.post(
        f"/officer/contacts/{contact.reference}/matches/{second.id}", data={"decision": "reject"}
    )
    session.expire_all()
    confirmed, rejected = session.get(PersonMatch, first.id), session.get(PersonMatch, second.id)
    assert confirmed.status == "confirmed" and rejected.status == "rejected"
    assert confirmed.decided_by_id == staff["officer"].id and confirmed.decided_at is not None
    assert audit_actions(session, contact.reference) == ["match_confirmed", "match_rejected"]


def test_a_match_of_another_contact_cannot_be_decided_through_this_one(officer, session):
    mine = reviewable_contact(session)
    other = reviewable_contact(session)
    theirs = person_match(session, other)
    response = officer.post(
        f"/officer/contacts/{mine.reference}/matches/{theirs.id}", data={"decision": "confirm"}
    )
    assert response.status_code == 404
    session.expire_all()
    assert session.get(PersonMatch, theirs.id).status == "proposed"


def test_a_restricted_match_cannot_be_decided_without_restricted_access(client_for, session):
    contact = reviewable_contact(session)
    match = person_match(session, contact, restricted=True)
    response = client_for("officer_unrestricted").post(
        f"/officer/contacts/{contact.reference}/matches/{match.id}", data={"decision": "confirm"}
    )
    assert response.status_code == 403
    session.expire_all()
    assert session.get(PersonMatch, match.id).status == "proposed"
    refused = session.scalar(select(AuditEvent).where(AuditEvent.action == "access_refused"))
    assert refused.subject_type == "person_record"


def test_a_failed_message_can_be_resent_as_a_new_tracked_message(officer, session):
    contact = reviewable_contact(session)
    failed = outbound_message(session, contact, status="failed")
    response = officer.post(f"/officer/contacts/{contact.reference}/messages/{failed.id}/resend")
    assert response.status_code == 302
    messages = [
        m
        for m in session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.contact_id == contact.id)
            .order_by(OutboundMessage.id)
        )
        if m.body == failed.body  # stored encrypted, so compared here, not in SQL
    ]
    assert len(messages) == 2 and messages[1].status == "pending"
    assert audit_actions(session, contact.reference) == ["message_resent"]
