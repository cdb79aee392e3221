"""A contact: one concern about one or more children, however it reached the hub."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.crypto import EncryptedJSON, EncryptedText
from intake.models.base import Base, Timestamped, utcnow


class ContactStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PROCESSING = "processing"
    AWAITING_REVIEW = "awaiting_review"
    DECIDED = "decided"
    CLOSED = "closed"


class Channel(enum.StrEnum):
    WEB = "web"
    API = "api"
    SMS = "sms"
    VOICE = "voice"
    EMAIL = "email"


# Contacts on the review queue; the partial index below and the queue's query both use it.
OPEN_STATUSES_SQL = "status IN ('submitted', 'processing', 'awaiting_review')"


class Contact(Timestamped, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_status_deadline", "status", "deadline"),
        # The review queue: open contacts in deadline order, read 50 at a time from the index.
        Index(
            "ix_contacts_open_by_deadline",
            "deadline",
            "submitted_at",
            "id",
            postgresql_where=text(OPEN_STATUSES_SQL),
            sqlite_where=text(OPEN_STATUSES_SQL),
        ),
        UniqueConstraint("partner_key_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24), default=ContactStatus.DRAFT, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    immediate_danger: Mapped[bool | None]

    # The referrer, flattened: there is exactly one per contact.
    referrer_type: Mapped[str | None] = mapped_column(String(32))
    referrer_source: Mapped[str | None] = mapped_column(String(4))
    referrer_anonymous: Mapped[bool] = mapped_column(default=False)
    referrer_name: Mapped[str | None] = mapped_column(String(200))
    referrer_role: Mapped[str | None] = mapped_column(String(200))
    referrer_organisation: Mapped[str | None] = mapped_column(String(200))
    referrer_phone: Mapped[str | None] = mapped_column(String(32))
    referrer_email: Mapped[str | None] = mapped_column(String(254))
    feedback_by: Mapped[str | None] = mapped_column(String(16))

    concern_description: Mapped[str | None] = mapped_column(EncryptedText())
    concern_when: Mapped[str | None] = mapped_column(EncryptedText())
    concern_how_known: Mapped[str | None] = mapped_column(String(32))
    concern_fears: Mapped[str | None] = mapped_column(EncryptedText())
    child_said: Mapped[str | None] = mapped_column(EncryptedText())
    home_concerns: Mapped[list[Any]] = mapped_column(JSON, default=list)

    consent_answer: Mapped[str | None] = mapped_column(String(16))
    consent_reason: Mapped[str | None] = mapped_column(String(32))
    consent_reason_detail: Mapped[str | None] = mapped_column(EncryptedText())
    other_agencies: Mapped[str | None] = mapped_column(EncryptedText())

    # The conversation so far, for drafts that are resumed on any channel: every answer as given.
    flow_state: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)
    # The raw inbound text the channel received (SMS thread, call transcript, email body).
    raw_text: Mapped[str | None] = mapped_column(EncryptedText())
    # Where a draft came from, so an officer can call back a caller who hung up.
    origin_address: Mapped[str | None] = mapped_column(String(254))

    partner_key_id: Mapped[int | None] = mapped_column(ForeignKey("partner_keys.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))

    # Filled by the worker. The NLP's mentions and the rules' evidence quote the referrer's words
    # (and the names, dates and numbers found in them), so they are encrypted; the codes beside
    # them stay clear for the queue's filters and the reports.
    extraction: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    categories: Mapped[list[Any]] = mapped_column(JSON, default=list)
    risk_indicators: Mapped[list[Any]] = mapped_column(JSON, default=list)
    history: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    provisional_rating: Mapped[str | None] = mapped_column(String(8))
    rating_reasons: Mapped[list[Any]] = mapped_column(EncryptedJSON, default=list)
    rating_rules_version: Mapped[str | None] = mapped_column(String(32))
    deadline: Mapped[datetime | None]
    rated_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]

    # Filled by the officer.
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    final_rating: Mapped[str | None] = mapped_column(String(8))
    rating_change_reason: Mapped[str | None] = mapped_column(EncryptedText())
    outcome: Mapped[str | None] = mapped_column(String(32))
    outcome_note: Mapped[str | None] = mapped_column(EncryptedText())
    decided_at: Mapped[datetime | None] = mapped_column(index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    restricted: Mapped[bool] = mapped_column(default=False)

    people: Mapped[list[ContactPerson]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactPerson.position"
    )
    answers: Mapped[list[Answer]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="Answer.id"
    )
    events: Mapped[list[ContactEvent]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactEvent.id"
    )

    @property
    def children(self) -> list[ContactPerson]:
        return [p for p in self.people if p.kind == "child"]

    @property
    def household(self) -> list[ContactPerson]:
        return [p for p in self.people if p.kind == "adult"]

    @property
    def rating(self) -> str | None:
        return self.final_rating or self.provisional_rating


class ContactPerson(Base):
    """A child on the contact, or another member of the household."""

    __tablename__ = "contact_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))  # child | adult
    position: Mapped[int] = mapped_column(default=0)
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[date | None]
    age_years: Mapped[int | None]
    expected_date: Mapped[date | None]
    gender: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(10))
    school: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(100))
    # Free text about the child's health: encrypted. The identity columns above (names, dates,
    # sex, address, postcode) stay clear, like the person index they are matched against, so
    # people can be matched and looked up; school and language are short facts, not accounts.
    disability: Mapped[str | None] = mapped_column(EncryptedText())
    relationship_to_child: Mapped[str | None] = mapped_column(String(50))

    contact: Mapped[Contact] = relationship(back_populates="people")

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)

    @property
    def unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date is not None


class Answer(Base):
    """Every answer as given, per question, with the channel it came from (append-only)."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    raw: Mapped[str | None] = mapped_column(EncryptedText())
    value: Mapped[str | None] = mapped_column(EncryptedText())  # JSON of the parsed value
    source: Mapped[str] = mapped_column(String(16), default="referrer")  # referrer | nlp | api
    confidence: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="answers")


class ContactEvent(Base):
    """When each step of a contact's life happened (received, queued, nlp, matched, rated...)."""

    __tablename__ = "contact_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    contact: Mapped[Contact] = relationship(back_populates="events")


class OutboxJob(Base):
    """Work to put on the queue, written in the same transaction as what it is about.

    The relay enqueues rows with `enqueued_at` unset; the job id is derived from the row so a
    second enqueue of the same row is a no-op on RQ's side.
    """

    __tablename__ = "outbox_jobs"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "generation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int]
    generation: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(index=True)
    completed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))

    @property
    def job_id(self) -> str:
        # The row's creation time makes the id unique beyond this database: after a restore, or
        # in a fresh test database, row ids start again and must not meet an old finished job.
        created = int(self.created_at.timestamp() * 1_000_000)
        return f"{self.kind}-{self.subject_id}-{self.generation}-{created}"


class InboundMessage(Base):
    """A webhook or email already seen, so a retry or duplicate is processed once."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(255))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    response: Mapped[str | None] = mapped_column(EncryptedText())


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    # The sender's own file name, which can say who and what the file is about.
    filename: Mapped[str] = mapped_column(EncryptedText())
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_path: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Timestamped, Base):
    """An SMS thread or phone call walking a referrer through the flow."""

    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_channel_address_open", "channel", "address", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))  # the sender number or call sid
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    # The channel's own state, which can hold an answer as heard, waiting to be confirmed.
    state: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(32))

    contact: Mapped[Contact] = relationship()
