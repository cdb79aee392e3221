"""`POST /channels/email`: a raw message with a partner key, through the same handler."""

from __future__ import annotations

import pytest

from intake import partner_keys
from tests.channels.email.mail import (
    COMPLETE_SCHOOL_REFERRAL,
    SPARSE_REFERRAL,
    contacts,
    plain_email,
)


def _post(client, body: bytes, key: str | None):
    headers = {"Content-Type": "message/rfc822"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return client.post("/channels/email", data=body, headers=headers)


@pytest.mark.parametrize("backend", ["postgres", "embedded"], indirect=True)
def test_a_raw_email_with_a_key_becomes_a_referral_and_answers_202_with_its_reference(
    client, partner_key, session
):
    response = _post(client, plain_email(COMPLETE_SCHOOL_REFERRAL).as_bytes(), partner_key)
    assert response.status_code == 202
    [contact] = contacts(session)
    assert response.json == {
        "reference": contact.reference,
        "status": "accepted",
        "complete": True,
    }
    assert contact.channel == "email" and contact.status == "submitted"


def test_without_a_key_the_message_is_refused_with_401(client, session):
    response = _post(client, plain_email(SPARSE_REFERRAL).as_bytes(), None)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert _post(client, b"x", "fdk_notakey_x").status_code == 401
    assert contacts(session) == []


def test_a_key_without_the_email_scope_is_refused_with_403(client, db):
    # A partner's key, as made by default: it makes referrals, it cannot post raw email (which
    # would let it say any sender wrote it, and add to that sender's referrals).
    with db.transaction() as s:
        row, key = partner_keys.create(s, "api-only-partner")
    assert row.scopes == ["referrals"]
    assert _post(client, plain_email(SPARSE_REFERRAL).as_bytes(), key).status_code == 403


def test_the_same_message_posted_twice_gives_the_same_reference_and_one_contact(
    client, partner_key, session
):
    raw = plain_email(SPARSE_REFERRAL).as_bytes()
    first = _post(client, raw, partner_key).json
    again = _post(client, raw, partner_key).json
    assert again == {"reference": first["reference"], "status": "duplicate", "complete": False}
    assert len(contacts(session)) == 1


def test_an_automatic_reply_is_accepted_with_its_reason_and_makes_nothing(
    client, partner_key, session
):
    message = plain_email("I am away until Monday.", subject="Out of office")
    response = _post(client, message.as_bytes(), partner_key)
    assert response.status_code == 202
    assert response.json == {"status": "ignored", "reason": "auto_reply"}
    assert contacts(session) == []


def test_an_oversized_message_is_refused_with_413(client, partner_key, app):
    limit = app.extensions["frontdoor.settings"].smtpd_max_message_bytes
    response = _post(client, b"Subject: big\r\n\r\n" + b"x" * limit, partner_key)
    assert response.status_code == 413
    assert response.json["message"] == "The message must be 10 MB or smaller"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (b"", 400, "body"),
        (b"   \r\n", 400, "body"),
        (b"\x00\x01\x02\xff binary nonsense \x80", 422, "from"),
        (b"not an email at all, no headers", 422, "from"),
        (b"From: nobody\r\n\r\nno address in the From header", 422, "from"),
    ],
)
def test_garbage_is_refused_with_a_4xx_and_the_field_to_fix_never_a_500(
    client, partner_key, session, body, status, field
):
    response = _post(client, body, partner_key)
    assert response.status_code == status and field in response.json["errors"]
    assert contacts(session) == []


def test_a_broken_message_from_a_real_address_is_kept_as_a_draft_not_lost(
    client, partner_key, session
):
    body = b"Content-Type: multipart/mixed; boundary=zzz\r\nFrom: a@b.example\r\n\r\n--zzz\r\n"
    response = _post(client, body, partner_key)
    assert response.status_code == 202 and response.json["status"] == "accepted"
    [contact] = contacts(session)
    assert contact.status == "draft" and contact.origin_address == "a@b.example"
