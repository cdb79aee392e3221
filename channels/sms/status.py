"""`POST /channels/sms/status`: Twilio telling us how far a text message got.

Checks Twilio's signature (the check every Twilio webhook shares), records the status by the
message SID, and answers at once. The status only ever moves forwards
(`workers.feedback.delivery.advance`), so callbacks that arrive late, twice or out of order are
harmless.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request

from channels.twilio_common.signature import twilio_signature_required
from intake import extensions
from workers.feedback.delivery import TWILIO_STATUSES, advance

log = logging.getLogger(__name__)

bp = Blueprint("sms_status", __name__)

MAX_SID_LENGTH = 64  # OutboundMessage.provider_id


@bp.post("/channels/sms/status")
@twilio_signature_required
def status_callback() -> tuple[Response | str, int]:
    sid = request.form.get("MessageSid", "").strip()
    provider_status = request.form.get("MessageStatus", "").strip().lower()
    errors: dict[str, str] = {}
    if not sid or len(sid) > MAX_SID_LENGTH:
        errors["MessageSid"] = "Give the SID of the message, up to 64 characters"
    if not provider_status:
        errors["MessageStatus"] = "Give the status of the message"
    if errors:
        return jsonify({"message": "The status callback has errors", "errors": errors}), 400
    status = TWILIO_STATUSES.get(provider_status)
    if status is None:
        # A status Twilio added after this was written: nothing to record, and nothing Twilio
        # should retry.
        log.info("sms status callback: unrecognised status %r ignored", provider_status[:20])
        return "", 204
    error_code = request.form.get("ErrorCode", "").strip()
    session = extensions.session()
    advance(session, sid, status, error_code=int(error_code) if error_code.isdigit() else None)
    session.commit()
    return "", 204
