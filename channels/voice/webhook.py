"""`POST /channels/voice` and its action URLs: a referral by phone, answered with TwiML.

Every URL here is a Twilio webhook and checks Twilio's signature, including the `<Gather>`
actions (which carry the question's key in the query string, and Twilio signs it). Each turn
commits the conversation before answering, so a hang-up at any moment loses nothing said.

Configure the Twilio number's "A call comes in" webhook as `POST {FRONTDOOR_BASE_URL}/channels/voice`
and "Call status changes" as `POST {FRONTDOOR_BASE_URL}/channels/voice/status`. The `<Gather>`
action URLs are absolute, built from `FRONTDOOR_BASE_URL`, so they work behind a proxy.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from flask import Blueprint, Response, jsonify, request
from twilio.twiml.voice_response import VoiceResponse

from channels.twilio_common.signature import twilio_signature_required
from channels.twilio_common.twiml import twiml_response
from channels.voice import call as calls
from channels.voice import prompts
from channels.voice.call import Call
from channels.voice.speech import read_heard
from intake import extensions
from intake.models import utcnow

log = logging.getLogger(__name__)

bp = Blueprint("voice", __name__)

MAX_ID_LENGTH = 64


@bp.post("/channels/voice")
@twilio_signature_required
def incoming_call() -> Response | tuple[Response, int]:
    return _turn(calls.greet)


@bp.post("/channels/voice/menu")
@twilio_signature_required
def menu() -> Response | tuple[Response, int]:
    return _turn(lambda call: calls.menu(call, read_heard(request.form)))


@bp.post("/channels/voice/answer")
@twilio_signature_required
def answer() -> Response | tuple[Response, int]:
    key = request.args.get("key", "")[:MAX_ID_LENGTH]
    return _turn(lambda call: calls.answer(call, key, read_heard(request.form)))


@bp.post("/channels/voice/confirm")
@twilio_signature_required
def confirm() -> Response | tuple[Response, int]:
    key = request.args.get("key", "")[:MAX_ID_LENGTH]
    return _turn(lambda call: calls.confirm(call, key, read_heard(request.form)))


@bp.post("/channels/voice/check")
@twilio_signature_required
def check() -> Response | tuple[Response, int]:
    return _turn(lambda call: calls.check(call, read_heard(request.form)))


@bp.post("/channels/voice/change")
@twilio_signature_required
def change() -> Response | tuple[Response, int]:
    return _turn(lambda call: calls.change(call, read_heard(request.form)))


@bp.post("/channels/voice/dial-ended")
@twilio_signature_required
def dial_ended() -> Response | tuple[Response, int]:
    status = request.form.get("DialCallStatus", "").strip().lower()
    return _turn(lambda call: calls.dial_ended(call, status))


@bp.post("/channels/voice/status")
@twilio_signature_required
def status() -> Response | tuple[Response, int]:
    """Twilio's call status callback (configure it on the number as `StatusCallback`)."""
    sid = request.form.get("CallSid", "").strip()
    if not sid or len(sid) > MAX_ID_LENGTH:
        return _bad_request()
    session = extensions.session()
    calls.call_ended(session, sid, request.form.get("CallStatus", "").strip().lower(), utcnow())
    session.commit()
    return Response(status=204)


def _turn(handle: Callable[[Call], None]) -> Response | tuple[Response, int]:
    sid = request.form.get("CallSid", "").strip()
    if not sid or len(sid) > MAX_ID_LENGTH:
        return _bad_request()
    session = extensions.session()
    settings = extensions.settings()
    try:
        call = calls.open_call(session, settings, sid, request.form.get("From", ""), utcnow())
        handle(call)
        calls.finish(call)
        session.commit()
    except Exception as exc:
        # The turn is rolled back; everything said before it was committed with its own turn.
        # Only the exception's type and where: its message can quote what the caller said.
        session.rollback()
        log.error(
            "voice webhook failed: %s\n%s",
            type(exc).__name__,
            "".join(traceback.format_tb(exc.__traceback__)),
        )
        sorry = VoiceResponse()
        prompts.say(sorry, prompts.SORRY)
        sorry.hangup()
        return twiml_response(str(sorry))
    return twiml_response(str(call.response))


def _bad_request() -> tuple[Response, int]:
    errors = {"CallSid": "Give the SID of the call, up to 64 characters"}
    return jsonify({"message": "The call webhook has errors", "errors": errors}), 400
