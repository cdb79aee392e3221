"""Who may use each route, checked for every route in the app's URL map.

Personas: a signed-out visitor, an officer (with restricted access), an officer without
restricted access, a manager and an administrator. A route missing from the tables below fails
`test_every_route_in_the_app_has_a_permission_expectation`, so no page can be added unchecked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from channels.email.attachments import store_attachments
from channels.email.parse import RawAttachment
from intake import partner_keys
from intake.models import AuditEvent, User
from tests.review.support import (
    PERSONAS,
    Persona,
    make_user,
    outbound_message,
    person_match,
    reviewable_contact,
    sign_in,
)

VISITOR = "visitor"
STAFF = tuple(PERSONAS)
CONTACT_WORKERS = frozenset({"officer", "officer_unrestricted", "manager"})
EVERYONE_SIGNED_IN = frozenset(STAFF)
MANAGERS = frozenset({"manager"})
AUDITORS = frozenset({"manager", "admin"})
ADMINS = frozenset({"admin"})


@dataclass
class World:
    """The records the routes' URLs point at."""

    reference: str
    match_id: int
    message_id: int
    attachment_id: int
    user_id: int
    key_id: int


Path = Callable[[World], str]
Form = Callable[[World], dict[str, Any]]


def _no_form(_world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Officer:
    """Behind sign-in: the `allowed` personas may use it; everyone else is refused (403, audited)."""

    path: Path
    allowed: frozenset[str]
    form: Form = _no_form


@dataclass(frozen=True)
class SignIn:
    """Part of signing in or out: reachable by anyone, never refused."""

    path: Path
    form: Form = _no_form


@dataclass(frozen=True)
class NotOfficer:
    """Not an officer page: public, or a machine endpoint with its own authentication (tested by
    its owner). `why` says which."""

    why: str


def fixed(path: str) -> Path:
    return lambda _world: path


OFFICER_ROUTES: dict[tuple[str, str], Officer | SignIn] = {
    ("officer_auth.home", "GET"): SignIn(fixed("/officer/")),
    ("officer_auth.sign_in", "GET"): SignIn(fixed("/officer/sign-in")),
    ("officer_auth.sign_in", "POST"): SignIn(fixed("/officer/sign-in")),
    ("officer_auth.enter_code", "GET"): SignIn(fixed("/officer/sign-in/code")),
    ("officer_auth.enter_code", "POST"): SignIn(fixed("/officer/sign-in/code")),
    ("officer_auth.set_up_app", "GET"): SignIn(fixed("/officer/sign-in/set-up")),
    ("officer_auth.set_up_app", "POST"): SignIn(fixed("/officer/sign-in/set-up")),
    ("officer_auth.sign_out", "POST"): SignIn(fixed("/officer/sign-out")),
    ("officer_queue.queue", "GET"): Officer(fixed("/officer/queue"), CONTACT_WORKERS),
    ("officer_queue.drafts", "GET"): Officer(fixed("/officer/drafts"), CONTACT_WORKERS),
    ("officer_queue.failed_messages", "GET"): Officer(fixed("/officer/messages"), CONTACT_WORKERS),
    ("officer_dashboard.dashboard", "GET"): Officer(
        fixed("/officer/dashboard"), EVERYONE_SIGNED_IN
    ),
    ("officer_contact.show", "GET"): Officer(
        lambda w: f"/officer/contacts/{w.reference}", CONTACT_WORKERS
    ),
    ("officer_contact.rating", "POST"): Officer(
        lambda w: f"/officer/contacts/{w.reference}/rating",
        CONTACT_WORKERS,
        lambda w: {"rating": "amber"},
    ),
    ("officer_contact.outcome", "POST"): Officer(
        lambda w: f"/officer/contacts/{w.reference}/outcome",
        CONTACT_WORKERS,
        lambda w: {"outcome": "nfa", "note": "No concerns once checked"},
    ),
    ("officer_contact.assign", "POST"): Officer(
        lambda w: f"/officer/contacts/{w.reference}/assign", CONTACT_WORKERS
    ),
    ("officer_contact.decide_match", "POST"): Officer(
        lambda w: f"/officer/contacts/{w.reference}/matches/{w.match_id}",
        CONTACT_WORKERS,
        lambda w: {"decision": "confirm"},
    ),
    ("officer_contact.resend", "POST"): Officer(
        lambda w: f"/officer/contacts/{w.reference}/messages/{w.message_id}/resend",
        CONTACT_WORKERS,
    ),
    ("officer_contact.attachment", "GET"): Officer(
        lambda w: f"/officer/contacts/{w.reference}/attachments/{w.attachment_id}",
        CONTACT_WORKERS,
    ),
    ("officer_reports.monthly", "GET"): Officer(fixed("/officer/reports"), MANAGERS),
    ("officer_reports.monthly_csv", "GET"): Officer(
        fixed("/officer/reports/2026-11.csv"), MANAGERS
    ),
    ("officer_audit.search_log", "GET"): Officer(fixed("/officer/audit"), AUDITORS),
    ("officer_admin.users", "GET"): Officer(fixed("/officer/admin/users"), ADMINS),
    ("officer_admin.new_user", "GET"): Officer(fixed("/officer/admin/users/new"), ADMINS),
    ("officer_admin.new_user", "POST"): Officer(
        fixed("/officer/admin/users/new"),
        ADMINS,
        lambda w: {"email": "new.starter@mash.example.gov.uk", "role": "officer"},
    ),
    ("officer_admin.user", "GET"): Officer(lambda w: f"/officer/admin/users/{w.user_id}", ADMINS),
    ("officer_admin.change_user", "POST"): Officer(
        lambda w: f"/officer/admin/users/{w.user_id}",
        ADMINS,
        lambda w: {"role": "officer", "active": "yes"},
    ),
    ("officer_admin.reset_password", "POST"): Officer(
        lambda w: f"/officer/admin/users/{w.user_id}/password", ADMINS
    ),
    ("officer_admin.reset_second_factor", "POST"): Officer(
        lambda w: f"/officer/admin/users/{w.user_id}/second-factor", ADMINS
    ),
    ("officer_admin.unlock", "POST"): Officer(
        lambda w: f"/officer/admin/users/{w.user_id}/unlock", ADMINS
    ),
    ("officer_keys.keys", "GET"): Officer(fixed("/officer/admin/keys"), ADMINS),
    ("officer_keys.create_key", "POST"): Officer(
        fixed("/officer/admin/keys"), ADMINS, lambda w: {"name": "Leeds Teaching Hospitals"}
    ),
    ("officer_keys.revoke_key", "POST"): Officer(
        lambda w: f"/officer/admin/keys/{w.key_id}/revoke", ADMINS
    ),
    ("officer_templates.list_templates", "GET"): Officer(fixed("/officer/admin/templates"), ADMINS),
    ("officer_templates.edit_template", "GET"): Officer(
        fixed("/officer/admin/templates/acknowledgement.professional.email"), ADMINS
    ),
    ("officer_templates.save_template", "POST"): Officer(
        fixed("/officer/admin/templates/acknowledgement.professional.email"),
        ADMINS,
        lambda w: {"action": "preview", "subject": "Received", "body": "Ref ((reference))"},
    ),
}

NOT_OFFICER_ROUTES: dict[tuple[str, str], NotOfficer] = {
    ("static", "GET"): NotOfficer("GOV.UK Frontend's CSS, fonts and images"),
    ("web.static", "GET"): NotOfficer("the web form's script"),
    ("officer_assets.static", "GET"): NotOfficer("the dashboard's script; no data in it"),
    ("health.healthz", "GET"): NotOfficer("health check for load balancers; no personal data"),
    ("openapi.openapi", "GET"): NotOfficer("the API's public description"),
    ("api.create_referral", "POST"): NotOfficer("partner API, authenticated by API key"),
    ("api.get_referral", "GET"): NotOfficer("partner API, authenticated by API key"),
    ("web.home", "GET"): NotOfficer("public web form"),
    ("web.start", "GET"): NotOfficer("public web form"),
    ("web.carry_on", "GET"): NotOfficer("public web form"),
    ("web.question", "GET"): NotOfficer("public web form"),
    ("web.question", "POST"): NotOfficer("public web form"),
    ("web.danger", "GET"): NotOfficer("public web form"),
    ("web.check", "GET"): NotOfficer("public web form"),
    ("web.submit", "POST"): NotOfficer("public web form"),
    ("web.confirmation", "GET"): NotOfficer("public web form"),
    ("web.save", "GET"): NotOfficer("public web form"),
    ("web.resume_draft", "GET"): NotOfficer("public web form, resumed with a signed token"),
    ("sms.receive_text", "POST"): NotOfficer("Twilio webhook, authenticated by signature"),
    ("sms_status.status_callback", "POST"): NotOfficer(
        "Twilio delivery receipts, authenticated by signature"
    ),
    ("email_intake.receive", "POST"): NotOfficer("raw email intake, authenticated by API key"),
    **{
        (f"voice.{name}", "POST"): NotOfficer("Twilio voice webhook, authenticated by signature")
        for name in (
            "incoming_call",
            "answer",
            "menu",
            "check",
            "change",
            "confirm",
            "dial_ended",
            "status",
        )
    },
}


def app_routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }


