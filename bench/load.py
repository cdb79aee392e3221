"""Mixed load ramped in steps: web, API, SMS and email submissions until latency breaks; zero lost.

Starts, all on this machine: a fresh PostgreSQL database (dropped at the end), a private
redis-server on a free port (or --redis), gunicorn serving `intake.app:create_app()`, --workers
`frontdoor worker` processes, a stand-in for Twilio's REST API and a local SMTP relay (so the
acknowledgements are really sent, to nothing off this machine). This process is the load
generator: one asyncio loop (aiohttp) that starts submissions at a steady rate, step after step.

A submission is the whole of what a referrer does on a channel:
  api    one POST /api/v1/referrals with an Idempotency-Key (sent again unchanged on a 503)
  email  one POST /channels/email, a raw RFC 822 referral with a partner key
  web    the real pages: GET each question, POST each answer with the CSRF token, check
         answers, submit, confirmation page (about 65 requests)
  sms    a Twilio-signed conversation: the first text, each answer, then YES (about 25)

For each step it prints the offered and achieved rate, request latency p50/p95/p99 per channel
and overall, 5xx and other errors. A request that got a 503, or went out on a keep-alive
connection gunicorn was closing, is sent again unchanged, as careful clients and browsers do;
both are counted. The ramp stops after the first step that breaks (p99 over --max-p99, any 5xx,
any error). Then it lets the workers drain and reads the database: every acknowledged submission
must exist exactly once and be rated; it prints the time from submission to rating per step
(submitted_at to the contact's "rated" event), acknowledgements sent twice, and "lost: N".

The public and partner rate limits (per address, per key) would refuse this much load from one
address and one key, so they are raised for the run (--rate-limits off turns them off instead);
the output says which. The machine is shared: figures are floors.

    .venv/bin/python bench/load.py                        # 10,20,30,50,75,100/s, 20 s each
    .venv/bin/python bench/load.py --rates 5,10 --step-seconds 5 --drain-seconds 120
    options: --mix api=60,email=20,web=10,sms=10 --workers 2 --gunicorn-workers 2 --threads 4
             --max-p99 1.0 --redis redis://127.0.0.1:6379/13 --keep-going
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from redis import Redis
from rq import Worker
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intake import free_port, wait_for  # noqa: E402
from bench.pipeline import body as api_body  # noqa: E402
from intake.references import REFERENCE_PATTERN  # noqa: E402
from tests.channels.email.mail import COMPLETE_SCHOOL_REFERRAL, plain_email  # noqa: E402
from tests.channels.sms.test_sms_referrals import TEACHER_MESSAGE, TEACHER_REPLIES  # noqa: E402
from tests.channels.web.referrer import PROFESSIONAL, as_form  # noqa: E402
from tests.fake_twilio import FakeTwilio  # noqa: E402
from tests.redis_server import PrivateRedis  # noqa: E402
from tests.smtp_relay import SmtpRelay  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHANNELS = ("api", "email", "web", "sms")
DEFAULT_MIX = "api=60,email=20,web=10,sms=10"
RAISED_LIMIT = "1000000 per minute"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "bench-twilio-auth-token"
SERVICE_NUMBER = "+441134960000"
INTAKE = "mash@frontdoor.test"  # the address the email builders write to
FIRST_QUESTION = "/refer/q/immediate_danger"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
REQUEST_TIMEOUT = 60.0
MAX_TRIES = 5  # a 503 is sent again, unchanged, this many times at most


# --- what the load generator sees -----------------------------------------------------------


@dataclass
class Submission:
    channel: str
    step: int
    started: float
    finished: float | None = None
    reference: str | None = None
    error: str | None = None


@dataclass
class Step:
    number: int
    rate: float
    seconds: float
    started: float = 0.0
    ended: float = 0.0
    submissions: list[Submission] = field(default_factory=list)
    # channel -> request latencies in seconds, of requests started in this step
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    late: list[float] = field(default_factory=list)  # how late each submission started
    # Keep-alive connections gunicorn closed as a request went out on them, and it was sent again
    resent: int = 0
    cpu: float = 0.0  # this process's CPU seconds during the step


class Flow(Exception):
    """A submission that could not be completed: the answer was not what a referrer can use."""


class Client:
    """One HTTP session to gunicorn; every request is timed and counted against its step."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base

    async def request(
        self,
        step: Step,
        channel: str,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes, list[tuple[str, str]]]:
        """Send once; again after a 503, or a keep-alive connection closed under the request, as
        browsers and careful clients do (every channel makes that safe: Idempotency-Key,
        MessageSid, Message-ID, the web form's draft). 5xx and resends are counted."""
        for _ in range(MAX_TRIES):
            started = time.perf_counter()
            try:
                async with self.session.request(
                    method,
                    self.base + path,
                    data=body,
                    headers=headers,
                    allow_redirects=False,
                ) as response:
                    content = await response.read()
                    status = response.status
                    got = dict(response.headers)
                    cookies = [(k, v.value) for k, v in response.cookies.items()]
            except TimeoutError as exc:
                raise Flow("timeout") from exc
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
                step.resent += 1
                continue
            except aiohttp.ClientError as exc:
                raise Flow(type(exc).__name__) from exc
            finally:
                step.latencies[channel].append(time.perf_counter() - started)
            step.statuses[status] += 1
            if status != 503:
                return status, got, content, cookies
            await asyncio.sleep(min(1.0, float(got.get("Retry-After", "1"))))
        raise Flow(f"no answer in {MAX_TRIES} tries")


