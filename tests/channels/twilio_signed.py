"""Requests signed exactly as Twilio signs them, for driving the SMS and voice webhooks."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

AUTH_TOKEN = "12345678901234567890123456789012"
ACCOUNT_SID = "AC" + "0" * 32
BASE_URL = "https://frontdoor.example.gov.uk"
SERVICE_NUMBER = "+441134960000"


def twilio_settings() -> dict[str, object]:
    return {
        "twilio_auth_token": AUTH_TOKEN,
        "twilio_account_sid": ACCOUNT_SID,
        "twilio_from_number": SERVICE_NUMBER,
        "base_url": BASE_URL,
    }


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


class TwilioWebhooks:
    """Posts to the app the way Twilio does: the public URL signed, form-encoded parameters."""

    def __init__(self, client: FlaskClient, base_url: str = BASE_URL) -> None:
        self.client = client
        self.base_url = base_url

    def post(
        self, url: str, params: dict[str, str], *, signature: str | None = None
    ) -> TestResponse:
        """`url` is absolute (as TwiML gives it) or a path on the public base URL."""
        absolute = url if url.startswith("http") else self.base_url + url
        parts = urlsplit(absolute)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"X-Twilio-Signature": sign(absolute, params) if signature is None else signature}
        # Behind the proxy the app is reached on an internal address, not the public one.
        return self.client.post(path, data=params, headers=headers, base_url="http://10.0.0.5:8000")


def messages_of(response: TestResponse) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/xml")
    root = ET.fromstring(response.get_data(as_text=True))
    assert root.tag == "Response"
    return [(m.findtext("Body") or m.text or "") for m in root.findall("Message")]
