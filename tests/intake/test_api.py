import json

import pytest
from rq import Queue
from sqlalchemy import func, select

from intake import extensions, partner_keys
from intake.api import REFERENCE_ATTEMPTS
from intake.models import Answer, Contact, OutboundMessage, OutboxJob
from intake.references import new_reference
from tests.builders import referral_payload
from workers import queues


@pytest.fixture
def api_key(db):
    with db.transaction() as s:
        _row, key = partner_keys.create(s, "west-yorkshire-police")
    return key


@pytest.fixture
def auth(api_key):
    return {"Authorization": f"Bearer {api_key}"}


@pytest.mark.parametrize("backend", ["postgres", "embedded"], indirect=True)
def test_a_valid_referral_is_stored_acknowledged_with_a_reference_and_queued(
    app, client, auth, session
):
    response = client.post("/api/v1/referrals", json=referral_payload(), headers=auth)
    assert response.status_code == 201
    reference = response.json["reference"]
    assert response.headers["Location"].endswith(reference)
    contact = session.scalar(select(Contact).where(Contact.reference == reference))
    assert contact.status == "submitted" and contact.channel == "api"
    assert [c.given_name for c in contact.children] == ["Jordan"]
    assert contact.household[0].relationship_to_child == "mother"
    assert contact.consent_reason == "risk_of_harm"
    assert (
        session.scalar(
            select(func.count()).select_from(Answer).where(Answer.contact_id == contact.id)
        )
        > 10
    )
    outbox = session.scalars(select(OutboxJob).where(OutboxJob.kind == "process_contact")).all()
    assert [o.subject_id for o in outbox] == [contact.id]
    [acknowledgement] = session.scalars(select(OutboundMessage)).all()
    assert acknowledgement.purpose == "acknowledgement"
    assert acknowledgement.contact_id == contact.id, "officers find it on the contact's page"
    with app.app_context():
        queued = Queue(queues.CONTACTS, connection=extensions.redis()).job_ids
    assert queued == [outbox[0].job_id], "queued straight after the commit, by id"


def test_the_referral_can_be_read_back_by_the_partner_that_sent_it(client, auth, db):
    reference = client.post("/api/v1/referrals", json=referral_payload(), headers=auth).json[
        "reference"
    ]
    body = client.get(f"/api/v1/referrals/{reference}", headers=auth).json
    assert body["reference"] == reference and body["status"] == "submitted"
    assert body["categories"] == [] and body["rating"] is None
    with db.transaction() as s:
        _row, other = partner_keys.create(s, "another-partner")
    assert (
        client.get(
            f"/api/v1/referrals/{reference}", headers={"Authorization": f"Bearer {other}"}
        ).status_code
        == 404
    )


def test_no_key_or_a_revoked_key_is_refused(client, api_key, db):
    assert client.post("/api/v1/referrals", json=referral_payload()).status_code == 401
    assert (
        client.post(
            "/api/v1/referrals",
            json=referral_payload(),
            headers={"Authorization": "Bearer fdk_nothing_here"},
        ).status_code
        == 401
    )
    with db.transaction() as s:
        partner_keys.revoke(s, "west-yorkshire-police")
    response = client.post(
        "/api/v1/referrals", json=referral_payload(), headers={"Authorization": f"Bearer {api_key}"}
    )
    assert response.status_code == 401