# --- the four channels ----------------------------------------------------------------------


@dataclass
class Setup:
    key: str
    base_url: str
    numbers: itertools.count[int] = field(default_factory=itertools.count)
    # SMS conversations are numbered apart from the rest: each takes one of a thousand senders,
    # and two at once from one phone are one conversation to the service. Numbered with every
    # submission, a thousand submissions apart under load (10 s at 100/s) often met mid-way.
    sms_numbers: itertools.count[int] = field(default_factory=itertools.count)


async def submit_api(client: Client, setup: Setup, step: Step, n: int) -> str:
    headers = {
        "Authorization": f"Bearer {setup.key}",
        "Content-Type": "application/json",
        "Idempotency-Key": str(uuid.uuid4()),
    }
    status, _h, content, _c = await client.request(
        step, "api", "POST", "/api/v1/referrals", body=api_body(n), headers=headers
    )
    if status != 201:
        raise Flow(f"api answered {status}")
    return str(json.loads(content)["reference"])


async def submit_email(client: Client, setup: Setup, step: Step, n: int) -> str:
    raw = plain_email(COMPLETE_SCHOOL_REFERRAL, sender=f"dsl{n}@school{n % 97}.example.org")
    headers = {"Authorization": f"Bearer {setup.key}", "Content-Type": "message/rfc822"}
    status, _h, content, _c = await client.request(
        step, "email", "POST", "/channels/email", body=raw.as_bytes(), headers=headers
    )
    body = json.loads(content) if status == 202 else {}
    if status != 202 or not body.get("complete"):
        raise Flow(f"email answered {status} {body.get('status', '')}, not a complete referral")
    return str(body["reference"])


async def submit_web(client: Client, setup: Setup, step: Step, n: int) -> str:
    """A person filling in the form: each page fetched, each answer posted with the token."""
    cookies: dict[str, str] = {}

    async def go(
        method: str, path: str, form: dict[str, Any] | None = None
    ) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        body = None
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(form, doseq=True).encode()
        status, got, content, set_cookies = await client.request(
            step, "web", method, path, body=body, headers=headers
        )
        cookies.update(set_cookies)
        return status, got.get("Location", ""), content.decode()

    answers = {**PROFESSIONAL, "referrer_email": f"web{n}@riverside.example.org"}
    status, _loc, page = await go("GET", FIRST_QUESTION)
    token = CSRF.search(page)
    if status != 200 or token is None:
        raise Flow(f"first page answered {status}")
    location = FIRST_QUESTION
    for _ in range(80):
        if not location.startswith("/refer/q/"):
            break
        key = location.removeprefix("/refer/q/").split("?")[0]
        form = {**as_form(answers[key]), "csrf_token": token.group(1)}
        status, location, _page = await go("POST", location, form)
        if status != 302:
            raise Flow(f"answer {key} answered {status}")
        status, _loc, _page = await go("GET", location)  # the browser follows the redirect
    if not location.startswith("/refer/check"):
        raise Flow(f"the form ended at {location}")
    status, location, _page = await go("POST", "/refer/check", {"csrf_token": token.group(1)})
    if (status, location) != (302, "/refer/confirmation"):
        raise Flow(f"sending answered {status}")
    status, _loc, page = await go("GET", "/refer/confirmation")
    found = REFERENCE_PATTERN.search(page)
    if status != 200 or found is None:
        raise Flow(f"confirmation answered {status}")
    return found.group()


