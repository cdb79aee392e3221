from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from intake import service
from intake.models import Answer, AuditEvent, Contact, ContactPerson, utcnow
from tests.builders import create_contact
from workers.retention import apply_retention


def decide(session, contact, days_ago):
    contact.status = "decided"
    contact.outcome = "nfa"
    contact.provisional_rating = "green"
    contact.categories = ["neglect"]
    contact.decided_at = utcnow() - timedelta(days=days_ago)
    session.commit()


@pytest.mark.parametrize("backend", ["postgres", "embedded"], indirect=True)
def test_an_old_decided_contact_keeps_its_statistics_and_loses_everything_personal(session):
    old = create_contact(session)
    recent = create_contact(session)
    decide(session, old, days_ago=200)
    decide(session, recent, days_ago=10)

    result = apply_retention(session, retention_days=183, draft_retention_days=30)
    session.commit()

    assert result.reduced == 1
    session.expire_all()
    reduced = session.get(Contact, old.id)
    assert reduced.status == "closed"
    assert (reduced.reference, reduced.outcome, reduced.categories, reduced.referrer_source) == (
        old.reference,
        "nfa",
        ["neglect"],
        "2A",
    )
    assert reduced.concern_description is None and reduced.referrer_name is None
    assert (
        session.scalar(
            select(func.count())
            .select_from(ContactPerson)
            .where(ContactPerson.contact_id == old.id)
        )
        == 0
    )
    assert (
        session.scalar(select(func.count()).select_from(Answer).where(Answer.contact_id == old.id))
        == 0
    )
    assert session.get(Contact, recent.id).concern_description is not None
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "retention.applied")
    ).one()
    assert audit.detail["reduced"] == 1


def test_retention_runs_twice_without_doing_anything_twice(session):
    decide(session, create_contact(session), days_ago=400)
    assert apply_retention(session, retention_days=183, draft_retention_days=30).reduced == 1
    session.commit()
    assert apply_retention(session, retention_days=183, draft_retention_days=30).reduced == 0


def test_an_abandoned_draft_is_deleted_and_a_fresh_one_kept(session):
    stale = service.new_contact(session, "web")
    fresh = service.new_contact(session, "web")
    session.commit()
    session.execute(
        text("UPDATE contacts SET updated_at = :t WHERE id = :id"),
        {"t": utcnow() - timedelta(days=45), "id": stale.id},
    )
    session.commit()
    result = apply_retention(session, retention_days=183, draft_retention_days=30)
    session.commit()
    assert result.drafts_deleted == 1
    assert session.get(Contact, stale.id) is None
    assert session.get(Contact, fresh.id) is not None


def test_one_run_reduces_everything_due_however_many_batches_it_takes(session):
    for _ in range(5):
        decide(session, create_contact(session), days_ago=400)
    result = apply_retention(session, retention_days=183, draft_retention_days=30, batch=2)
    assert result.reduced == 5


def test_a_retention_period_too_short_to_be_meant_is_refused(session):
    decide(session, create_contact(session), days_ago=1)
    with pytest.raises(ValueError, match="too short"):
        apply_retention(session, retention_days=0, draft_retention_days=30)
    session.rollback()
    assert (
        session.scalar(select(func.count()).select_from(Contact).where(Contact.status == "closed"))
        == 0
    )
