"""`POST /channels/sms`: a text message from a referrer, answered with TwiML.

Checks Twilio's signature, claims the message id so a retry is answered from the stored reply
instead of being processed again, takes the message through the conversation, and answers at
once. A submitted referral is queued by id after the commit, like every other channel.

Configure the Twilio number's "A message comes in" webhook as `POST {FRONTDOOR_BASE_URL}/channels/sms`.

What the network does, and what happens:
- Retries: the same `MessageSid` is processed once; a retry gets the stored reply.
- Order: Twilio's webhooks carry no sequence number, so two texts sent seconds apart can arrive
  the other way round. Texts from one number are handled one at a time (see
  `conversations.lock_thread`), each answering the question asked when it is handled; one
  that does not fit that question gets it asked again, and every answer is read back for a
  YES before anything is sent.
- Long texts arrive whole: Twilio joins the parts of a long SMS (up to 1,600 characters).
- Pictures (MMS) are never downloaded: the sender is told to use words instead.
- Opt-out words (STOP and the rest): Twilio replies to them itself and blocks our replies, so
  the conversation is closed and the response is empty.
"""

from __future__ import annotations

import logging
import traceback

from flask import Blueprint, Response, jsonify, request

from channels.sms.conversation import CHANNEL, IncomingText, handle_text
from channels.sms.render import twiml
from channels.twilio_common import inbound
from channels.twilio_common.signature import twilio_signature_required
from channels.twilio_common.twiml import twiml_response
from intake import extensions
from intake.models import utcnow

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__)

MAX_ID_LENGTH = 64
SORRY = (
    "Sorry, something went wrong on our side and we could not read your message. Please send "
    "it again in a few minutes. If a child is in danger now, call 999."
)


@bp.post("/channels/sms")
@twilio_signature_required
def receive_text() -> Response | tuple[Response, int]:
    form = request.form
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    sender = form.get("From", "").strip()
    errors: dict[str, str] = {}
    if not sid or len(sid) > MAX_ID_LENGTH:
        errors["MessageSid"] = "Give the SID of the message, up to 64 characters"
    if not sender or len(sender) > MAX_ID_LENGTH:
        errors["From"] = "Give the number the message came from, up to 64 characters"
    if errors:
        return jsonify({"message": "The message webhook has errors", "errors": errors}), 400
    media = form.get("NumMedia", "0").strip()
    text = IncomingText(
        sender=sender,
        body=form.get("Body", ""),
        media_count=int(media) if media.isdigit() else 0,
    )

    session = extensions.session()
    replay = inbound.stored_reply(session, CHANNEL, sid)
    if replay is not None:
        log.info("sms webhook retried; answered with the stored reply")
        return twiml_response(replay)
    claim = inbound.claim(session, CHANNEL, sid)
    if claim is None:
        # Another delivery of this message got there first and has committed its reply.
        session.rollback()
        return twiml_response(inbound.stored_reply(session, CHANNEL, sid) or twiml([]))
    try:
        reply = handle_text(session, extensions.settings(), text, utcnow())
        claim.response = twiml(reply.messages)
        claim.contact_id = reply.contact_id
        session.commit()
    except Exception as exc:
        # Nothing is stored, so Twilio's retry (or the referrer resending) is processed afresh.
        # Only the exception's type and where it happened: its message can quote the text.
        session.rollback()
        log.error(
            "sms webhook failed: %s\n%s",
            type(exc).__name__,
            "".join(traceback.format_tb(exc.__traceback__)),
        )
        return twiml_response(twiml([SORRY]))
    return twiml_response(claim.response)
