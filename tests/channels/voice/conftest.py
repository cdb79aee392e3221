from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.channels.twilio_signed import SERVICE_NUMBER, TwilioWebhooks, twilio_settings

_sids = (f"CA{n:032d}" for n in itertools.count(1))
WITHHELD = "+266696687"  # what Twilio sends as From when the caller hides their number


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any]) -> dict[str, Any]:
    settings_overrides.update(
        twilio_settings(), duty_phone_number="+441134960999", officer_phone_number="+441134960111"
    )
    return settings_overrides


class Caller:
    """A person on the phone: each method is one turn, as Twilio would post it."""

    def __init__(self, webhooks: TwilioWebhooks, number: str) -> None:
        self.webhooks = webhooks
        self.number = number
        self.sid = next(_sids)
        self.root: ET.Element | None = None
        self.status_code = 0

    def _params(self, **extra: str) -> dict[str, str]:
        return {
            "CallSid": self.sid,
            "AccountSid": "AC" + "0" * 32,
            "From": self.number,
            "To": SERVICE_NUMBER,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            **extra,
        }

    def _post(self, url: str, **extra: str) -> ET.Element:
        response = self.webhooks.post(url, self._params(**extra))
        self.status_code = response.status_code
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.content_type.startswith("text/xml")
        self.root = ET.fromstring(response.get_data(as_text=True))
        return self.root

    def ring(self) -> ET.Element:
        return self._post("/channels/voice", CallStatus="ringing")

    @property
    def gather(self) -> ET.Element:
        assert self.root is not None
        found = self.root.find("Gather")
        assert found is not None, self.heard
        return found

    @property
    def heard(self) -> str:
        """Everything the caller was told in the last turn."""
        assert self.root is not None
        return " ".join(say.text or "" for say in self.root.iter("Say"))

    @property
    def hung_up(self) -> bool:
        return self.root is not None and self.root.find("Hangup") is not None

    def say(self, speech: str, confidence: float = 0.92) -> ET.Element:
        return self._post(
            self.gather.get("action"), SpeechResult=speech, Confidence=str(confidence)
        )

    def press(self, digits: str) -> ET.Element:
        return self._post(self.gather.get("action"), Digits=digits)

    def stay_silent(self) -> ET.Element:
        return self._post(self.gather.get("action"))

    def post_to(self, url: str, **extra: str) -> ET.Element:
        return self._post(url, **extra)

    def hang_up(self, status: str = "completed") -> int:
        response = self.webhooks.post(
            "/channels/voice/status", self._params(CallStatus=status, CallDuration="95")
        )
        return response.status_code

    def converse(self, script: dict[str, Any], limit: int = 80) -> list[str]:
        """Answer each prompt by the first scripted turn whose key is in what was said.

        A turn is ("say", text), ("say", text, confidence), ("press", digits) or ("silence",);
        a list of turns is used one after another for a prompt heard more than once.
        """
        heard: list[str] = []
        queues = {k: list(v) if isinstance(v, list) else [v] for k, v in script.items()}
        for _ in range(limit):
            if "To send your referral now, press 1" in self.heard:
                return heard
            said = self.heard
            key = next((k for k in queues if k in said), None)
            assert key is not None, f"no scripted turn for: {said!r}"
            heard.append(said)
            turn = queues[key].pop(0) if len(queues[key]) > 1 else queues[key][0]
            match turn:
                case ("say", text):
                    self.say(text)
                case ("say", text, confidence):
                    self.say(text, confidence)
                case ("press", digits):
                    self.press(digits)
                case ("silence",):
                    self.stay_silent()
        raise AssertionError("the call never reached the end of the questions")


@pytest.fixture
def webhooks(client: FlaskClient) -> TwilioWebhooks:
    return TwilioWebhooks(client)


@pytest.fixture
def caller(webhooks: TwilioWebhooks) -> Caller:
    return Caller(webhooks, "+447700900456")


@pytest.fixture
def withheld_caller(webhooks: TwilioWebhooks) -> Caller:
    return Caller(webhooks, WITHHELD)