async def submit_sms(client: Client, setup: Setup, step: Step, n: int) -> str:
    """A referrer texting: the teacher's first text, an answer to each question, then YES."""
    # Ofcom's drama range: a thousand numbers, each used by one conversation at a time.
    sender = f"+447700900{next(setup.sms_numbers) % 1000:03d}"
    url = setup.base_url + "/channels/sms"
    validator = RequestValidator(TWILIO_TOKEN)

    async def text(body: str) -> list[str]:
        params = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": TWILIO_SID,
            "From": sender,
            "To": SERVICE_NUMBER,
            "Body": body,
            "NumMedia": "0",
        }
        headers = {
            "X-Twilio-Signature": validator.compute_signature(url, params),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        status, _h, content, _c = await client.request(
            step, "sms", "POST", "/channels/sms", body=urlencode(params).encode(), headers=headers
        )
        if status != 200:
            raise Flow(f"sms webhook answered {status}")
        root = ET.fromstring(content)
        return [(m.findtext("Body") or m.text or "") for m in root.findall("Message")]

    replies = {k: [v] if isinstance(v, str) else list(v) for k, v in TEACHER_REPLIES.items()}
    last = await text(TEACHER_MESSAGE)
    for _ in range(60):
        question = last[-1] if last else ""
        if "Reply YES to send this referral" in question:
            break
        key = next((k for k in replies if k in question), None)
        if key is None:
            raise Flow("sms asked a question the script has no answer for")
        last = await text(replies[key].pop(0) if len(replies[key]) > 1 else replies[key][0])
    else:
        raise Flow("the sms conversation never reached the summary")
    done = await text("YES")
    found = REFERENCE_PATTERN.search(done[0]) if done else None
    if found is None or "has been sent" not in done[0]:
        raise Flow("the sms referral was not sent")
    return found.group()


SUBMIT: dict[str, Callable[[Client, Setup, Step, int], Awaitable[str]]] = {
    "api": submit_api,
    "email": submit_email,
    "web": submit_web,
    "sms": submit_sms,
}


# --- steps ----------------------------------------------------------------------------------


def channel_order(mix: dict[str, int]) -> itertools.cycle[str]:
    """Channels spread evenly in proportion to the mix (smooth weighted round-robin)."""
    total = sum(mix.values())
    credit = dict.fromkeys(mix, 0)
    order: list[str] = []
    for _ in range(total):
        for name, weight in mix.items():
            credit[name] += weight
        chosen = max(credit, key=lambda name: credit[name])
        credit[chosen] -= total
        order.append(chosen)
    return itertools.cycle(order)


async def one(client: Client, setup: Setup, step: Step, channel: str) -> None:
    submission = Submission(channel, step.number, time.monotonic())
    step.submissions.append(submission)
    try:
        submission.reference = await SUBMIT[channel](client, setup, step, next(setup.numbers))
    except Flow as exc:
        submission.error = str(exc)
        step.errors[f"{channel}: {exc}"] += 1
    except Exception as exc:  # counted, never allowed to stop the run
        submission.error = type(exc).__name__
        step.errors[f"{channel}: {type(exc).__name__}"] += 1
    submission.finished = time.monotonic()


async def run_step(client: Client, setup: Setup, step: Step, order: itertools.cycle[str]) -> None:
    """Start `rate` submissions a second for `seconds`, then wait for them to finish."""
    tasks: list[asyncio.Task[None]] = []
    cpu = time.process_time()
    step.started = time.monotonic()
    total = round(step.rate * step.seconds)
    for i in range(total):
        due = step.started + i / step.rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        step.late.append(max(0.0, time.monotonic() - due))
        tasks.append(asyncio.create_task(one(client, setup, step, next(order))))
    await asyncio.gather(*tasks)
    step.ended = time.monotonic()
    step.cpu = time.process_time() - cpu


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def latency_row(name: str, values: list[float]) -> str:
    return (
        f"    {name:8} {len(values):7d} req  p50 {quantile(values, 0.50) * 1000:7.1f} ms  "
        f"p95 {quantile(values, 0.95) * 1000:7.1f} ms  p99 {quantile(values, 0.99) * 1000:7.1f} ms"
    )


def report_step(step: Step, max_p99: float) -> bool:
    """Print the step; True if it broke."""
    window = step.seconds
    acked_in_window = sum(
        1
        for s in step.submissions
        if s.reference and s.finished is not None and s.finished <= step.started + window
    )
    acked = sum(1 for s in step.submissions if s.reference)
    by_channel = Counter(s.channel for s in step.submissions)
    all_latencies = [v for values in step.latencies.values() for v in values]
    p99 = quantile(all_latencies, 0.99)
    server_errors = sum(n for status, n in step.statuses.items() if status >= 500)
    errors = sum(step.errors.values())
    wall = max(step.ended - step.started, 1e-9)
    mix = ", ".join(f"{c} {by_channel[c]}" for c in CHANNELS if by_channel[c])
    print(
        f"step {step.number}: offered {step.rate:g}/s for {window:g} s "
        f"({len(step.submissions)} submissions: {mix})"
    )
    print(
        f"    achieved {acked_in_window / window:.1f}/s acknowledged within the step "
        f"({acked} acknowledged in all, last after {wall:.1f} s); "
        f"5xx {server_errors}; other errors {errors}; "
        f"requests sent again after the server closed the connection {step.resent}"
    )
    for channel in CHANNELS:
        if step.latencies.get(channel):
            print(latency_row(channel, step.latencies[channel]))
    print(latency_row("overall", all_latencies))
    print(
        f"    generator: started late by p99 {quantile(step.late, 0.99) * 1000:.0f} ms, "
        f"max {max(step.late, default=0) * 1000:.0f} ms; its CPU {100 * step.cpu / wall:.0f}% "
        f"of one core; load average {os.getloadavg()[0]:.1f}"
    )
    for reason, n in step.errors.most_common(5):
        print(f"    error x{n}: {reason}")
    broke = []
    if p99 > max_p99:
        broke.append(f"p99 {p99:.2f} s > {max_p99:g} s")
    if server_errors:
        broke.append(f"{server_errors} 5xx")
    if errors:
        broke.append(f"{errors} errors")
    if broke:
        print(f"    BROKE: {', '.join(broke)}")
    return bool(broke)


# --- the service under load -----------------------------------------------------------------


def parse_mix(text_: str) -> dict[str, int]:
    mix: dict[str, int] = {}
    for part in text_.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in CHANNELS:
            raise SystemExit(f"--mix: unknown channel {name!r}; use {', '.join(CHANNELS)}")
        mix[name.strip()] = int(weight)
    return {k: v for k, v in mix.items() if v > 0}


def frontdoor(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [str(ROOT / ".venv/bin/frontdoor"), *args],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def wait_for_workers(redis_url: str, count: int, timeout: float = 180) -> None:
    connection = Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while len(Worker.all(connection=connection)) < count:
        if time.monotonic() > deadline:
            raise RuntimeError("the workers did not start")
        time.sleep(0.5)


@dataclass
class Drained:
    rated: dict[str, float]  # reference -> seconds from submission to the rated event
    found: Counter[str]  # reference -> contacts with it
    submitted: int
    processed_twice: int  # contacts with more than one "processed" event


def read_back(engine: Any, references: set[str]) -> Drained:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.reference, extract(epoch FROM min(e.at) - c.submitted_at) "
                "FROM contacts c LEFT JOIN contact_events e "
                "ON e.contact_id = c.id AND e.step = 'rated' "
                "WHERE c.submitted_at IS NOT NULL "
                "AND c.status = 'awaiting_review' AND c.provisional_rating IS NOT NULL "
                "GROUP BY c.id"
            )
        ).all()
        found = Counter(
            r[0]
            for r in conn.execute(
                text("SELECT reference FROM contacts WHERE reference = ANY(:refs)"),
                {"refs": list(references)},
            )
        )
        submitted = conn.execute(
            text("SELECT count(*) FROM contacts WHERE submitted_at IS NOT NULL")
        ).scalar_one()
        processed_twice = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT contact_id FROM contact_events "
                "WHERE step = 'processed' GROUP BY contact_id HAVING count(*) > 1) AS twice"
            )
        ).scalar_one()
    rated = {ref: float(delay) for ref, delay in rows if delay is not None}
    return Drained(rated, found, int(submitted), int(processed_twice))


