"""The JSON API for partner systems: `POST /api/v1/referrals`, `GET /api/v1/referrals/<ref>`."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forms.api_payload import read_payload
from forms.flow import FlowState
from intake import extensions, partner_keys, service
from intake.models import Contact, PartnerKey
from intake.models.records import MatchStatus, PersonMatch
from intake.openapi import openapi_document
from intake.review.vocabulary import RESTRICTED_REASON, rests_only_on_restricted

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_BODY = 256 * 1024
# A clash of random references is one in billions; two in a row means something else is wrong.
REFERENCE_ATTEMPTS = 3


def _error(status: int, message: str, errors: dict[str, str] | None = None) -> tuple[Response, int]:
    body: dict[str, Any] = {"message": message}
    if errors is not None:
        body["errors"] = errors
    return jsonify(body), status


def _authenticate() -> PartnerKey | None:
    return partner_keys.authenticate(extensions.session(), request.headers.get("Authorization"))


def _unauthorised() -> tuple[Response, int]:
    response, status = _error(401, "A valid partner API key is needed: Authorization: Bearer <key>")
    response.headers["WWW-Authenticate"] = 'Bearer realm="frontdoor"'
    return response, status


@bp.post("/referrals")
def create_referral() -> tuple[Response, int]:
    key = _authenticate()
    if key is None:
        return _unauthorised()
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _error(413, f"The request body must be {MAX_BODY // 1024} KB or smaller")
    if not request.is_json:
        return _error(415, "Send the referral as JSON with Content-Type: application/json")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY:
        return _error(413, f"The request body must be {MAX_BODY // 1024} KB or smaller")
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nesting deep enough to recurse
        return _error(400, "The body is not valid JSON")

    idempotency_key = request.headers.get("Idempotency-Key")
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 128:
        return _error(400, "Idempotency-Key must be 1 to 128 characters")
    fingerprint = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    session = extensions.session()
    if idempotency_key:
        replay = _replay(key, idempotency_key, fingerprint)
        if replay is not None:
            return replay

    result = read_payload(payload)
    if result.errors:
        return _error(422, "The referral has errors; see errors for each field", result.errors)

    for attempt in range(1, REFERENCE_ATTEMPTS + 1):
        try:
            # The contact is flushed part way (the acknowledgement needs its id), so a clash can
            # surface before the commit as well as at it.
            contact = _add_submitted(key, result.state, idempotency_key, fingerprint)
            session.commit()
            break
        except IntegrityError as exc:
            session.rollback()
            if idempotency_key:
                # The same Idempotency-Key arrived twice at once; the other request won.
                replay = _replay(key, idempotency_key, fingerprint)
                if replay is not None:
                    return replay
            if not service.is_reference_clash(exc) or attempt == REFERENCE_ATTEMPTS:
                raise
            log.info("new reference clashed with an existing one; drawing another")
    response = jsonify(_created_body(contact))
    response.headers["Location"] = f"/api/v1/referrals/{contact.reference}"
    return response, 201


def _add_submitted(
    key: PartnerKey, state: FlowState, idempotency_key: str | None, fingerprint: str
) -> Contact:
    """The partner's referral, drafted and submitted at once: inserted once, complete."""
    session = extensions.session()
    contact = service.new_contact(session, "api", origin_address=f"partner:{key.name}", flush=False)
    contact.partner_key_id = key.id
    contact.idempotency_key = idempotency_key
    contact.request_fingerprint = fingerprint
    service.submit(session, contact, state)
    service.record_answers(
        session,
        contact,
        [(answer_key, None, value) for answer_key, value in state.answers.items()],
        "api",
        source="api",
    )
    return contact


def _created_body(contact: Contact) -> dict[str, Any]:
    return {"reference": contact.reference, "status": contact.status}


def _replay(key: PartnerKey, idempotency_key: str, fingerprint: str) -> tuple[Response, int] | None:
    existing = extensions.session().scalar(
        select(Contact).where(
            Contact.partner_key_id == key.id, Contact.idempotency_key == idempotency_key
        )
    )
    if existing is None:
        return None
    if existing.request_fingerprint != fingerprint:
        return _error(422, "This Idempotency-Key was already used with a different referral")
    response = jsonify(_created_body(existing))
    response.headers["Location"] = f"/api/v1/referrals/{existing.reference}"
    response.headers["Idempotent-Replayed"] = "true"
    return response, 201


