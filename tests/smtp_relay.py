"""A local SMTP relay (aiosmtpd) that keeps what it is given, or refuses recipients on request."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.redis_server import free_port


@dataclass
class RelayedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class SmtpRelay:
    received: list[RelayedMail] = field(default_factory=list)
    # RCPT TO answered with this reply ("550 5.1.1 no such user") instead of 250.
    refuse_recipients_with: str | None = None

    def __post_init__(self) -> None:
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpRelay:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refuse_recipients_with:
            return self.refuse_recipients_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(RelayedMail(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"
