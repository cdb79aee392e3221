"""`POST /channels/sms/status`: Twilio's delivery receipts, signed, moving a status forwards only."""

import pytest

from intake.models import MessageStatus, OutboundMessage
from tests.channels.twilio_signed import ACCOUNT_SID, BASE_URL, sign
from tests.feedback_support import FAMILY, submit
from workers.feedback.messages import follow_up_query, messages_for_contact

SID = "SM" + "f" * 32
PATH = "/channels/sms/status"


@pytest.fixture
def message(session):
    contact = submit(session, FAMILY)
    [row] = messages_for_contact(session, contact.id)
    # As the send job leaves it once Twilio has taken it.
    row.status, row.provider_id = MessageStatus.QUEUED, SID
    session.commit()
    return row


def callback(webhooks, status, sid=SID, **extra):
    params = {
        "MessageSid": sid,
        "MessageStatus": status,
        "AccountSid": ACCOUNT_SID,
        "To": "+447700900456",
        **extra,
    }
    return webhooks.post(PATH, params)


def status_of(session, message):
    session.expire_all()
    return session.get(OutboundMessage, message.id).status


def test_a_callback_with_a_bad_signature_is_refused_and_changes_nothing(session, webhooks, message):
    params = {"MessageSid": SID, "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID}
    response = webhooks.post(PATH, params, signature="bm90IGEgc2lnbmF0dXJl")
    assert response.status_code == 403
    assert status_of(session, message) == MessageStatus.QUEUED


def test_a_callback_signed_for_other_parameters_is_refused(session, webhooks, message):
    signed = {"MessageSid": SID, "MessageStatus": "sent", "AccountSid": ACCOUNT_SID}
    forged = {**signed, "MessageStatus": "delivered"}
    assert webhooks.post(PATH, forged, signature=sign(BASE_URL + PATH, signed)).status_code == 403
    assert status_of(session, message) == MessageStatus.QUEUED


def test_a_callback_without_a_signature_is_refused(client, session, message):
    response = client.post(PATH, data={"MessageSid": SID, "MessageStatus": "delivered"})
    assert response.status_code == 403
    assert response.json["message"]
    assert status_of(session, message) == MessageStatus.QUEUED


def test_signed_callbacks_move_a_message_from_queued_to_sent_to_delivered(
    session, webhooks, message
):
    assert callback(webhooks, "sent").status_code == 204
    assert status_of(session, message) == MessageStatus.SENT
    assert callback(webhooks, "delivered").status_code == 204
    session.expire_all()
    delivered = session.get(OutboundMessage, message.id)
    assert delivered.status == MessageStatus.DELIVERED and delivered.delivered_at is not None


def test_a_late_callback_never_moves_a_status_backwards(session, webhooks, message):
    callback(webhooks, "delivered")
    for late in ("sent", "queued", "sending", "undelivered", "failed"):
        assert callback(webhooks, late).status_code == 204
    assert status_of(session, message) == MessageStatus.DELIVERED


def test_an_undelivered_text_is_shown_for_follow_up_with_twilios_error_code(
    session, webhooks, message
):
    callback(webhooks, "sent")
    assert callback(webhooks, "undelivered", ErrorCode="30003").status_code == 204
    session.expire_all()
    row = session.get(OutboundMessage, message.id)
    assert (row.status, row.last_error) == (MessageStatus.UNDELIVERED, "provider error 30003")
    assert [m.id for m in session.scalars(follow_up_query())] == [message.id]


def test_a_callback_for_a_message_we_do_not_know_changes_nothing(session, webhooks, message):
    assert callback(webhooks, "delivered", sid="SM" + "0" * 32).status_code == 204
    assert status_of(session, message) == MessageStatus.QUEUED


def test_a_status_twilio_adds_later_is_accepted_and_ignored(session, webhooks, message):
    assert callback(webhooks, "partially_delivered").status_code == 204
    assert status_of(session, message) == MessageStatus.QUEUED


def test_a_callback_missing_its_fields_gets_field_errors(webhooks, message):
    response = webhooks.post(PATH, {"AccountSid": ACCOUNT_SID})
    assert response.status_code == 400
    assert set(response.json["errors"]) == {"MessageSid", "MessageStatus"}
