"""Outbound email through the configured relay (`SMTP_HOST:SMTP_PORT`) with `smtplib`.

`send_email` hands one message over and returns an id for it; it raises `TemporaryFailure`
(the relay is down, busy or said 4xx: try again later) or `PermanentFailure` (5xx: this address
or message will never be taken). The send job (`workers.feedback.send_message`) owns retries.
Failure reasons carry SMTP codes only, never the relay's text, which often quotes the address.

Every message says it was sent automatically (RFC 3834 `Auto-Submitted`), so well-behaved
auto-responders do not answer it and start a loop.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from channels.outbound import DeliveryFailure, PermanentFailure, TemporaryFailure
from intake.config import Settings

__all__ = [
    "DeliveryFailure",
    "PermanentFailure",
    "TemporaryFailure",
    "build_message",
    "is_configured",
    "send_email",
]

log = logging.getLogger(__name__)

# Long enough for a slow relay, short enough to be retried well inside the job's timeout.
TIMEOUT_SECONDS = 30.0
_QUEUED_AS = re.compile(rb"queued as ([A-Za-z0-9._-]{1,60})", re.IGNORECASE)


def is_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def build_message(
    settings: Settings,
    to: str,
    subject: str,
    body: str,
    message_id: str | None,
    in_reply_to: str | None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message["Auto-Submitted"] = "auto-replied" if in_reply_to else "auto-generated"
    # Asks Exchange not to send out-of-office replies to it.
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(body)
    return message


def send_email(
    settings: Settings,
    to: str,
    subject: str,
    body: str,
    message_id: str | None,
    in_reply_to: str | None,
) -> str:
    """Hand one email to the relay; returns the relay's queue id, or the Message-ID."""
    if not is_configured(settings):
        raise PermanentFailure("no mail relay configured")
    message = build_message(settings, to, subject, body, message_id, in_reply_to)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            reply = _send(smtp, message, settings.mail_from, to)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        raise _classify(codes[0] if codes else 550, "recipient refused") from None
    except smtplib.SMTPResponseException as exc:
        raise _classify(exc.smtp_code, "relay refused") from None
    except (smtplib.SMTPException, OSError) as exc:
        # Connection refused or dropped, timeouts, TLS failures: the relay may be back soon.
        raise TemporaryFailure(f"relay unreachable: {type(exc).__name__}") from None
    queued = _QUEUED_AS.search(reply)
    provider_id = queued.group(1).decode() if queued else (message_id or "")
    log.info("email handed to the relay")
    return provider_id[:64]


def _send(smtp: smtplib.SMTP, message: EmailMessage, sender: str, to: str) -> bytes:
    """MAIL, RCPT and DATA by hand, to keep the relay's final answer (its queue id)."""
    code, _text = smtp.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, b"", sender)
    code, _text = smtp.rcpt(to)
    if code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({to: (code, b"")})
    # SMTP lines end in CRLF; smtplib only converts str, not bytes.
    code, text = smtp.data(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
    if code != 250:
        raise smtplib.SMTPDataError(code, text)
    return text


def _classify(code: int, what: str) -> TemporaryFailure | PermanentFailure:
    reason = f"{what} (SMTP {code})"
    if 400 <= code < 500:
        return TemporaryFailure(reason)
    return PermanentFailure(reason)
