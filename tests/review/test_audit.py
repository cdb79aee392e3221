"""The audit log: append-only in the database itself, and searchable by managers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from intake.models import AuditEvent, utcnow
from intake.review import audit


@pytest.mark.parametrize("backend", ["postgres", "embedded"], indirect=True)
def test_audit_rows_cannot_be_changed_or_deleted(session):
    row = audit.record(session, audit.Action.CONTACT_VIEWED, "someone", "contact", "AB", "10.0.0.1")
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(update(AuditEvent).where(AuditEvent.id == row.id).values(actor="other"))
    session.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(delete(AuditEvent).where(AuditEvent.id == row.id))
    session.rollback()
    assert session.scalar(select(AuditEvent.actor).where(AuditEvent.id == row.id)) == "someone"


def test_record_keeps_who_what_which_record_and_where(session, staff):
    row = audit.record(
        session,
        audit.Action.OUTCOME_RECORDED,
        staff["officer"],
        "contact",
        "ABCD-EFGH",
        "192.0.2.7",
        outcome="nfa",
    )
    session.commit()
    assert (row.user_id, row.actor) == (staff["officer"].id, staff["officer"].email)
    assert (row.subject_type, row.subject_id, row.ip_address) == (
        "contact",
        "ABCD-EFGH",
        "192.0.2.7",
    )
    assert row.detail == {"outcome": "nfa"}


def seed(session, staff):
    old = utcnow() - timedelta(days=10)
    for user, action, ref in (
        (staff["officer"], "contact_viewed", "AAAA-1111"),
        (staff["officer"], "outcome_recorded", "AAAA-1111"),
        (staff["manager"], "contact_viewed", "BBBB-2222"),
    ):
        audit.record(session, action, user, "contact", ref, "127.0.0.1")
    session.add(AuditEvent(at=old, actor=staff["officer"].email, action="signed_in", detail={}))
    session.commit()


def entries(page: str) -> int:
    return page[page.index('id="audit-entries"') :].split("</tbody>")[0].count("<tr") - 1


def test_managers_search_the_log_by_user_action_reference_and_date(manager, staff, session):
    seed(session, staff)
    by_user = manager.get("/officer/audit?user=officer@mash").get_data(as_text=True)
    assert entries(by_user) == 3
    by_action = manager.get("/officer/audit?action=outcome_recorded").get_data(as_text=True)
    assert entries(by_action) == 1
    by_reference = manager.get("/officer/audit?reference=bbbb-2222").get_data(as_text=True)
    assert entries(by_reference) == 1
    today = utcnow().date().isoformat()
    by_date = manager.get(
        f"/officer/audit?user=officer@mash&date_from={today}&date_to={today}"
    ).get_data(as_text=True)
    assert entries(by_date) == 2


def test_searching_the_log_is_itself_audited(manager, staff, session):
    manager.get("/officer/audit?reference=AAAA-1111")
    row = session.scalar(select(AuditEvent).where(AuditEvent.action == "audit_searched"))
    assert row.user_id == staff["manager"].id and row.detail == {"reference": "AAAA-1111"}


def test_a_bad_date_is_explained_not_an_error(manager):
    response = manager.get("/officer/audit?date_from=31/02/2026")
    assert response.status_code == 200
    assert "Enter a date like 2026-11-03" in response.get_data(as_text=True)
    # The last day there is: the search's end, the day after, cannot be made.
    response = manager.get("/officer/audit?date_to=9999-12-31")
    assert response.status_code == 200
    assert "Enter a date between the years 2000 and 2999" in response.get_data(as_text=True)


def test_a_manager_sees_an_officers_decisions_in_the_log(officer, manager, session):
    from tests.review.support import reviewable_contact

    contact = reviewable_contact(session)
    officer.get(f"/officer/contacts/{contact.reference}")
    officer.post(f"/officer/contacts/{contact.reference}/rating", data={"rating": "amber"})
    page = manager.get(f"/officer/audit?reference={contact.reference}").get_data(as_text=True)
    assert "Contact viewed" in page and "Rating confirmed" in page
