"""`POST /channels/email`: one raw RFC 822 message, for mail providers that forward over HTTP.

The same `receive_email` as the SMTP server. Authenticated with a partner key that has the
"email" scope (`Authorization: Bearer <key>`). Answers 202 with the reference, 202 with a reason
for mail that is deliberately ignored, and a 4xx with a reason for anything we cannot take.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from channels.email.handler import Result, Status, receive_email
from intake import extensions, partner_keys
from workers.context import WorkerContext

log = logging.getLogger(__name__)

bp = Blueprint("email_intake", __name__)

SCOPE = "email"


def _error(status: int, message: str, errors: dict[str, str] | None = None) -> tuple[Response, int]:
    body: dict[str, Any] = {"message": message}
    if errors:
        body["errors"] = errors
    return jsonify(body), status


@bp.post("/channels/email")
def receive() -> tuple[Response, int]:
    key = partner_keys.authenticate(extensions.session(), request.headers.get("Authorization"))
    if key is None:
        response, status = _error(401, "A valid key is needed: Authorization: Bearer <key>")
        response.headers["WWW-Authenticate"] = 'Bearer realm="frontdoor"'
        return response, status
    if SCOPE not in (key.scopes or []):
        return _error(403, "This key may not send email to the intake")
    settings = extensions.settings()
    limit = settings.smtpd_max_message_bytes
    too_large = f"The message must be {limit // (1024 * 1024)} MB or smaller"
    if request.content_length is not None and request.content_length > limit:
        return _error(413, too_large)
    raw = request.get_data(cache=False)
    if len(raw) > limit:
        return _error(413, too_large)
    if not raw.strip():
        return _error(
            400,
            "The body is empty",
            {"body": "Send one raw RFC 822 email message as the request body"},
        )
    context = WorkerContext(settings, extensions.database())
    try:
        result = receive_email(context, raw, None, (), queue=_queue())
    except SQLAlchemyError as exc:
        log.error("email over http could not be stored (%s)", type(exc).__name__)
        response, status = _error(503, "The message could not be stored just now. Try again.")
        response.headers["Retry-After"] = "30"
        return response, status
    return _response(result)


def _queue() -> Redis | None:
    try:
        return extensions.redis()
    except (RedisError, OSError) as exc:
        # The outbox relay enqueues the work as soon as the queue is back.
        log.warning("queue unavailable (%s)", type(exc).__name__)
        return None


def _response(result: Result) -> tuple[Response, int]:
    if result.status is Status.IGNORED:
        return jsonify({"status": str(result.status), "reason": result.reason}), 202
    if result.status is Status.REFUSED:
        if result.reason == "too_large":
            return _error(413, "The message is too large")
        if result.reason == "unreadable":
            return _error(
                422, "The body could not be read", {"body": "Send one raw RFC 822 email message"}
            )
        return _error(
            422,
            "The message has no sender address we can reply to",
            {"from": "The message needs a From header with an email address"},
        )
    body = {
        "reference": result.reference,
        "status": str(result.status),
        "complete": result.complete,
    }
    return jsonify(body), 202