def test_every_route_in_the_app_has_a_permission_expectation(app):
    expected = set(OFFICER_ROUTES) | set(NOT_OFFICER_ROUTES)
    missing = sorted(app_routes(app) - expected)
    assert not missing, (
        "These routes have no permission expectation in tests/review/test_permissions.py:\n"
        + "\n".join(f"  {endpoint} {method}" for endpoint, method in missing)
        + "\nAdd each to OFFICER_ROUTES (an officer page: who may use it) or to "
        "NOT_OFFICER_ROUTES (a public or machine endpoint: say why it needs no staff sign-in)."
    )


def test_no_expectation_is_left_for_a_route_that_has_gone(app):
    stale = sorted(set(OFFICER_ROUTES) - app_routes(app))
    assert not stale, f"OFFICER_ROUTES lists routes the app no longer has: {stale}"


def test_every_page_under_officer_is_an_officer_route_and_none_outside_is(app):
    by_endpoint = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    for endpoint, _method in OFFICER_ROUTES:
        assert by_endpoint[endpoint].startswith("/officer/")
    for endpoint, _method in NOT_OFFICER_ROUTES:
        if endpoint in by_endpoint:
            assert not by_endpoint[endpoint].startswith("/officer"), endpoint


@pytest.fixture
def world(session, staff, app) -> World:
    contact = reviewable_contact(session)
    match = person_match(session, contact)
    message = outbound_message(session, contact)
    [attachment] = store_attachments(
        session,
        app.extensions["frontdoor.settings"],
        contact,
        [RawAttachment("notes.txt", "text/plain", b"Notes from the class teacher.")],
    ).stored
    target = make_user(session, Persona("colleague", "officer", restricted=False))
    key, _secret = partner_keys.create(session, "North Yorkshire Police")
    session.commit()
    return World(
        reference=contact.reference,
        match_id=match.id,
        message_id=message.id,
        attachment_id=attachment.id,
        user_id=target.id,
        key_id=key.id,
    )


