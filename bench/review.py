"""Officer desk benchmark: the time to render the review queue and a contact page with 100,000
contacts in PostgreSQL.

    .venv/bin/python bench/review.py [--contacts 100000] [--requests 200]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--keep]

Builds a throwaway database (migrated with the real migrations), loads synthetic contacts with
COPY: most decided over the last three years, a few thousand awaiting review (the queue), some
being processed, some unfinished drafts; one to three children each, and a proposed person match
for every child awaiting review. Then signs in as an officer through the real pages (password and
TOTP code) and times whole requests through Flask's test client: routing, session and sign-in
checks, the queries, the audit row of each contact view, and the template. p50/p95 per page.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
from sqlalchemy import create_engine, text

# Python puts bench/ first on the path, where bench/intake.py would shadow the intake package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from intake import crypto
from intake.app import create_app
from intake.db import Database
from intake.migrate import upgrade
from intake.review import accounts

SECRET = "bench-review-secret-key-not-for-production"
PASSWORD = "bench officer password"
TOTP_SECRET = pyotp.random_base32()
TARGET_P95_MS = 200.0

RATINGS = ("red", "amber", "green", "blue")
RATING_WEIGHTS = (10, 35, 45, 10)
CATEGORIES = (
    "physical_abuse", "emotional_abuse", "sexual_abuse", "neglect", "domestic_abuse",
    "child_sexual_exploitation", "child_criminal_exploitation", "missing",
    "child_mental_health", "parental_mental_health", "parental_substance_misuse",
)  # fmt: skip
OUTCOMES = ("nfa", "advice", "signpost", "early_help", "csc_assessment", "strategy_discussion")
SOURCES = ("6", "6", "6", "2A", "2A", "3A", "3B", "3E", "5A", "8", "1A", "1D", "9")
CHANNELS = ("api", "api", "web", "web", "email", "voice", "sms")
GIVEN = ("Jordan", "Amelia", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Zain", "Ruby")
FAMILY = ("Smith", "Khan", "Jones", "Patel", "Brown", "Nowak", "Taylor", "Ahmed", "Wilson")
CONCERN = (
    "{name} came to school with a bruise on the cheek and said mum's boyfriend hit them. "
    "There was shouting at home last night and the police were called. No concerns about "
    "neglect were raised by the nursery. Mum may be drinking again."
)
SHARE_OPEN = 0.04
SHARE_PROCESSING = 0.005
SHARE_DRAFT = 0.01


def reference(rng: random.Random) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTVWXYZ23456789"
    return (
        "".join(rng.choice(alphabet) for _ in range(4))
        + "-"
        + "".join(rng.choice(alphabet) for _ in range(4))
    )


def mentions_for(text_: str) -> list[dict[str, Any]]:
    found = []
    for word, code, extra in (
        ("bruise", "physical_abuse", {}),
        ("hit them", "physical_abuse", {}),
        ("shouting at home", "domestic_abuse", {}),
        ("neglect", "neglect", {"negated": True}),
        ("drinking", "parental_substance_misuse", {"possible": True}),
    ):
        start = text_.index(word)
        found.append(
            {"code": code, "start": start, "end": start + len(word), "text": word,
             "negated": False, "possible": False, "historical": False,
             "other_experiencer": False, **extra}
        )  # fmt: skip
    return found


CONTACT_COLUMNS = (
    "id", "reference", "channel", "status", "submitted_at", "immediate_danger", "referrer_type",
    "referrer_source", "referrer_anonymous", "referrer_name", "referrer_organisation",
    "referrer_email", "feedback_by", "concern_description", "concern_how_known", "home_concerns",
    "consent_answer", "flow_state", "origin_address", "extraction", "categories",
    "risk_indicators", "history", "provisional_rating", "rating_reasons", "deadline", "rated_at",
    "processed_at", "final_rating", "outcome", "decided_at", "decided_by_id", "restricted",
    "created_at", "updated_at",
)  # fmt: skip
PEOPLE_COLUMNS = (
    "id", "contact_id", "kind", "position", "given_name", "family_name", "date_of_birth",
    "gender", "address", "postcode",
)  # fmt: skip


def contact_rows(
    count: int, officer_id: int, now: datetime, rng: random.Random
) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    """Each contact with its people. Encrypted columns are encrypted here, as the app would."""
    seen: set[str] = set()
    person_id = 0
    for contact_id in range(1, count + 1):
        roll = rng.random()
        if roll < SHARE_DRAFT:
            status = "draft"
        elif roll < SHARE_DRAFT + SHARE_PROCESSING:
            status = "processing"
        elif roll < SHARE_DRAFT + SHARE_PROCESSING + SHARE_OPEN:
            status = "awaiting_review"
        else:
            status = "decided"
        ref = reference(rng)
        while ref in seen:
            ref = reference(rng)
        seen.add(ref)
        received = (
            now - timedelta(hours=rng.uniform(0, 30))
            if status in ("awaiting_review", "processing", "draft")
            else now - timedelta(days=rng.uniform(1, 1095))
        )
        rating = (
            rng.choices(RATINGS, RATING_WEIGHTS)[0]
            if status in ("awaiting_review", "decided")
            else None
        )
        deadline = (
            received + timedelta(hours={"red": 4, "amber": 24, "green": 72, "blue": 72}[rating])
            if rating
            else None
        )
        decided = status == "decided"
        final = (
            (rng.choices(RATINGS, RATING_WEIGHTS)[0] if rng.random() < 0.3 else rating)
            if decided
            else None
        )
        decided_at = received + timedelta(hours=rng.uniform(0.5, 90)) if decided else None
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        concern = CONCERN.format(name=given)
        categories = sorted(set(rng.sample(CATEGORIES, rng.randint(1, 3))))
        channel = rng.choice(CHANNELS)
        contact = (
            contact_id, ref, channel, status, None if status == "draft" else received, False,
            "school", rng.choice(SOURCES), False, "Sam Patel", "Riverside Primary School",
            "sam.patel@riverside.example.org", "email", crypto.encrypt(concern), "told_by_child",
            json.dumps([]), "not_asked", crypto.encrypt_json({}),
            "+447700900123" if status == "draft" else None,
            crypto.encrypt_json({"mentions": mentions_for(concern)}) if rating else None,
            json.dumps(categories if rating else []), json.dumps([]),
            json.dumps({"earlier_contacts": [], "family": []}) if rating else None,
            rating,
            crypto.encrypt_json([{"rule_id": "injury",
                                  "description": "A child has an injury someone caused",
                                  "proposes": rating, "evidence": {"mentions": [{"text": "bruise"}]}}])
            if rating else crypto.encrypt_json([]),
            deadline, received if rating else None, received if rating else None,
            final, rng.choice(OUTCOMES) if decided else None, decided_at,
            officer_id if decided else None, rng.random() < 0.01, received, received,
        )  # fmt: skip
        people = []
        for position in range(rng.choice((1, 1, 1, 2, 2, 3))):
            person_id += 1
            born = date(2010, 1, 1) + timedelta(days=rng.randint(0, 5000))
            people.append(
                (person_id, contact_id, "child", position, rng.choice(GIVEN), family, born,
                 rng.choice(("male", "female")), "10 High Street, Leeds", "LS1 4AP")
            )  # fmt: skip
        yield contact, people


def load(url: str, count: int, now: datetime) -> dict[str, Any]:
    engine = create_engine(url)
    rng = random.Random(7)
    with Database(url).transaction() as session:
        officer = accounts.ensure_user(
            session, "bench.officer@mash.example.gov.uk", "officer", PASSWORD,
            totp_secret=TOTP_SECRET, can_see_restricted=True,
        )  # fmt: skip
        officer_id = officer.id
    awaiting: list[tuple[int, str]] = []
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        people_rows: list[tuple[Any, ...]] = []
        with cursor.copy(f"COPY contacts ({', '.join(CONTACT_COLUMNS)}) FROM STDIN") as copy:
            for contact, people in contact_rows(count, officer_id, now, rng):
                copy.write_row(contact)
                people_rows.extend(people)
                if contact[3] == "awaiting_review":
                    awaiting.append((contact[0], contact[1]))
        with cursor.copy(f"COPY contact_people ({', '.join(PEOPLE_COLUMNS)}) FROM STDIN") as copy:
            for row in people_rows:
                copy.write_row(row)
        awaiting_ids = {contact_id for contact_id, _ref in awaiting}
        children_awaiting = [p for p in people_rows if p[1] in awaiting_ids]
        with cursor.copy(
            "COPY person_records (id, source, record_id, given_name, family_name, date_of_birth, "
            "postcode, flags, extra, restricted, row_hash, imported_at, updated_at) FROM STDIN"
        ) as copy:
            for i, child in enumerate(children_awaiting, start=1):
                copy.write_row(
                    (i, "social_care", f"SC-{i}", child[4], child[5], child[6], "LS1 4AP",
                     json.dumps(["cin"]), json.dumps({}), i % 50 == 0, "x" * 32, now, now)
                )  # fmt: skip
        agreements = json.dumps(
            [{"field": "given_name", "level": "exact", "weight": 4.0, "note": None},
             {"field": "date_of_birth", "level": "close", "weight": 3.1, "note": "day and month swapped"}]
        )  # fmt: skip
        with cursor.copy(
            "COPY person_matches (contact_person_id, person_record_id, probability, band, "
            "agreements, status, created_at) FROM STDIN"
        ) as copy:
            for i, child in enumerate(children_awaiting, start=1):
                copy.write_row((child[0], i, 0.93, "possible", agreements, "proposed", now))
        for table, column in (
            ("contacts", "id"),
            ("contact_people", "id"),
            ("person_records", "id"),
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"(SELECT max({column}) FROM {table}))"
            )
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    loaded = time.perf_counter() - started
    engine.dispose()
    return {
        "load_seconds": loaded,
        "awaiting": [ref for _id, ref in awaiting],
        "people": len(people_rows),
        "matches": len(children_awaiting),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(label: str, requests: int, call: Callable[[int], Any]) -> dict[str, float]:
    call(0)  # warm: templates compiled, connections open
    times = []
    for i in range(requests):
        start = time.perf_counter()
        response = call(i)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{label}: HTTP {response.status_code}")
    result = {
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
        "max": max(times),
    }
    verdict = "ok" if result["p95"] < TARGET_P95_MS else "OVER TARGET"
    print(
        f"  {label:<44} p50 {result['p50']:7.1f} ms   p95 {result['p95']:7.1f} ms   "
        f"max {result['max']:7.1f} ms   [{verdict}]"
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "FRONTDOOR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        help="an existing database to connect to; a throwaway one is made beside it",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
    name = f"fd_bench_review_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        server = conn.execute(text("SHOW server_version")).scalar()
    url = args.database_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        database = Database(url)
        upgrade(database)
        database.dispose()
        crypto.configure((), SECRET)
        now = datetime.now(UTC)
        print(
            f"frontdoor officer desk benchmark: {args.contacts:,} contacts in PostgreSQL {server}"
        )
        print(
            f"  machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        )
        loaded = load(url, args.contacts, now)
        print(
            f"  loaded {args.contacts:,} contacts, {loaded['people']:,} people and "
            f"{loaded['matches']:,} proposed matches with COPY in {loaded['load_seconds']:.1f} s; "
            f"{len(loaded['awaiting']):,} awaiting review"
        )
        app = create_app(
            {
                "database_url": url,
                "secret_key": SECRET,
                "redis_url": "",
                "rate_limits_enabled": False,
                # The test client posts the sign-in form without the page's CSRF token.
                "WTF_CSRF_ENABLED": False,
            }
        )
        client = app.test_client()
        response = client.post(
            "/officer/sign-in",
            data={"email": "bench.officer@mash.example.gov.uk", "password": PASSWORD},
        )
        if response.status_code != 302:
            raise SystemExit(f"could not sign in: HTTP {response.status_code}")
        client.post("/officer/sign-in/code", data={"code": pyotp.TOTP(TOTP_SECRET).now()})
        references = loaded["awaiting"]
        print(f"  {args.requests} requests each, after one to warm up:")
        results = {
            "queue": timed(
                "review queue, first page", args.requests, lambda i: client.get("/officer/queue")
            ),
            "queue_filtered": timed(
                "review queue, filtered by category and rating",
                args.requests,
                lambda i: client.get("/officer/queue?category=neglect&rating=amber"),
            ),
            "queue_page_20": timed(
                "review queue, page 20",
                args.requests,
                lambda i: client.get("/officer/queue?page=20"),
            ),
            "contact": timed(
                "contact page (each view audited)",
                args.requests,
                lambda i: client.get(f"/officer/contacts/{references[i % len(references)]}"),
            ),
            "dashboard": timed(
                "dashboard", args.requests, lambda i: client.get("/officer/dashboard")
            ),
        }
        met = results["queue"]["p95"] < TARGET_P95_MS and results["contact"]["p95"] < TARGET_P95_MS
        print(
            f"  target p95 < {TARGET_P95_MS:.0f} ms for the queue and a contact page: {'met' if met else 'NOT met'}"
        )
        app.extensions["frontdoor.db"].dispose()
        return 0 if met else 1
    finally:
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            print(f"  kept database {name}")
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
