"""Outbound SMS through Twilio's REST API.

`TWILIO_API_BASE` points the client somewhere other than api.twilio.com (a local stand-in in
tests). Errors come back as `TemporaryFailure` (try again later) or `PermanentFailure` (this
number will never take it), with the provider's code but never Twilio's own message text, which
quotes the phone number.
"""

from __future__ import annotations

import logging
from typing import Any

from requests.exceptions import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from channels.outbound import PermanentFailure, TemporaryFailure
from intake.config import Settings

log = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"
STATUS_CALLBACK_PATH = "/channels/sms/status"
# Long enough for a slow Twilio, short enough that a stuck call is retried well inside the job
# timeout rather than holding a worker.
REQUEST_TIMEOUT_SECONDS = 15.0

# Twilio error codes that mean this number will never take the message, so retrying is pointless.
# https://www.twilio.com/docs/api/errors
PERMANENT_ERROR_CODES = frozenset(
    {
        21211,  # the To number is not a valid phone number
        21214,  # the To number cannot be reached
        21408,  # the account may not send to this region
        21610,  # the recipient replied STOP: they have opted out
        21612,  # Twilio cannot route to this number
        21614,  # the To number is not a mobile number
    }
)


def is_configured(settings: Settings) -> bool:
    return bool(
        settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number
    )


def status_callback_url(settings: Settings) -> str:
    return settings.base_url.rstrip("/") + STATUS_CALLBACK_PATH


class _RebasedHttpClient(TwilioHttpClient):  # type: ignore[misc]  # twilio ships no type hints
    """Twilio's own HTTP client, sending what it would send to api.twilio.com to `base` instead."""

    def __init__(self, base: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self._base = base.rstrip("/")

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        if url.startswith(TWILIO_API):
            url = self._base + url[len(TWILIO_API) :]
        return super().request(
            method,
            url,
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )


def make_client(settings: Settings) -> Client:
    http_client: TwilioHttpClient
    if settings.twilio_api_base:
        http_client = _RebasedHttpClient(settings.twilio_api_base, REQUEST_TIMEOUT_SECONDS)
    else:
        http_client = TwilioHttpClient(timeout=REQUEST_TIMEOUT_SECONDS)
    return Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        http_client=http_client,
        # An empty environment: only our settings decide where messages go.
        environment={},
    )


def send_sms(settings: Settings, to: str, body: str) -> str:
    """Hand one text message to Twilio; returns Twilio's message SID.

    Raises TemporaryFailure or PermanentFailure.
    """
    if not is_configured(settings):
        raise PermanentFailure("twilio is not configured")
    client = make_client(settings)
    try:
        message = client.messages.create(
            to=to,
            from_=settings.twilio_from_number,
            body=body,
            status_callback=status_callback_url(settings),
        )
    except (TwilioRestException, TwilioServiceException) as exc:
        raise classify_rest_error(exc.status, exc.code) from None
    except RequestException as exc:
        # Timeouts and refused connections: the message may not have reached Twilio.
        raise TemporaryFailure(f"twilio unreachable: {type(exc).__name__}") from None
    except TwilioException as exc:
        # Raised for responses that are not Twilio-shaped JSON, such as a proxy's error page.
        raise TemporaryFailure(f"twilio answered unexpectedly: {type(exc).__name__}") from None
    sid = message.sid
    if not sid:
        raise TemporaryFailure("twilio answered without a message sid")
    log.info("sms handed to twilio as %s", sid)
    return str(sid)


def classify_rest_error(status: int, code: Any) -> TemporaryFailure | PermanentFailure:
    """Decide from Twilio's HTTP status and error code whether trying again could help."""
    reason = f"twilio error {code or 'unknown'} (HTTP {status})"
    if status == 429 or status >= 500:
        return TemporaryFailure(reason)
    if code in PERMANENT_ERROR_CODES:
        return PermanentFailure(f"{reason}: the number cannot take text messages")
    # Any other refusal (bad credentials, a from number we do not own) fails the same way every
    # time until someone changes the configuration; fail it so an officer sees it and resends.
    return PermanentFailure(f"{reason}: Twilio refused the request")