def drain(
    engine: Any, references: set[str], seconds: float, sent: Callable[[], Counter[str]]
) -> tuple[Drained, float]:
    """Wait until every acknowledged referral is rated and its acknowledgement sent."""
    started = time.monotonic()
    while True:
        drained = read_back(engine, references)
        done = references <= set(drained.rated) and references <= set(sent())
        if done or time.monotonic() - started > seconds:
            return drained, time.monotonic() - started
        time.sleep(1.0)


def transport_references(twilio: FakeTwilio, mail: SmtpRelay) -> Counter[str]:
    """How many times each reference reached a transport (acknowledgements carry it)."""
    bodies = [r.form.get("Body", "") for r in list(twilio.requests)]
    for relayed in list(mail.received):
        part = relayed.message.get_body(preferencelist=("plain",))
        bodies.append(part.get_content() if part is not None else "")
    return Counter(ref for body in bodies for ref in set(REFERENCE_PATTERN.findall(body)))


async def generate(args: argparse.Namespace, setup: Setup, mix: dict[str, int]) -> list[Step]:
    # Idle connections are let go before gunicorn's 2 s keep-alive would close them under a
    # request being sent (which a client sees as a disconnect the server did not cause).
    connector = aiohttp.TCPConnector(limit=args.connections, keepalive_timeout=1.0)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        client = Client(session, setup.base_url)
        # Warm every gunicorn process (spaCy loads on the first email or text) and the workers:
        # each channel a few times, not reported as a step.
        warm = Step(0, rate=2, seconds=2 * args.gunicorn_workers * len(mix) / 2)
        await run_step(client, setup, warm, itertools.cycle(mix))
        order = channel_order(mix)
        print(
            f"warm-up: {len(warm.submissions)} submissions, "
            f"{sum(1 for s in warm.submissions if s.reference)} acknowledged (not reported)"
        )
        steps = [warm]
        for number, rate in enumerate(args.rates, start=1):
            step = Step(number, rate, args.step_seconds)
            await run_step(client, setup, step, order)
            steps.append(step)
            if report_step(step, args.max_p99) and not args.keep_going:
                print("stopping the ramp: the step broke")
                break
        return steps


