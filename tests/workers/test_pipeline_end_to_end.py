"""A referral through the API, processed by a real RQ worker, read back with its rating."""

import logging
from datetime import datetime

import pytest
from sqlalchemy import select

from intake import partner_keys
from intake.models import Contact, ContactEvent, OutboxJob
from tests.builders import referral_payload
from workers.context import get_context
from workers.runner import run_worker

CHILD_DETAILS = (
    "Jordan",
    "Smith",
    "2015-04-03",
    "03/04/2015",
    "07700",
    "900123",
    "LS1 4AP",
    "High Street",
    "Kelly",
)


@pytest.fixture
def hub_key(db):
    with db.transaction() as s:
        row, key = partner_keys.create(s, "hub-case-system")
        row.scopes = [*row.scopes, "review"]
    return key


@pytest.mark.parametrize("backend", ["postgres", "embedded"], indirect=True)
def test_a_submitted_referral_is_processed_to_categories_and_a_rating_with_reasons_and_deadline(
    client, db, app, hub_key, caplog
):
    caplog.set_level(logging.DEBUG)
    headers = {"Authorization": f"Bearer {hub_key}"}
    payload = referral_payload(
        concern={
            "description": "Mum's new partner grabbed him by the throat last night and he is scared to go home. "
            "No concerns about school attendance.",
            "when": "last night",
            "how_known": "told_by_child",
        }
    )
    reference = client.post("/api/v1/referrals", json=payload, headers=headers).json["reference"]

    from intake import extensions

    with app.app_context():
        connection = extensions.redis()
    run_worker(get_context(), connection, burst=True, fork=False, with_relay=False)

    body = client.get(f"/api/v1/referrals/{reference}", headers=headers).json
    assert body["status"] == "awaiting_review"
    assert {"domestic_abuse", "physical_abuse"} <= set(body["categories"])
    assert "strangulation" in body["risk_indicators"]
    assert body["rating"]["provisional"] == "red"
    assert body["rating"]["reasons"], "a rating must say why"
    assert datetime.fromisoformat(body["rating"]["deadline"]) > datetime.fromisoformat(
        body["submitted_at"]
    )
    with db.session() as s:
        contact = s.scalar(select(Contact).where(Contact.reference == reference))
        steps = [
            e.step
            for e in s.scalars(select(ContactEvent).where(ContactEvent.contact_id == contact.id))
        ]
        assert (
            steps.index("submitted") < steps.index("processing_started") < steps.index("processed")
        )
        assert (
            s.scalar(select(OutboxJob.completed_at).where(OutboxJob.kind == "process_contact"))
            is not None
        )

    logged = "\n".join(r.getMessage() for r in caplog.records)
    for detail in CHILD_DETAILS:
        assert detail not in logged, f"personal data in the logs: {detail}"


def test_rating_reasons_for_partners_hide_matched_records_but_the_hub_sees_them(
    client, db, hub_key
):
    with db.transaction() as s:
        _row, partner = partner_keys.create(s, "school-mis")
    reference = client.post(
        "/api/v1/referrals", json=referral_payload(), headers={"Authorization": f"Bearer {partner}"}
    ).json["reference"]
    relay_and_process(db)
    partner_view = client.get(
        f"/api/v1/referrals/{reference}", headers={"Authorization": f"Bearer {partner}"}
    ).json
    assert "matches" not in partner_view and "history" not in partner_view
    assert partner_view["rating"]["provisional"] in {"red", "amber", "green", "blue"}


def relay_and_process(db):
    from workers.pipeline import process_contact

    with db.session() as s:
        ids = [
            row.subject_id
            for row in s.scalars(select(OutboxJob).where(OutboxJob.kind == "process_contact"))
        ]
    for contact_id in ids:
        process_contact(contact_id)
