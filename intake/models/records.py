"""The person index (agency records loaded by `frontdoor records import`) and the matches the
worker proposes between people on a contact and those records."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.models.base import Base, utcnow

if TYPE_CHECKING:
    from intake.models.contact import ContactPerson

# Blocking keys (workers/matching/blocking.py) are short strings: phonetic codes, dates, districts.
KEY_LENGTH = 64


class PersonRecord(Base):
    """One agency's record of one person, as last imported. (source, record_id) identifies it.

    The key_* columns are the blocking keys the matcher looks candidates up by; household_key
    groups the records at one dwelling. They are derived from the other columns on import.
    """

    __tablename__ = "person_records"
    __table_args__ = (UniqueConstraint("source", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(128))
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    other_names: Mapped[str | None] = mapped_column(String(300))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(32))
    nhs_number: Mapped[str | None] = mapped_column(String(16))
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    open_case_ref: Mapped[str | None] = mapped_column(String(64))
    # Columns of the agency's extract that the CSV format does not name, kept as given.
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    restricted: Mapped[bool] = mapped_column(default=False)
    # A digest of the imported values: a re-import rewrites only the rows that changed.
    row_hash: Mapped[str] = mapped_column(String(32))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    key_names: Mapped[str | None] = mapped_column(String(KEY_LENGTH), index=True)
    key_given_dob: Mapped[str | None] = mapped_column(String(KEY_LENGTH), index=True)
    key_family_dob: Mapped[str | None] = mapped_column(String(KEY_LENGTH), index=True)
    key_family_area: Mapped[str | None] = mapped_column(String(KEY_LENGTH), index=True)
    key_given_area: Mapped[str | None] = mapped_column(String(KEY_LENGTH), index=True)
    key_dob_area: Mapped[str | None] = mapped_column(String(KEY_LENGTH), index=True)
    key_street: Mapped[str | None] = mapped_column(String(KEY_LENGTH), index=True)
    household_key: Mapped[str | None] = mapped_column(String(128), index=True)


class MatchStatus(enum.StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class PersonMatch(Base):
    """A record the matcher proposed for a person on a contact, and the officer's decision.

    Earlier contacts about the same child are found through these rows: other contact people
    matched (confirmed, or proposed in the "match" band) to the same person record.
    """

    __tablename__ = "person_matches"
    __table_args__ = (
        UniqueConstraint("contact_person_id", "person_record_id"),
        CheckConstraint("status IN ('proposed', 'confirmed', 'rejected')", name="status"),
        Index("ix_person_matches_record_status", "person_record_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_person_id: Mapped[int] = mapped_column(
        ForeignKey("contact_people.id", ondelete="CASCADE"), index=True
    )
    person_record_id: Mapped[int] = mapped_column(
        ForeignKey("person_records.id", ondelete="CASCADE")
    )
    probability: Mapped[float] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(16))
    # [{"field", "level", "weight", "note"}, ...] as compared when proposed.
    agreements: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=MatchStatus.PROPOSED)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person_record: Mapped[PersonRecord] = relationship()
    contact_person: Mapped[ContactPerson] = relationship()