def test_a_retry_with_the_same_idempotency_key_returns_the_first_reference(client, auth, session):
    headers = {**auth, "Idempotency-Key": "police-notification-881"}
    first = client.post("/api/v1/referrals", json=referral_payload(), headers=headers)
    second = client.post("/api/v1/referrals", json=referral_payload(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json["reference"] == second.json["reference"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.headers["Location"] == first.headers["Location"]
    assert session.scalar(select(func.count()).select_from(Contact)) == 1
    changed = client.post(
        "/api/v1/referrals", json=referral_payload(other_agencies="CAMHS"), headers=headers
    )
    assert changed.status_code == 422


@pytest.mark.parametrize("backend", ["postgres", "embedded"], indirect=True)
def test_a_reference_already_in_use_is_drawn_again(client, auth, session, monkeypatch):
    taken = client.post("/api/v1/referrals", json=referral_payload(), headers=auth).json[
        "reference"
    ]
    fresh = new_reference()
    drawn = iter([taken, taken, fresh])
    monkeypatch.setattr("intake.service.new_reference", lambda: next(drawn))
    response = client.post("/api/v1/referrals", json=referral_payload(), headers=auth)
    assert response.status_code == 201
    assert response.json["reference"] == fresh
    references = session.scalars(select(Contact.reference).order_by(Contact.id)).all()
    assert references == [taken, fresh], "the clash left no half-written contact behind"
    outbox = session.scalars(
        select(OutboxJob.subject_id).where(OutboxJob.kind == "process_contact")
    )
    assert sorted(outbox) == sorted(session.scalars(select(Contact.id))), "one job per contact"


def test_a_reference_that_keeps_clashing_is_a_server_fault_not_a_loop(
    client, auth, session, monkeypatch
):
    taken = client.post("/api/v1/referrals", json=referral_payload(), headers=auth).json[
        "reference"
    ]
    draws = []
    monkeypatch.setattr("intake.service.new_reference", lambda: draws.append(taken) or taken)
    response = client.post("/api/v1/referrals", json=referral_payload(), headers=auth)
    assert response.status_code == 500
    assert len(draws) == REFERENCE_ATTEMPTS
    assert session.scalar(select(func.count()).select_from(Contact)) == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (referral_payload(immediate_danger="no"), "immediate_danger"),
        (referral_payload(children=[]), "children"),
        (referral_payload(children="Jordan"), "children"),
        (referral_payload(children=[{"given_name": 7}]), "children[0].given_name"),
        (referral_payload(children=[{"date_of_birth": "2031-01-01"}]), "children[0].date_of_birth"),
        (referral_payload(children=[{"date_of_birth": "1990-01-01"}]), "children[0].date_of_birth"),
        (referral_payload(children=[{"age": 30}]), "children[0].age"),
        (referral_payload(children=[{"age": "seven"}]), "children[0].age"),
        (referral_payload(children=[{"postcode": "NOT A POSTCODE"}]), "children[0].postcode"),
        (referral_payload(children=[{"age": 3, "date_of_birth": "2020-01-01"}]), "children[0]"),
        (referral_payload(consent={"answer": "no"}), "consent.reason"),
        (referral_payload(consent={"answer": "maybe"}), "consent.answer"),
        (referral_payload(consent=None), "consent.answer"),
        (referral_payload(concern={"description": ""}), "concern.description"),
        (referral_payload(concern={"description": "x" * 20001}), "concern.description"),
        (referral_payload(referrer={"source": "2A"}), "referrer.name"),
        (referral_payload(referrer={"source": "ZZ"}), "referrer.source"),
        (
            referral_payload(referrer={**referral_payload()["referrer"], "email": "not-an-email"}),
            "referrer.email",
        ),
        (
            referral_payload(referrer={**referral_payload()["referrer"], "phone": "12"}),
            "referrer.phone",
        ),
        (
            referral_payload(
                referrer={
                    **referral_payload()["referrer"],
                    "phone": "0113 496 0123",  # a landline
                    "feedback_by": "sms",
                }
            ),
            "referrer.feedback_by",
        ),
        (referral_payload(children=[{}]), "children[0]"),
        (referral_payload(consent={"answer": "no", "reason_code": "other"}), "consent.reason"),
        (
            referral_payload(referrer={**referral_payload()["referrer"], "anonymous": True}),
            "referrer.anonymous",
        ),
        (referral_payload(children=[{"given_name": None, "gender": "male"}]), "children[0]"),
        (referral_payload(unexpected_field=1), "unexpected_field"),
        (
            referral_payload(referrer={**referral_payload()["referrer"], "shoe_size": 9}),
            "referrer.shoe_size",
        ),
    ],
)
def test_bad_input_gets_422_with_an_error_for_the_field(client, auth, payload, field):
    response = client.post("/api/v1/referrals", json=payload, headers=auth)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"], response.json["errors"]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2, 3]", "application/json", 422),
        ("null", "application/json", 422),
        ('"a string"', "application/json", 422),
        ("immediate_danger=false", "application/x-www-form-urlencoded", 415),
        (b"\xff\xfe\x00garbage", "application/json", 400),
        ("[" * 5000 + "]" * 5000, "application/json", 400),
        (json.dumps({"concern": {"description": "x" * 300_000}}), "application/json", 413),
    ],
)
def test_malformed_bodies_get_a_4xx_never_a_500(client, auth, body, content_type, status):
    response = client.post(
        "/api/v1/referrals", data=body, headers={**auth, "Content-Type": content_type}
    )
    assert response.status_code == status
    assert "message" in response.json


def test_the_openapi_document_describes_both_endpoints(client):
    doc = client.get("/openapi.json").json
    assert set(doc["paths"]) == {"/api/v1/referrals", "/api/v1/referrals/{reference}"}
    assert doc["components"]["schemas"]["Referral"]["required"][0] == "immediate_danger"
    # Every status the endpoint can answer a well-formed request with is described.
    post = doc["paths"]["/api/v1/referrals"]["post"]["responses"]
    assert {"201", "400", "401", "413", "415", "422", "429", "503"} <= set(post)