@bp.get("/referrals/<reference>")
def get_referral(reference: str) -> tuple[Response, int]:
    key = _authenticate()
    if key is None:
        return _unauthorised()
    contact = service.find_by_reference(extensions.session(), reference.upper())
    # Partners only see what they sent: another partner's reference is simply not found.
    if contact is None or contact.partner_key_id != key.id:
        return _error(404, "No referral with that reference was sent with this key")
    return jsonify(referral_view(contact, internal="review" in (key.scopes or []))), 200


def referral_view(contact: Contact, *, internal: bool = False) -> dict[str, Any]:
    """What a partner may read back: progress and the rating.

    Matches and earlier contacts are MASH information: only the hub's own systems (keys with
    the `review` scope) see them, never the referring organisation.
    """
    rating: dict[str, Any] | None = None
    if contact.provisional_rating:
        rating = {
            "provisional": contact.provisional_rating,
            "final": contact.final_rating,
            "reasons": reasons_view(contact.rating_reasons or [], internal=internal),
            "rules_version": contact.rating_rules_version,
            "deadline": contact.deadline.isoformat() if contact.deadline else None,
        }
    view: dict[str, Any] = {
        "reference": contact.reference,
        "status": contact.status,
        "submitted_at": contact.submitted_at.isoformat() if contact.submitted_at else None,
        "processed_at": contact.processed_at.isoformat() if contact.processed_at else None,
        "categories": contact.categories,
        "risk_indicators": contact.risk_indicators,
        "rating": rating,
        "outcome": contact.outcome,
        "children": len(contact.children),
    }
    if internal:
        view["history"] = contact.history
        view["matches"] = contact_matches(contact)
    return view


def reasons_view(reasons: list[dict[str, Any]], *, internal: bool) -> list[dict[str, Any]]:
    """The rating's reasons as a caller may read them.

    A partner sees only the reasons drawn from its own referral: a reason resting on the hub's
    records (a child protection plan, a looked-after child, an open case) or on earlier contacts
    is MASH information and is left out. The hub's own systems see every reason, but a restricted
    record in the evidence shows only that it exists, as in the matches.
    """
    shown: list[dict[str, Any]] = []
    for reason in reasons:
        evidence = reason.get("evidence") or {}
        if not internal:
            if evidence.get("records") or evidence.get("repeat_contacts") is not None:
                continue
            shown.append(reason)
            continue
        cited = evidence.get("records") or []
        records = [
            {"child_ref": r.get("child_ref"), "restricted": True} if r.get("restricted") else r
            for r in cited
        ]
        view = {**reason, "evidence": {**evidence, "records": records}}
        if rests_only_on_restricted(evidence):
            # The rule's own words and name would say what the record holds, as on the desk.
            view.update(rule_id="restricted_record", description=RESTRICTED_REASON)
        shown.append(view)
    return shown


def contact_matches(contact: Contact) -> list[dict[str, Any]]:
    """Proposed and confirmed person matches for each person on the contact.

    A restricted record shows only that it exists and how strongly it matched.
    """
    people = {p.id: p for p in contact.people}
    if not people:
        return []
    rows = extensions.session().scalars(
        select(PersonMatch)
        .where(
            PersonMatch.contact_person_id.in_(people), PersonMatch.status != MatchStatus.REJECTED
        )
        .order_by(PersonMatch.contact_person_id, PersonMatch.probability.desc())
    )
    matches: list[dict[str, Any]] = []
    for match in rows:
        record = match.person_record
        view: dict[str, Any] = {
            "person": people[match.contact_person_id].kind,
            "position": people[match.contact_person_id].position,
            "probability": match.probability,
            "band": match.band,
            "status": match.status,
            "restricted": record.restricted,
        }
        if not record.restricted:
            view.update(
                source=record.source, record_id=record.record_id, agreements=match.agreements
            )
        matches.append(view)
    return matches


openapi_bp = Blueprint("openapi", __name__)


@openapi_bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())
