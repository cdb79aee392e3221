"""PostgreSQL connections dropped mid-request: nobody sees a 500, nothing is lost or done twice.

The service's backends are terminated with `pg_terminate_backend` from a connection of the
test's own, as a database failover, a restart or an idle-connection reaper would. A request
whose transaction loses its connection must answer a kind 503 with Retry-After, having saved
nothing, so sending it again is safe; a job that loses its connection is retried by RQ.

The first tests drop one connection at a moment chosen with a lock, so each path is shown to
fail kindly every time. The last one submits through every channel while every backend is
terminated over and over, with the real worker processing and sending, and checks the end state.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq.job import Job
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from channels.sms.webhook import SORRY
from intake import partner_keys
from intake.db import Database
from intake.models import Contact, ContactEvent, OutboundMessage, OutboxJob
from intake.references import REFERENCE_PATTERN
from tests.builders import create_contact, referral_payload
from tests.channels.email.mail import COMPLETE_SCHOOL_REFERRAL, INTAKE, plain_email
from tests.channels.sms.test_sms_referrals import TEACHER_MESSAGE, TEACHER_REPLIES
from tests.channels.twilio_signed import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    BASE_URL,
    SERVICE_NUMBER,
    TwilioWebhooks,
    messages_of,
    twilio_settings,
)
from tests.channels.web.referrer import CHECK, FIRST, PROFESSIONAL, as_form, key_of
from tests.fake_twilio import FakeTwilio
from tests.faults.support import (
    admin_connection,
    backends_waiting_on_a_lock,
    kill_backends,
    start_worker,
    stop_worker,
    wait_for_worker,
    wait_until,
)
from tests.feedback_support import FAMILY, submit
from tests.smtp_relay import SmtpRelay
from workers import relay
from workers.feedback import send_message

MAIL_FROM = "mash-frontdoor@frontdoor.test"
# Generous: a loaded two-core CI machine runs the worker, the app and PostgreSQL together.
WORKER_START_TIMEOUT = 120
PROCESSED_TIMEOUT = 300
# How many times a client sends the same request again after a 503 before the test gives up.
MAX_TRIES = 60


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def mail_relay() -> Iterator[SmtpRelay]:
    smtp = SmtpRelay().start()
    yield smtp
    smtp.stop()


@pytest.fixture
def settings_overrides(
    settings_overrides: dict[str, Any], twilio: FakeTwilio, mail_relay: SmtpRelay
) -> dict[str, Any]:
    return {
        **settings_overrides,
        **twilio_settings(),
        "twilio_api_base": twilio.url,
        "smtp_host": "127.0.0.1",
        "smtp_port": mail_relay.port,
        "mail_from": MAIL_FROM,
        "intake_addresses": (INTAKE,),
        "duty_phone_number": "+441134960999",
        # A whole web referral is about forty requests from one address.
        "rate_limits_enabled": False,
        "WTF_CSRF_ENABLED": False,
    }


@pytest.fixture
def partner_key(db: Database) -> str:
    with db.transaction() as session:
        # The one key posts by the API and, as the council's mail gateway would, raw email.
        _row, key = partner_keys.create(
            session, "children's social care system", ("referrals", "email")
        )
    return key


def worker_transport_env(settings_overrides: dict[str, Any]) -> dict[str, str]:
    """The worker sends to the same fake Twilio and local mail relay as the test reads."""
    return {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": SERVICE_NUMBER,
        "TWILIO_API_BASE": settings_overrides["twilio_api_base"],
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(settings_overrides["smtp_port"]),
        "FRONTDOOR_MAIL_FROM": MAIL_FROM,
        "FRONTDOOR_BASE_URL": BASE_URL,
        "FRONTDOOR_DUTY_PHONE": settings_overrides["duty_phone_number"],
    }


def api_post(client: FlaskClient, key: str, payload: dict[str, Any], idempotency_key: str):
    return client.post(
        "/api/v1/referrals",
        json=payload,
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idempotency_key},
    )


def count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def drop_connection_while(
    database_url: str, locked_statement: str, request: Callable[[], TestResponse]
) -> TestResponse:
    """Run `request` until it waits on `locked_statement`'s lock, then kill every backend.

    The lock stops the request part way through its transaction, so the connection is dropped
    after it has written and before it commits, every time.
    """
    responses: list[TestResponse] = []
    with admin_connection(database_url, autocommit=False) as admin:
        admin.execute(locked_statement)
        thread = threading.Thread(target=lambda: responses.append(request()))
        thread.start()
        wait_until(lambda: backends_waiting_on_a_lock(admin), 30, "the request to reach the lock")
        assert kill_backends(admin) >= 1
        admin.rollback()
    thread.join(timeout=60)
    assert responses, "the request never answered"
    return responses[0]


def assert_kind_503(response: TestResponse) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1


def test_an_api_submission_that_loses_its_connection_gets_503_and_its_retry_makes_one_referral(
    app: Flask, client: FlaskClient, db: Database, partner_key: str, settings_overrides
):
    idempotency_key = str(uuid.uuid4())
    payload = referral_payload()

    # Outbox rows are written last, after the contact and its answers: stop the request there.
    dropped = drop_connection_while(
        settings_overrides["database_url"],
        "LOCK TABLE outbox_jobs IN SHARE MODE",
        lambda: api_post(app.test_client(), partner_key, payload, idempotency_key),
    )

    assert_kind_503(dropped)
    assert "try again" in dropped.json["message"]
    with db.session() as s:
        assert count(s, Contact) == 0, "a dropped transaction must leave nothing behind"

    created = api_post(client, partner_key, payload, idempotency_key)
    replayed = api_post(client, partner_key, payload, idempotency_key)
    assert created.status_code == 201 and replayed.status_code == 201
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json["reference"] == created.json["reference"]
    with db.session() as s:
        [contact] = s.scalars(select(Contact)).all()
        assert contact.reference == created.json["reference"] and contact.status == "submitted"
        assert count(s, OutboxJob, OutboxJob.kind == "process_contact") == 1


def test_a_person_whose_connection_drops_as_they_send_the_form_sees_a_kind_page_and_can_send_again(
    client: FlaskClient, db: Database, settings_overrides
):
    location = FIRST
    while location.startswith("/refer/q/"):
        response = client.post(location, data=as_form(PROFESSIONAL[key_of(location)]))
        assert response.status_code == 302
        location = response.location
    assert location.startswith(CHECK)

    dropped = drop_connection_while(
        settings_overrides["database_url"],
        "LOCK TABLE outbox_jobs IN SHARE MODE",
        lambda: client.post(CHECK),
    )

    assert_kind_503(dropped)
    assert dropped.mimetype == "text/html"
    assert "Sorry, there is a problem with the service" in dropped.text
    assert "call 999" in dropped.text
    with db.session() as s:
        [draft] = s.scalars(select(Contact)).all()
        assert draft.status == "draft" and draft.submitted_at is None

    again = client.post(CHECK)
    assert (again.status_code, again.location) == (302, "/refer/confirmation")
    reference = REFERENCE_PATTERN.search(client.get("/refer/confirmation").text).group()
    with db.session() as s:
        [contact] = s.scalars(select(Contact)).all()
        assert (contact.reference, contact.status) == (reference, "submitted")


def test_a_session_whose_connection_dropped_after_its_last_query_closes_without_an_error(
    db: Database, settings_overrides
):
    # As a request's session is closed after its response is made: raising then would turn a
    # finished request, perhaps a committed referral, into an error.
    session = db.session()
    assert count(session, Contact) == 0  # a transaction is open on a pooled connection
    with admin_connection(settings_overrides["database_url"]) as admin:
        assert kill_backends(admin) >= 1

    session.close()

    with db.session() as s:
        assert count(s, Contact) == 0, "the pool replaced the dropped connection"


def test_a_message_whose_connection_drops_just_after_it_was_handed_over_is_recorded_and_sent_once(
    db: Database, twilio: FakeTwilio, settings_overrides
):
    with db.session() as s:
        contact = submit(s, FAMILY)  # acknowledged by text
        [message] = s.scalars(
            select(OutboundMessage).where(OutboundMessage.contact_id == contact.id)
        ).all()
        message_id = message.id

    outcomes: list[str | BaseException] = []

    def run_job() -> None:
        try:
            outcomes.append(send_message(message_id))
        except Exception as exc:  # what RQ would see, and retry
            outcomes.append(exc)

    # Recording the hand-over marks the job's outbox row done: hold that row, so the job waits
    # there with the message already at Twilio, and drop its connection.
    with admin_connection(settings_overrides["database_url"], autocommit=False) as admin:
        admin.execute(
            "SELECT id FROM outbox_jobs WHERE kind = 'send_message' AND subject_id = %s FOR UPDATE",
            (message_id,),
        )
        job = threading.Thread(target=run_job)
        job.start()
        wait_until(lambda: backends_waiting_on_a_lock(admin), 30, "the job to record the send")
        assert len(twilio.requests) == 1
        assert kill_backends(admin) >= 1
        admin.rollback()
    job.join(timeout=60)
    if isinstance(outcomes[0], Exception):
        run_job()  # RQ's retry of the failed job

    assert len(twilio.requests) == 1, "handed over once"
    assert outcomes[-1] in ("handed over", "already queued"), outcomes
    with db.session() as s:
        recorded = s.get(OutboundMessage, message_id)
        # Left claimed but unrecorded, it would be taken over and sent again once the claim
        # timed out: a referrer told twice.
        assert recorded.provider_id is not None and recorded.status == "queued"


@pytest.mark.slow
def test_a_job_that_loses_its_connection_is_retried_and_rates_the_contact_once(
    db: Database, settings_overrides, private_redis, tmp_path: Path
):
    connection = Redis.from_url(private_redis.url)
    with db.session() as s:
        contact = create_contact(s)
        row = s.scalar(select(OutboxJob).where(OutboxJob.kind == "process_contact"))
        relay.enqueue(connection, row)
        job_id = row.job_id

    worker = start_worker(settings_overrides, tmp_path / "worker.log")
    try:
        # The job claims the contact with a row lock: hold it so the job waits mid-transaction.
        dropped_once = False
        with admin_connection(settings_overrides["database_url"], autocommit=False) as admin:
            admin.execute("SELECT id FROM contacts WHERE id = %s FOR UPDATE", (contact.id,))
            wait_until(
                lambda: backends_waiting_on_a_lock(admin),
                WORKER_START_TIMEOUT,
                "the job to wait for the contact",
            )
            dropped_once = kill_backends(admin) >= 1
            admin.rollback()
        assert dropped_once

        def rated() -> bool:
            with db.session() as s:
                return s.get(Contact, contact.id).status == "awaiting_review"

        wait_until(rated, PROCESSED_TIMEOUT, "the retried job to rate the contact", every=0.5)
    finally:
        stop_worker(worker)

    job = Job.fetch(job_id, connection=connection)
    assert job.retries_left == len(relay.RETRY_INTERVALS) - 1, "RQ retried the failed job once"
    with db.session() as s:
        processed = s.get(Contact, contact.id)
        assert processed.provisional_rating is not None and processed.rated_at is not None
        steps = s.scalars(
            select(ContactEvent.step).where(ContactEvent.contact_id == contact.id)
        ).all()
        assert steps.count("processing_started") == 1 and steps.count("processed") == 1
        assert steps.count("rated") == 1


# --- every channel at once, every backend terminated over and over --------------------------

KILL_EVERY = 0.3  # seconds between rounds of terminating every backend
MIN_CHAOS = 15.0  # seconds of killing, at least, so the worker is caught mid-job too
# At most: a job that failed twice waits 30 s for its third try, which then comes after this.
MAX_CHAOS = 30.0
API_CLIENTS, API_REFERRALS_EACH = 2, 8
WEB_REFERRALS = 2
SMS_PHONES = ("+447700900301", "+447700900302")
EMAILS = 3


@dataclass
class Seen:
    """Every answer the clients got, and every referral that was acknowledged to them."""

    statuses: list[tuple[str, int, str | None]] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)  # reference -> channel
    errors: list[BaseException] = field(default_factory=list)

    def answer(self, path: str, response: TestResponse) -> TestResponse:
        self.statuses.append((path, response.status_code, response.headers.get("Retry-After")))
        return response

    def ack(self, reference: str, channel: str) -> None:
        assert reference not in self.acknowledged, f"{reference} acknowledged twice"
        self.acknowledged[reference] = channel


def until_served(seen: Seen, path: str, send: Callable[[], TestResponse]) -> TestResponse:
    """Send the same request again while it answers 503, as a careful client would."""
    for _ in range(MAX_TRIES):
        response = seen.answer(path, send())
        if response.status_code != 503:
            return response
        time.sleep(0.05)
    raise AssertionError(f"{path} answered 503 {MAX_TRIES} times")


class Killer(threading.Thread):
    """Terminates every backend of the service's database every `every` seconds, until stopped
    or `longest` seconds have gone."""

    def __init__(self, database_url: str, every: float, longest: float) -> None:
        super().__init__(daemon=True, name="backend-killer")
        self.database_url = database_url
        self.every = every
        self.longest = longest
        self.stopping = threading.Event()
        self.rounds = 0
        self.terminated = 0
        self.seconds = 0.0

    def run(self) -> None:
        started = time.monotonic()
        with admin_connection(self.database_url) as admin:
            while not self.stopping.wait(self.every) and self.seconds < self.longest:
                self.terminated += kill_backends(admin)
                self.rounds += 1
                self.seconds = time.monotonic() - started


def api_referrals(app: Flask, key: str, seen: Seen, client_number: int) -> None:
    client = app.test_client()
    for n in range(API_REFERRALS_EACH):
        by_text = n % 2 == 1
        payload = referral_payload()
        payload["referrer"] = {
            **payload["referrer"],
            "phone": f"07700 900{100 + 20 * client_number + n:03d}",
            "email": f"dsl{client_number}.{n}@riverside.example.org",
            "feedback_by": "sms" if by_text else "email",
        }
        # One key per referral, sent again unchanged after a 503: the retry cannot duplicate it.
        idempotency_key = str(uuid.uuid4())
        response = until_served(
            seen, "/api/v1/referrals", lambda: api_post(client, key, payload, idempotency_key)
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        seen.ack(response.json["reference"], "api")


def web_referrals(app: Flask, seen: Seen) -> None:
    for n in range(WEB_REFERRALS):
        client = app.test_client()  # one browser each
        answers = {**PROFESSIONAL, "referrer_email": f"web{n}@riverside.example.org"}
        location = FIRST
        while location.startswith("/refer/q/"):
            data = as_form(answers[key_of(location)])
            here = location
            response = until_served(seen, "/refer/q", lambda: client.post(here, data=data))
            assert response.status_code == 302, f"{here}: {response.status_code}"
            location = response.location
        assert location.startswith(CHECK), location
        sent = until_served(seen, CHECK, lambda: client.post(CHECK))
        assert (sent.status_code, sent.location) == (302, "/refer/confirmation")
        page = until_served(seen, "/refer/confirmation", lambda: client.get("/refer/confirmation"))
        seen.ack(REFERENCE_PATTERN.search(page.text).group(), "web")


class Texter:
    """A referrer's phone. A 503 is retried with the same MessageSid, as Twilio retries a
    webhook; after "sorry, send it again" the referrer sends the text again, a new message."""

    def __init__(self, app: Flask, number: str, seen: Seen) -> None:
        self.webhooks = TwilioWebhooks(app.test_client())
        self.number = number
        self.seen = seen
        self.last: list[str] = []

    def send(self, body: str) -> list[str]:
        for _ in range(MAX_TRIES):
            params = {
                "MessageSid": "SM" + uuid.uuid4().hex,
                "AccountSid": ACCOUNT_SID,
                "From": self.number,
                "To": SERVICE_NUMBER,
                "Body": body,
                "NumMedia": "0",
            }
            response = until_served(
                self.seen, "/channels/sms", lambda: self.webhooks.post("/channels/sms", params)
            )
            messages = messages_of(response)
            if SORRY not in messages:
                self.last = messages
                return messages
            time.sleep(0.05)
        raise AssertionError("the service never took the text")

    def refer(self) -> None:
        # A list of replies is used in turn, for a question asked more than once.
        replies = {
            k: [v] if isinstance(v, str) else list(v)
            for k, v in {**TEACHER_REPLIES, "How should we tell you": "text"}.items()
        }
        self.send(TEACHER_MESSAGE)
        for _ in range(80):
            question = self.last[-1]
            if "Reply YES to send this referral" in question:
                break
            key = next((k for k in replies if k in question), None)
            assert key is not None, f"no scripted reply for: {question!r}"
            self.send(replies[key].pop(0) if len(replies[key]) > 1 else replies[key][0])
        else:
            raise AssertionError("the conversation never reached the summary")
        done = self.send("YES")
        assert "has been sent" in done[0], done
        self.seen.ack(REFERENCE_PATTERN.search(done[0]).group(), "sms")


def email_referrals(app: Flask, key: str, seen: Seen) -> None:
    client = app.test_client()
    for n in range(EMAILS):
        message: EmailMessage = plain_email(
            COMPLETE_SCHOOL_REFERRAL, sender=f"dsl{n}@riverside.sch.uk"
        )
        raw = message.as_bytes()
        response = until_served(
            seen,
            "/channels/email",
            lambda: client.post(
                "/channels/email",
                data=raw,
                headers={"Authorization": f"Bearer {key}", "Content-Type": "message/rfc822"},
            ),
        )
        assert response.status_code == 202, response.get_data(as_text=True)
        assert response.json["complete"] is True
        seen.ack(response.json["reference"], "email")


def run_clients(targets: list[Callable[[], None]], seen: Seen) -> list[threading.Thread]:
    def guarded(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as exc:  # reported by the test, not lost in a thread
            seen.errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(t,), daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    return threads


def transport_bodies(twilio: FakeTwilio, mail_relay: SmtpRelay) -> list[str]:
    texts = [sent.form.get("Body", "") for sent in list(twilio.requests)]
    mails = [
        mail.message.get_body(preferencelist=("plain",)).get_content()
        for mail in list(mail_relay.received)
    ]
    return texts + mails


def references_in(bodies: list[str]) -> list[str]:
    return [ref for body in bodies for ref in set(REFERENCE_PATTERN.findall(body))]


@pytest.mark.slow
def test_submissions_on_every_channel_survive_connections_dropped_again_and_again(
    app: Flask,
    db: Database,
    partner_key: str,
    settings_overrides,
    private_redis,
    twilio: FakeTwilio,
    mail_relay: SmtpRelay,
    tmp_path: Path,
):
    worker = start_worker(
        settings_overrides, tmp_path / "worker.log", **worker_transport_env(settings_overrides)
    )
    killer = Killer(settings_overrides["database_url"], KILL_EVERY, MAX_CHAOS)
    seen = Seen()
    try:
        wait_for_worker(Redis.from_url(private_redis.url), worker, WORKER_START_TIMEOUT)
        killer.start()
        started = time.monotonic()
        clients = run_clients(
            [
                *(
                    (lambda n=n: api_referrals(app, partner_key, seen, n))
                    for n in range(API_CLIENTS)
                ),
                lambda: web_referrals(app, seen),
                *((lambda p=p: Texter(app, p, seen).refer()) for p in SMS_PHONES),
                lambda: email_referrals(app, partner_key, seen),
            ],
            seen,
        )
        for thread in clients:
            thread.join(timeout=max(1.0, started + 240 - time.monotonic()))
        assert not any(t.is_alive() for t in clients), "a client never finished"
        time.sleep(max(0.0, MIN_CHAOS - (time.monotonic() - started)))
    finally:
        killer.stopping.set()
        killer.join(timeout=30)
    clients_took = time.monotonic() - started

    try:
        assert not seen.errors, seen.errors
        expected = API_CLIENTS * API_REFERRALS_EACH + WEB_REFERRALS + len(SMS_PHONES) + EMAILS
        assert len(seen.acknowledged) == expected

        def all_rated() -> bool:
            with db.session() as s:
                waiting = count(
                    s, Contact, Contact.submitted_at.is_not(None), Contact.rated_at.is_(None)
                )
                return waiting == 0

        wait_until(all_rated, PROCESSED_TIMEOUT, "every referral to be rated", every=1.0)

        def acknowledgements_sent() -> bool:
            sent = set(references_in(transport_bodies(twilio, mail_relay)))
            return set(seen.acknowledged) <= sent

        wait_until(acknowledgements_sent, PROCESSED_TIMEOUT, "every acknowledgement to go")
        time.sleep(2)  # a duplicate send would arrive about now
    finally:
        stop_worker(worker)

    with db.session() as s:
        submitted = s.scalars(select(Contact).where(Contact.submitted_at.is_not(None))).all()
        # Exactly the acknowledged referrals, each once: none lost, none made twice by a retry.
        assert sorted(c.reference for c in submitted) == sorted(seen.acknowledged)
        for contact in submitted:
            assert contact.channel == seen.acknowledged[contact.reference]
            assert contact.status == "awaiting_review" and contact.provisional_rating is not None
            steps = s.scalars(
                select(ContactEvent.step).where(ContactEvent.contact_id == contact.id)
            ).all()
            assert (steps.count("submitted"), steps.count("processed"), steps.count("rated")) == (
                1,
                1,
                1,
            ), contact.reference
        messages = s.scalars(select(OutboundMessage)).all()
        acks = [m for m in messages if m.purpose == "acknowledgement"]
        assert len(acks) == len(submitted), "one acknowledgement written for each referral"
        for message in acks:
            # Handed over and recorded as such: a message left claimed but unrecorded would be
            # taken over, and sent again, once its claim times out.
            assert message.provider_id is not None, (message.id, message.status)
            assert message.status in ("sent", "queued"), (message.id, message.status)

    sent = references_in(transport_bodies(twilio, mail_relay))
    assert sorted(sent) == sorted(seen.acknowledged), "each acknowledgement sent exactly once"

    served = [status for _path, status, _retry in seen.statuses]
    assert not [s for s in served if s >= 500 and s != 503], "a client saw a server error"
    assert all(retry for _path, status, retry in seen.statuses if status == 503)
    assert killer.rounds >= 10 and killer.terminated >= 10, "backends were terminated throughout"
    print(
        f"\n{killer.seconds:.0f} s of faults: {killer.rounds} rounds terminated "
        f"{killer.terminated} backends; clients took {clients_took:.0f} s for {len(served)} "
        f"requests, {served.count(503)} answered 503 and were retried"
    )