def _refusals(session, user: User) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEvent).where(
                AuditEvent.user_id == user.id, AuditEvent.action == "access_refused"
            )
        )
    )


@pytest.mark.parametrize(("endpoint", "method"), sorted(OFFICER_ROUTES))
def test_each_officer_route_lets_in_only_the_personas_it_should(
    endpoint, method, app, staff, world, session
):
    expectation = OFFICER_ROUTES[(endpoint, method)]
    path = expectation.path(world)
    data = expectation.form(world)

    def call(client):
        if method == "GET":
            return client.get(path)
        return client.post(path, data=data)

    visitor = call(app.test_client())
    if isinstance(expectation, SignIn):
        assert visitor.status_code in (200, 302, 400), visitor.status_code
    else:
        assert visitor.status_code == 302, f"a visitor reached {method} {path}"
        assert "/officer/sign-in" in visitor.headers["Location"]

    for name in STAFF:
        client = app.test_client()
        sign_in(client, staff[name])
        before = len(_refusals(session, staff[name]))
        response = call(client)
        location = response.headers.get("Location", "")
        where = f"{name} {method} {path}"
        if isinstance(expectation, SignIn):
            assert response.status_code in (200, 302), where
        elif name in expectation.allowed:
            assert response.status_code not in (401, 403, 404, 405, 500), where
            assert "/officer/sign-in" not in location, where
            if method == "GET":
                assert response.status_code == 200, where
        else:
            assert response.status_code == 403, f"{where} was not refused"
            assert len(_refusals(session, staff[name])) == before + 1, f"{where}: not audited"
