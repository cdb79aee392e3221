"""The send job's claim: one conditional UPDATE that also reads the claimed message back."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from intake.models import MessageStatus, OutboundMessage, utcnow
from tests.builders import create_contact
from workers.feedback.jobs import _claim


@pytest.mark.parametrize("backend", ["postgres", "embedded"], indirect=True)
def test_the_claim_updates_and_reads_back_the_message_in_one_statement(db, session):
    create_contact(session)
    message = session.scalar(select(OutboundMessage))
    assert message is not None and message.status == MessageStatus.PENDING
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_):  # type: ignore[no-untyped-def]
        sent.append(statement)

    now = utcnow()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert _claim(session, message.id, now)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)

    assert len(sent) == 1
    assert (message.status, message.updated_at) == (MessageStatus.QUEUED, now)
    assert not _claim(session, message.id, utcnow()), "claimed once only"
    assert message.status == MessageStatus.QUEUED
