from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.channels.twilio_signed import (
    SERVICE_NUMBER,
    TwilioWebhooks,
    messages_of,
    twilio_settings,
)

_sids = (f"SM{n:032d}" for n in itertools.count(1))


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any]) -> dict[str, Any]:
    settings_overrides.update(twilio_settings(), duty_phone_number="+441134960999")
    return settings_overrides


class Phone:
    """A referrer's mobile, texting the service. `send` returns the texts that came back."""

    def __init__(self, webhooks: TwilioWebhooks, number: str) -> None:
        self.webhooks = webhooks
        self.number = number
        self.received: list[str] = []

    def params(self, body: str, sid: str | None = None, **extra: str) -> dict[str, str]:
        return {
            "MessageSid": sid or next(_sids),
            "AccountSid": "AC" + "0" * 32,
            "From": self.number,
            "To": SERVICE_NUMBER,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            **extra,
        }

    def send(self, body: str, sid: str | None = None, **extra: str) -> list[str]:
        messages = messages_of(self.webhooks.post("/channels/sms", self.params(body, sid, **extra)))
        self.received = messages
        return messages

    @property
    def last(self) -> str:
        return self.received[-1] if self.received else ""

    def converse(self, replies: dict[str, str | list[str]], limit: int = 60) -> list[str]:
        """Answer each question by the reply whose key is in it, until the summary comes.

        A list of replies is used in turn, for a question asked more than once.
        """
        asked: list[str] = []
        queues = {k: [v] if isinstance(v, str) else list(v) for k, v in replies.items()}
        for _ in range(limit):
            if "Reply YES to send this referral" in self.last:
                return asked
            question = self.last
            key = next((k for k in queues if k in question), None)
            assert key is not None, f"no scripted reply for: {question!r}"
            asked.append(question)
            self.send(queues[key].pop(0) if len(queues[key]) > 1 else queues[key][0])
        raise AssertionError("the conversation never reached the summary")


@pytest.fixture
def webhooks(client: FlaskClient) -> TwilioWebhooks:
    return TwilioWebhooks(client)


@pytest.fixture
def phone(webhooks: TwilioWebhooks) -> Iterator[Phone]:
    yield Phone(webhooks, "+447700900123")
