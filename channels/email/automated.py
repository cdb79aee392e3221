"""Mail that no person wrote: it must never start a referral or get a reply (that is a mail loop).

Out-of-office replies answer our acknowledgements, bounces answer mail we sent to a bad address,
and our own messages can come back through a misconfigured forward. RFC 3834 headers catch most;
the subject line catches auto-responders that do not set them.
"""

from __future__ import annotations

import enum
import re
from email.utils import parseaddr

from channels.email.parse import ParsedEmail
from intake.config import Settings


class Automated(enum.StrEnum):
    BOUNCE = "bounce"
    AUTO_REPLY = "auto_reply"
    BULK = "bulk"
    OWN_MAIL = "own_mail"


_OUT_OF_OFFICE = re.compile(
    r"^\s*(\[?(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|ooo"
    r"|automatische antwort|autosvar|automatisch antwoord|abwesend"
    r"|away from (the |my )?office|on (annual )?leave|absence notice|abwesenheit"
    r"|r[ée]ponse automatique|delivery status notification|undeliverable|undelivered mail"
    r"|mail delivery (failed|failure|subsystem)|returned mail)\]?\b)",
    re.IGNORECASE,
)
_BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon")


def automated_reason(
    parsed: ParsedEmail, envelope_from: str | None, settings: Settings
) -> Automated | None:
    """Why this message must be ignored, or None for mail from a person.

    `envelope_from` is the SMTP MAIL FROM ("" for the null sender `<>`), or None when the
    message did not arrive over SMTP (the HTTP endpoint has no envelope).
    """
    headers = parsed.headers
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return Automated.BOUNCE
    if parsed.content_type == "multipart/report" or headers.get("x-failed-recipients"):
        return Automated.BOUNCE
    local_part = parsed.from_address.split("@", 1)[0]
    if local_part in _BOUNCE_SENDERS:
        return Automated.BOUNCE
    if _is_own_mail(parsed, envelope_from, settings):
        return Automated.OWN_MAIL
    auto_submitted = headers.get("auto-submitted", "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return Automated.AUTO_REPLY
    if headers.get("x-autoreply") or headers.get("x-autorespond"):
        return Automated.AUTO_REPLY
    if headers.get("precedence", "").strip().lower() in ("bulk", "junk", "list", "auto_reply"):
        return Automated.BULK
    if _OUT_OF_OFFICE.match(parsed.subject):
        return Automated.AUTO_REPLY
    return None


def own_domain(settings: Settings) -> str:
    return settings.mail_from.rsplit("@", 1)[-1].strip().lower()


def _is_own_mail(parsed: ParsedEmail, envelope_from: str | None, settings: Settings) -> bool:
    ours = settings.mail_from.strip().lower()
    envelope = parseaddr(envelope_from or "")[1].lower()
    if ours in (parsed.from_address, envelope):
        return True
    # Our own Message-IDs carry our domain; a message with one is ours coming back.
    message_id = (parsed.message_id or "").lower()
    return message_id.endswith(f"@{own_domain(settings)}>") and message_id.startswith("<fd.")