def summarise(steps: list[Step], drained: Drained, waited: float, sent: Counter[str]) -> int:
    acknowledged = {s.reference: s for step in steps for s in step.submissions if s.reference}
    print()
    print("submission to rating, from the database (submitted_at to the contact's rated event):")
    for step in steps:
        delays = [
            drained.rated[s.reference]
            for s in step.submissions
            if s.reference and s.reference in drained.rated
        ]
        name = "warm-up" if step.number == 0 else f"step {step.number} ({step.rate:g}/s)"
        if delays:
            print(
                f"    {name:18} {len(delays):5d} rated  median {statistics.median(delays):7.2f} s  "
                f"p95 {quantile(delays, 0.95):7.2f} s"
            )
    missing = [ref for ref in acknowledged if drained.found[ref] == 0]
    doubled = [ref for ref in acknowledged if drained.found[ref] > 1]
    unrated = [ref for ref in acknowledged if drained.found[ref] and ref not in drained.rated]
    unacknowledged = drained.submitted - len(acknowledged)
    twice = [ref for ref, n in sent.items() if n > 1 and ref in acknowledged]
    not_sent = [ref for ref in acknowledged if sent[ref] == 0]
    print(
        f"drained in {waited:.0f} s: {len(acknowledged)} acknowledged, "
        f"{len(acknowledged) - len(missing) - len(unrated)} in the database and rated"
    )
    print(f"    missing from the database: {len(missing)}; there more than once: {len(doubled)}")
    print(f"    not rated after the drain: {len(unrated)}")
    print(f"    processed more than once: {drained.processed_twice}")
    print(f"    submitted but never acknowledged to the client: {unacknowledged}")
    print(f"    acknowledgements sent twice: {len(twice)}; not (yet) sent: {len(not_sent)}")
    lost = len(missing) + len(unrated)
    print(f"lost: {lost}")
    return lost


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rates",
        type=lambda s: [float(x) for x in s.split(",")],
        default=[10, 20, 30, 50, 75, 100],
        help="submissions per second, one step each (default 10,20,30,50,75,100)",
    )
    parser.add_argument("--step-seconds", type=float, default=20, help="length of each step")
    parser.add_argument(
        "--mix", default=DEFAULT_MIX, help=f"channel shares (default {DEFAULT_MIX})"
    )
    parser.add_argument("--workers", type=int, default=2, help="`frontdoor worker` processes")
    parser.add_argument("--gunicorn-workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--connections", type=int, default=256, help="client connections, at most")
    parser.add_argument("--max-p99", type=float, default=1.0, help="a step breaks above (seconds)")
    parser.add_argument("--keep-going", action="store_true", help="run every step, broken or not")
    parser.add_argument(
        "--drain-seconds", type=float, default=600, help="wait for ratings, at most"
    )
    parser.add_argument(
        "--rate-limits",
        choices=("raised", "off", "default"),
        default="raised",
        help=f"raised: both limits {RAISED_LIMIT!r} (default); off; default: as configured",
    )
    parser.add_argument(
        "--redis",
        default="",
        help="use this Redis (a db number of your own) instead of a private one",
    )
    args = parser.parse_args()
    mix = parse_mix(args.mix)

    workdir = Path(tempfile.mkdtemp(prefix="frontdoor-load-"))
    name = f"fd_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    engine = create_engine(url)
    redis_server = None if args.redis else PrivateRedis(workdir)
    twilio = FakeTwilio().start()
    mail = SmtpRelay().start()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        if redis_server is not None:
            redis_server.start()
        redis_url = args.redis or redis_server.url  # type: ignore[union-attr]
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "bench-load",
            "FRONTDOOR_INSTANCE_DIR": str(workdir / "instance"),
            "FRONTDOOR_BASE_URL": base_url,
            "FRONTDOOR_INTAKE_ADDRESSES": INTAKE,
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_FROM_NUMBER": SERVICE_NUMBER,
            "TWILIO_API_BASE": twilio.url,  # never Twilio itself
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(mail.port),
            "FRONTDOOR_MAIL_FROM": "mash-frontdoor@frontdoor.test",
        }
        if args.rate_limits == "raised":
            env["FRONTDOOR_RATE_LIMIT_PUBLIC"] = RAISED_LIMIT
            env["FRONTDOOR_RATE_LIMIT_PARTNER"] = RAISED_LIMIT
        elif args.rate_limits == "off":
            env["FRONTDOOR_RATE_LIMITS"] = "off"
        frontdoor(env, "db", "upgrade")
        key = frontdoor(env, "keys", "create", "load-generator", "--scope", "email")
        procs.append(
            start(
                [
                    str(ROOT / ".venv/bin/gunicorn"),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.gunicorn_workers),
                    "--threads",
                    str(args.threads),
                    "--log-level",
                    "warning",
                    "intake.app:create_app()",
                ],
                env,
                workdir / "gunicorn.log",
            )
        )
        for n in range(args.workers):
            procs.append(
                start(
                    [str(ROOT / ".venv/bin/frontdoor"), "worker"], env, workdir / f"worker{n}.log"
                )
            )
        wait_for(port, timeout=120)
        wait_for_workers(redis_url, args.workers)

        limits = {
            "raised": f"RAISED for this run to {RAISED_LIMIT!r} per address and per key",
            "off": "OFF for this run",
            "default": "as configured (the defaults refuse this much load from one address)",
        }[args.rate_limits]
        print(
            f"frontdoor under mixed load: gunicorn {args.gunicorn_workers} x {args.threads} "
            f"threads, {args.workers} `frontdoor worker`, PostgreSQL + Redis on 127.0.0.1, "
            f"{os.cpu_count()} CPUs (shared: figures are floors)"
        )
        print(f"mix {args.mix}; rate limits {limits}; logs in {workdir}")
        print(f"load average at start {os.getloadavg()[0]:.1f}")

        setup = Setup(key, base_url)
        steps = asyncio.run(generate(args, setup, mix))
        references = {s.reference for step in steps for s in step.submissions if s.reference}
        drained, waited = drain(
            engine, references, args.drain_seconds, lambda: transport_references(twilio, mail)
        )
        time.sleep(2)  # a duplicate acknowledgement would arrive about now
        lost = summarise(steps, drained, waited, transport_references(twilio, mail))
        return 1 if lost else 0
    finally:
        stop(procs)
        twilio.stop()
        mail.stop()
        if redis_server is not None:
            redis_server.stop()
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
