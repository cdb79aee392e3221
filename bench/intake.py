"""API submissions per second and latency, frontdoor against a bare Flask + PostgreSQL insert.

Both run under gunicorn on this machine, against the local PostgreSQL (and Redis for frontdoor),
driven by 8 concurrent keep-alive clients in this process. Prints both and their ratio.

    .venv/bin/python bench/intake.py [--requests 2000] [--clients 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.builders import referral_payload  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, path: str = "/healthz", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not start")


def load(
    port: int, headers: dict[str, str], total: int, clients: int
) -> tuple[float, list[float], int]:
    body = json.dumps(referral_payload()).encode()
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = total // clients

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        for _ in range(per_client):
            start = time.perf_counter()
            conn.request(
                "POST",
                "/api/v1/referrals",
                body=body,
                headers={**headers, "Content-Type": "application/json"},
            )
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status != 201:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, errors


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 10) - 1] * 1000


def report(name: str, rate: float, latencies: list[float], errors: int) -> None:
    print(
        f"{name:12} {rate:8.1f} req/s   p50 {pct(latencies, 50):6.1f} ms   p95 {pct(latencies, 95):6.1f} ms   "
        f"p99 {pct(latencies, 99):6.1f} ms   errors {errors}"
    )


def serve(app: str, port: int, env: dict[str, str], workers: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--log-level",
            "warning",
            app,
        ],
        cwd=ROOT,
        env=env,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes for each app")
    args = parser.parse_args()

    name = f"fd_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": REDIS,
            "SECRET_KEY": "bench",
            # The limiter still runs (its cost is measured); one partner just isn't refused.
            "FRONTDOOR_RATE_LIMIT_PARTNER": "1000000 per minute",
        }
        subprocess.run(
            [str(ROOT / ".venv/bin/frontdoor"), "db", "upgrade"],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        key = subprocess.run(
            [str(ROOT / ".venv/bin/frontdoor"), "keys", "create", "bench"],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        fd_port, base_port = free_port(), free_port()
        procs.append(serve("intake.app:create_app()", fd_port, env, args.workers))
        base_env = {**os.environ, "BASELINE_DSN": url.replace("postgresql+psycopg", "postgresql")}
        procs.append(serve("bench.baseline_app:app", base_port, base_env, args.workers))
        wait_for(fd_port)
        wait_for(base_port, "/")
        # Warm both up so connection pools and imports are not measured.
        load(fd_port, {"Authorization": f"Bearer {key}"}, 80, args.clients)
        load(base_port, {}, 80, args.clients)

        print(
            f"{args.requests} POSTs, {args.clients} concurrent clients, gunicorn {args.workers} workers x 4 threads, "
            f"{os.cpu_count()} CPUs, PostgreSQL + Redis on 127.0.0.1; partner rate limit raised "
            "to 1,000,000/min for the run"
        )
        base = load(base_port, {}, args.requests, args.clients)
        ours = load(fd_port, {"Authorization": f"Bearer {key}"}, args.requests, args.clients)
        report("baseline", *base)
        report("frontdoor", *ours)
        print(
            f"throughput ratio frontdoor/baseline: {ours[0] / base[0]:.2f} (target >= 0.5); "
            f"frontdoor p99 {pct(ours[1], 99):.1f} ms (target < 50 ms)"
        )
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
