"""What the network and the phone network do to texts: retries, races, pictures, odd bodies."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import func, select

from intake.models import Answer, Contact, Conversation, InboundMessage
from tests.channels.sms.conftest import Phone
from tests.channels.twilio_signed import BASE_URL, TwilioWebhooks, messages_of, sign


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_retried_webhook_is_processed_once_and_gets_the_same_reply(phone, session):
    phone.send("hello")
    first = phone.send("no", sid="SM" + "7" * 32)
    retry = phone.send("no", sid="SM" + "7" * 32)
    assert retry == first and "Who are you?" in first[0]
    assert count(session, Answer, Answer.question_key == "immediate_danger") == 1
    assert count(session, InboundMessage, InboundMessage.channel == "sms") == 2
    # The conversation moved on once: the next answer goes to the next question.
    assert "stay anonymous" in phone.send("neighbour")[0]


def test_two_deliveries_of_the_same_message_at_once_are_processed_once(app, phone, session):
    phone.send("hello")
    params = phone.params("no", sid="SM" + "8" * 32)
    barrier = threading.Barrier(2)
    replies: list[list[str]] = []

    def deliver() -> None:
        webhooks = TwilioWebhooks(app.test_client())
        barrier.wait()
        replies.append(messages_of(webhooks.post("/channels/sms", params)))

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(replies) == 2 and replies[0] == replies[1]
    assert count(session, Answer, Answer.question_key == "immediate_danger") == 1


def test_two_first_texts_from_a_new_number_at_once_start_one_conversation(app, session):
    barrier = threading.Barrier(2)
    replies: list[list[str]] = []

    def deliver(body: str) -> None:
        sender = Phone(TwilioWebhooks(app.test_client()), "+447700900555")
        barrier.wait()
        replies.append(sender.send(body))

    threads = [threading.Thread(target=deliver, args=(b,)) for b in ("hello", "hi there")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(replies) == 2
    assert count(session, Conversation, Conversation.address == "+447700900555") == 1
    assert count(session, Contact) == 1


@pytest.mark.parametrize(
    "tamper",
    [
        "no signature",
        "wrong token",
        "http not https",
        "another host",
        "body changed",
        "query dropped",
    ],
)
def test_a_request_not_signed_by_twilio_for_this_url_is_refused(client, phone, session, tamper):
    params = phone.params("hello")
    url = f"{BASE_URL}/channels/sms?attempt=1"
    signature = {
        "no signature": "",
        "wrong token": sign(url, params, token="0" * 32),
        "http not https": sign(url.replace("https://", "http://"), params),
        "another host": sign(url.replace("frontdoor.example.gov.uk", "evil.example.com"), params),
        "body changed": sign(url, {**params, "Body": "something else"}),
        "query dropped": sign(f"{BASE_URL}/channels/sms", params),
    }[tamper]
    headers = {"X-Twilio-Signature": signature} if signature else {}
    response = client.post("/channels/sms?attempt=1", data=params, headers=headers)
    assert response.status_code == 403
    assert count(session, Conversation) == 0 and count(session, InboundMessage) == 0


def test_the_signature_covers_the_query_string_as_twilio_sends_it(webhooks, phone):
    response = webhooks.post("/channels/sms?attempt=1", phone.params("hello"))
    assert "Is a child in danger right now?" in messages_of(response)[0]


@pytest.fixture
def no_auth_token(settings_overrides):
    settings_overrides["twilio_auth_token"] = ""
    return settings_overrides


def test_with_no_auth_token_configured_every_webhook_is_refused(no_auth_token, client, phone):
    params = phone.params("hello")
    response = client.post(
        "/channels/sms",
        data=params,
        headers={"X-Twilio-Signature": sign(f"{BASE_URL}/channels/sms", params)},
    )
    assert response.status_code == 403


def test_a_message_missing_its_sid_is_a_400_with_field_errors(webhooks, phone):
    params = phone.params("hello")
    del params["MessageSid"]
    response = webhooks.post("/channels/sms", params)
    assert response.status_code == 400
    assert "MessageSid" in response.json["errors"]


def test_a_picture_is_politely_refused_and_never_downloaded(phone, session):
    phone.send("hello")
    reply = phone.send(
        "",
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/media/ME1",
        MediaContentType0="image/jpeg",
    )
    assert reply[0].startswith("Sorry, we cannot take pictures or files by text")
    assert reply[0].endswith("Is a child in danger right now? Reply YES or NO.")
    with_words = phone.send("no", NumMedia="2")
    assert "cannot take pictures" in with_words[0] and "Who are you?" in with_words[0]
    assert count(session, Answer, Answer.question_key == "immediate_danger") == 1


def test_an_empty_text_gets_the_question_again(phone):
    phone.send("hello")
    assert phone.send("   ") == [
        "We did not get any words in your message.\n\nIs a child in danger right now? Reply YES or NO."
    ]


def test_emoji_and_letters_outside_the_sms_alphabet_are_kept_as_typed(phone, session):
    phone.send("hello")
    phone.send("No 👍")
    assert "Who are you?" in phone.last
    phone.send("neighbour 🏠")
    phone.send("no")
    phone.send("Zoë Łukasiewicz-Ó'Brien 🙂")
    assert "What phone number" in phone.last
    contact = session.scalars(select(Contact)).one()
    session.refresh(contact)
    assert contact.flow_state["answers"]["referrer_name"] == "Zoë Łukasiewicz-Ó'Brien 🙂"
    phone.send("CHANGE")
    assert "Your name: Zoë Łukasiewicz-Ó'Brien 🙂" in "\n".join(phone.received)


def test_a_long_multi_part_text_is_taken_whole(phone, session):
    phone.send("hello")
    for reply in ("no", "neighbour", "yes", "SKIP", "4", *["SKIP"] * 6, "no", "no"):
        phone.send(reply)
    assert "Tell us what has happened" in phone.last
    account = ("I live next door and I hear the children crying at night. " * 30)[:1600]
    phone.send(account)
    assert "When did this happen?" in phone.last
    contact = session.scalars(select(Contact)).one()
    session.refresh(contact)
    assert contact.flow_state["answers"]["concern"] == account.strip()


def test_nothing_the_referrer_types_is_logged(phone, caplog):
    caplog.set_level(logging.DEBUG)
    phone.send(
        "My name is Harriet Quinnell and I'm worried about Peregrine Ashdown, DOB 03/04/2015, LS1 4AP. "
        "His dad hits him. Call me on 07700 900123."
    )
    phone.send("no")
    phone.send("neighbour")
    logged = caplog.text
    for secret in ("Harriet", "Peregrine", "Ashdown", "LS1 4AP", "07700", "+447700900123", "hits"):
        assert secret not in logged
