"""`frontdoor smtpd`: the SMTP server that takes referrals by email (aiosmtpd).

Mail is accepted only for the intake addresses (550 at RCPT otherwise) and up to the size limit
(552, enforced by aiosmtpd's `data_size_limit`); STARTTLS is offered when a certificate is
configured. Each message goes to `receive_email` in a thread pool, so the database work never
blocks the event loop that is talking to other senders. A failure to store answers 451, and the
sending server tries again later: a message is never acknowledged and then lost.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.smtp import SMTP, Envelope, Session
from redis import Redis

from channels.email.handler import Result, Status, receive_email
from intake.config import Settings
from workers import queues
from workers.context import WorkerContext

log = logging.getLogger(__name__)
# aiosmtpd logs each command at INFO, MAIL FROM and RCPT TO with their addresses: a sender's
# address is personal data, which our logs never carry. Its warnings and errors still show.
logging.getLogger("mail.log").setLevel(logging.WARNING)

# Enough to keep a few database transactions in flight; the pool of connections is larger.
INTAKE_THREADS = 8


class IntakeHandler:
    """aiosmtpd hooks: who we take mail for, and what happens to a message once it is in."""

    def __init__(self, context: WorkerContext, executor: ThreadPoolExecutor) -> None:
        self.context = context
        self.executor = executor
        self.addresses = frozenset(a.strip().lower() for a in context.settings.intake_addresses)
        self._queue: Redis | None = None

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.strip().lower() not in self.addresses:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or envelope.content
        if not isinstance(raw, bytes):
            raw = str(raw or "").encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(
                self.executor,
                self._receive,
                raw,
                envelope.mail_from or "",
                list(envelope.rcpt_tos),
            )
        except Exception as exc:
            log.error("email could not be stored (%s); sender asked to retry", type(exc).__name__)
            return "451 4.3.0 Temporary problem storing your message, please try again later"
        return smtp_reply(result)

    def _receive(self, raw: bytes, mail_from: str, rcpt_tos: list[str]) -> Result:
        return receive_email(self.context, raw, mail_from, rcpt_tos, queue=self._queue_connection())

    def _queue_connection(self) -> Redis | None:
        # Made on first use: the server starts and takes mail even while Redis is down, and the
        # outbox relay enqueues whatever could not be enqueued at once.
        if self._queue is None:
            try:
                self._queue = queues.connect(self.context.settings)
            except Exception as exc:
                log.warning("queue unavailable (%s); the relay will enqueue", type(exc).__name__)
                return None
        return self._queue


def smtp_reply(result: Result) -> str:
    if result.status is Status.REFUSED:
        if result.reason == "too_large":
            return "552 5.3.4 Message too big"
        # Nothing can be done with it; a retry would fail the same way.
        return "550 5.6.0 We could not read a sender address in this message"
    if result.reference:
        return f"250 2.0.0 Referral {result.reference} received"
    return "250 2.0.0 OK"


def tls_context(settings: Settings) -> ssl.SSLContext | None:
    if not (settings.smtpd_tls_cert and settings.smtpd_tls_key):
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(settings.smtpd_tls_cert, settings.smtpd_tls_key)
    return context


class IntakeServer:
    """The SMTP server on its own event loop in a background thread.

    Binding to port 0 picks a free port (tests and the benchmark); `port` is the real one once
    `start()` returns.
    """

    def __init__(self, context: WorkerContext, host: str | None = None, port: int | None = None):
        settings = context.settings
        self.host = settings.smtpd_host if host is None else host
        self.port = settings.smtpd_port if port is None else port
        self.executor = ThreadPoolExecutor(INTAKE_THREADS, thread_name_prefix="smtpd-intake")
        self.handler = IntakeHandler(context, self.executor)
        self._tls = tls_context(settings)
        self._limit = settings.smtpd_max_message_bytes
        # Looked up once: aiosmtpd would otherwise ask DNS for it on every connection.
        self._hostname = socket.getfqdn()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None

    def _protocol(self) -> SMTP:
        return SMTP(
            self.handler,
            data_size_limit=self._limit,
            tls_context=self._tls,
            hostname=self._hostname,
            ident="frontdoor MASH intake",
            # Unicode addresses and text without re-encoding; we parse the bytes ourselves.
            enable_SMTPUTF8=True,
            loop=self._loop,
        )

    def start(self) -> None:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            try:
                self._server = self._loop.run_until_complete(
                    self._loop.create_server(self._protocol, host=self.host, port=self.port)
                )
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                return
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()
            self._server.close()
            self._loop.run_until_complete(self._server.wait_closed())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="smtpd", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        log.info(
            "smtpd listening on %s:%s (STARTTLS %s)",
            self.host,
            self.port,
            "on" if self._tls else "off",
        )

    def stop(self) -> None:
        if self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._thread = None
        self.executor.shutdown(wait=True)


def serve(context: WorkerContext) -> None:
    """Run until SIGINT or SIGTERM: what `frontdoor smtpd` does."""
    import nlp

    nlp.load_pipeline()  # built once, up front, not on the first message
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda _signum, _frame: stopping.set())
    server = IntakeServer(context)
    server.start()
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        # Lets the messages being stored finish; a sender cut off mid-reply retries, and the
        # Message-ID makes sure its retry is not taken twice.
        server.stop()
