"""Messages the service sends back to referrers, each tracked until delivered or failed."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from intake.crypto import EncryptedText
from intake.models.base import Base, Timestamped


class MessageStatus(enum.StrEnum):
    PENDING = "pending"
    NO_TRANSPORT = "no_transport"
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


class OutboundMessage(Timestamped, Base):
    __tablename__ = "outbound_messages"
    __table_args__ = (UniqueConstraint("contact_id", "purpose", "transport", "attempt_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(
        String(32)
    )  # acknowledgement | outcome | missing_info | reply
    transport: Mapped[str] = mapped_column(String(8))  # sms | email
    attempt_group: Mapped[int] = mapped_column(default=0)  # bumped by an officer's resend
    recipient: Mapped[str] = mapped_column(EncryptedText())
    subject: Mapped[str | None] = mapped_column(EncryptedText())
    body: Mapped[str] = mapped_column(EncryptedText())
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.PENDING, index=True)
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    in_reply_to: Mapped[str | None] = mapped_column(String(255))
    message_id: Mapped[str | None] = mapped_column(String(255), index=True)


class MessageTemplate(Timestamped, Base):
    """Admin-editable wording, keyed by purpose, outcome, referrer type and transport."""

    __tablename__ = "message_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
