"""Refuse any webhook that Twilio did not sign.

Twilio signs the full URL it requested (scheme, host, path and query string) followed by the
POST parameters, with the account's auth token. Behind a proxy or load balancer the URL Flask
sees is not that URL, so it is rebuilt from `FRONTDOOR_BASE_URL`, the public address Twilio was
given. With no auth token configured every webhook is refused: an unsigned endpoint would let
anyone on the internet file or read referrals in someone else's name.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import abort, request
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from intake import extensions

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def public_url(base_url: str) -> str:
    """The URL of the current request as Twilio requested it (query string included)."""
    url = base_url.rstrip("/") + request.path
    query = request.query_string.decode("utf-8", errors="replace")
    return f"{url}?{query}" if query else url


def is_signed_by_twilio(auth_token: str, base_url: str) -> bool:
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not auth_token or not signature:
        return False
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    validator = RequestValidator(auth_token)
    return bool(validator.validate(public_url(base_url), request.form, signature, algorithm))


def twilio_signature_required(view: Callable[P, R]) -> Callable[P, R]:
    """Answer 403 unless the request carries a valid `X-Twilio-Signature`."""

    @functools.wraps(view)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        settings = extensions.settings()
        if not settings.twilio_auth_token:
            log.warning(
                "refused a Twilio webhook on %s: TWILIO_AUTH_TOKEN is not set", request.path
            )
            abort(403, "This endpoint only accepts requests signed by Twilio")
        if not is_signed_by_twilio(settings.twilio_auth_token, settings.base_url):
            log.warning(
                "refused a Twilio webhook on %s: missing or invalid signature", request.path
            )
            abort(403, "This endpoint only accepts requests signed by Twilio")
        return view(*args, **kwargs)

    return checked
