"""Contacts processed per second by one worker, and the time from submission to rating.

Runs gunicorn and `frontdoor worker` processes against a fresh PostgreSQL database and the local
Redis. First a backlog is drained by one worker (contacts per second per worker); then, with
`--workers` workers (default: one per CPU), referrals are submitted over HTTP at a steady rate and
the time from submission to rating is read back from the database.

    .venv/bin/python bench/pipeline.py [--rate 20] [--seconds 30] [--burst 300] [--workers N]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from redis import Redis
from rq import Worker
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intake import free_port, wait_for  # noqa: E402
from tests.builders import referral_payload  # noqa: E402

WORKER_ARGS = os.environ.get("BENCH_WORKER_ARGS", "").split()
PG_ADMIN = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
CONCERNS = [
    "Mum's new partner grabbed him by the throat last night, he's scared to go home.",
    "She has come to school hungry every day this week and her uniform is dirty. No concerns about injuries.",
    "He told his teacher dad hits him with a belt when he is naughty. There are marks on his legs.",
    "Neighbour reports shouting and a baby crying for hours, mum seemed drunk.",
]


def post(port: int, key: str, body: bytes) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/api/v1/referrals",
        body=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    status = conn.getresponse().status
    conn.close()
    return status


def body(i: int) -> bytes:
    payload = referral_payload(
        concern={
            "description": CONCERNS[i % len(CONCERNS)],
            "when": "today",
            "how_known": "told_by_child",
        }
    )
    return json.dumps(payload).encode()


def steady(port: int, key: str, rate: float, seconds: float) -> int:
    sent = 0
    start = time.monotonic()
    threads: list[threading.Thread] = []
    while time.monotonic() - start < seconds:
        due = start + sent / rate
        time.sleep(max(0.0, due - time.monotonic()))
        t = threading.Thread(target=post, args=(port, key, body(sent)))
        t.start()
        threads.append(t)
        sent += 1
    for t in threads:
        t.join()
    return sent


def start_worker(frontdoor: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [frontdoor, "worker", *WORKER_ARGS],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_workers(count: int, timeout: float = 120) -> None:
    connection = Redis.from_url(REDIS)
    deadline = time.monotonic() + timeout
    while Worker.count(connection=connection) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{count} workers did not start")
        time.sleep(0.5)


def wait_processed(engine, expected: int, timeout: float = 300) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            done = conn.execute(
                text("SELECT count(*) FROM contacts WHERE rated_at IS NOT NULL")
            ).scalar()
        if done >= expected:
            return
        time.sleep(0.2)
    raise RuntimeError(f"only {done} of {expected} contacts were processed")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--burst", type=int, default=300)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    # Job ids come from outbox row ids, which start again in a fresh database: start Redis empty.
    Redis.from_url(REDIS).flushdb()
    name = f"fd_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    engine = create_engine(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS,
        "SECRET_KEY": "bench",
        "FRONTDOOR_RATE_LIMITS": "off",
    }
    frontdoor = str(ROOT / ".venv/bin/frontdoor")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        subprocess.run(
            [frontdoor, "db", "upgrade"], env=env, check=True, cwd=ROOT, capture_output=True
        )
        key = subprocess.run(
            [frontdoor, "keys", "create", "bench"],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        port = free_port()
        procs.append(
            subprocess.Popen(
                [frontdoor, "serve", "--port", str(port), "--workers", "2"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_for(port)

        # 1. Throughput: a backlog submitted with no worker running, then drained by one worker.
        for i in range(args.burst):
            post(port, key, body(i))
        started = time.monotonic()
        procs.append(start_worker(frontdoor, env))
        wait_processed(engine, args.burst)
        drained = time.monotonic() - started  # includes the worker's start-up (NLP pipeline build)
        with engine.connect() as conn:
            span = conn.execute(
                text("SELECT extract(epoch FROM max(rated_at) - min(rated_at)) FROM contacts")
            ).scalar()
        print(
            f"one worker: {args.burst} contacts in {float(span):.1f} s of processing "
            f"= {args.burst / float(span):.1f} contacts/s (drain incl. start-up {drained:.1f} s)"
        )

        # 2. Latency: a steady stream, the workers already warm.
        for _ in range(args.workers - 1):
            procs.append(start_worker(frontdoor, env))
        wait_workers(args.workers)  # each builds its NLP pipeline before it registers
        sent = steady(port, key, args.rate, args.seconds)
        wait_processed(engine, args.burst + sent)
        with engine.connect() as conn:
            rows = (
                conn.execute(
                    text(
                        "SELECT extract(epoch FROM rated_at - submitted_at) FROM contacts ORDER BY id OFFSET :skip"
                    ),
                    {"skip": args.burst},
                )
                .scalars()
                .all()
            )
        delays = sorted(float(r) for r in rows)
        p95 = statistics.quantiles(delays, n=100)[94]
        print(
            f"steady {args.rate:.0f}/s for {args.seconds:.0f} s ({sent} contacts, {args.workers} workers): "
            "submission to rating "
            f"median {statistics.median(delays) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (target p95 < 1000 ms)"
        )
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
