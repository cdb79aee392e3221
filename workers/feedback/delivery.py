"""How a message's status moves once the provider has it: forwards only.

Twilio's status callbacks can arrive out of order ("delivered" before "sent") and more than once,
so each update is a single conditional UPDATE that only moves a message to a later stage. Two
callbacks racing each other cannot move a status backwards either.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from intake.models import MessageStatus, OutboundMessage, utcnow

log = logging.getLogger(__name__)

# Later stages have higher ranks. The three final outcomes share a rank: once one is known,
# nothing moves the message again.
STAGE: dict[str, int] = {
    MessageStatus.PENDING: 0,
    MessageStatus.QUEUED: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.UNDELIVERED: 3,
    MessageStatus.FAILED: 3,
}

# Twilio's message statuses, as ours. https://www.twilio.com/docs/messaging/api/message-resource
TWILIO_STATUSES: dict[str, MessageStatus] = {
    "accepted": MessageStatus.QUEUED,
    "scheduled": MessageStatus.QUEUED,
    "queued": MessageStatus.QUEUED,
    "sending": MessageStatus.QUEUED,
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.UNDELIVERED,
    "failed": MessageStatus.FAILED,
    "canceled": MessageStatus.FAILED,
}


def advance(
    session: Session,
    provider_id: str,
    status: MessageStatus,
    *,
    error_code: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Move the message the provider knows as `provider_id` on to `status`, if that is forwards.

    Returns whether anything changed. The caller commits.
    """
    now = now or utcnow()
    earlier = [name for name, rank in STAGE.items() if rank < STAGE[status]]
    values: dict[str, object] = {"status": str(status), "updated_at": now}
    if status == MessageStatus.DELIVERED:
        values["delivered_at"] = now
    if status in (MessageStatus.UNDELIVERED, MessageStatus.FAILED):
        values["last_error"] = f"provider error {error_code}" if error_code else "not delivered"
    result = session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.provider_id == provider_id, OutboundMessage.status.in_(earlier))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    changed = bool(getattr(result, "rowcount", 0))
    log.info(
        "provider status %s for %s: %s", status, provider_id, "recorded" if changed else "kept"
    )
    return changed
