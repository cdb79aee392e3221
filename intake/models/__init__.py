"""All models, imported together so metadata (and Alembic) sees every table."""

from intake.models.base import Base, utcnow
from intake.models.contact import (
    Answer,
    Attachment,
    Channel,
    Contact,
    ContactEvent,
    ContactPerson,
    ContactStatus,
    Conversation,
    InboundMessage,
    OutboxJob,
)
from intake.models.messages import MessageStatus, MessageTemplate, OutboundMessage
from intake.models.records import MatchStatus, PersonMatch, PersonRecord
from intake.models.staff import AuditEvent, PartnerKey, Role, User

__all__ = [
    "Answer",
    "Attachment",
    "AuditEvent",
    "Base",
    "Channel",
    "Contact",
    "ContactEvent",
    "ContactPerson",
    "ContactStatus",
    "Conversation",
    "InboundMessage",
    "MatchStatus",
    "MessageStatus",
    "MessageTemplate",
    "OutboundMessage",
    "OutboxJob",
    "PartnerKey",
    "PersonMatch",
    "PersonRecord",
    "Role",
    "User",
    "utcnow",
]
