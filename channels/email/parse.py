"""Read one raw RFC 822 message into what intake needs: headers, the body as text, attachments.

Uses the standard library's `email` package with `policy.default`. Nothing here raises on a
malformed message: a header that cannot be read is treated as absent, a part that cannot be
decoded is decoded with replacement characters, and garbage simply yields an empty message.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from email.utils import getaddresses, parseaddr

from channels.email.html_text import html_to_text

log = logging.getLogger(__name__)

# What a forwarded message (a message/rfc822 part) looks like once inlined into the text, so the
# reply splitter keeps it as forwarded content rather than dropping it as quoted history.
FORWARD_MARKER = "---------- Forwarded message ----------"

_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
# Labels that mail programs declare but mean Windows-1252 in practice (the WHATWG rule).
_CP1252_ALIASES = frozenset({"iso-8859-1", "latin-1", "latin1", "iso8859-1", "us-ascii", "ascii"})
_MAX_PARTS = 200  # a message with more parts than this is hostile, not a referral


@dataclass(frozen=True)
class RawAttachment:
    filename: str
    declared_type: str
    data: bytes


@dataclass
class ParsedEmail:
    message_id: str | None = None
    from_address: str = ""
    from_name: str = ""
    subject: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    content_type: str = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""
    attachments: list[RawAttachment] = field(default_factory=list)
    # Whether the body holds a forwarded message: its content is the referral, not history.
    forwarded: bool = False

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this message answers, nearest first."""
        return [*self.in_reply_to, *reversed(self.references)]


# Headers read to recognise automatic mail; kept lower-cased by name.
_SIGNAL_HEADERS = (
    "auto-submitted",
    "precedence",
    "x-autoreply",
    "x-autorespond",
    "x-auto-response-suppress",
    "x-failed-recipients",
    "return-path",
)


def parse_email(raw: bytes) -> ParsedEmail:
    message = message_from_bytes(raw, policy=policy.default)
    parsed = ParsedEmail(
        message_id=_first_message_id(_header(message, "Message-ID")),
        subject=_clean_header(_header(message, "Subject")),
        in_reply_to=_message_ids(_header(message, "In-Reply-To")),
        references=_message_ids(_header(message, "References")),
        content_type=message.get_content_type(),
        headers={name: _header(message, name) for name in _SIGNAL_HEADERS},
    )
    parsed.from_name, parsed.from_address = _sender(message)
    texts: list[str] = []
    _walk(message, texts, parsed, budget=[_MAX_PARTS])
    parsed.text = "\n\n".join(t for t in texts if t.strip()).strip()
    parsed.forwarded = parsed.forwarded or bool(
        re.match(r"^\s*(fwd?|fw)\s*:", parsed.subject, re.IGNORECASE)
    )
    return parsed


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError, AttributeError):
        # policy.default parses headers lazily; a badly broken one is treated as absent.
        return ""
    return "" if value is None else str(value)


def _clean_header(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()[:500]


def _first_message_id(value: str) -> str | None:
    ids = _message_ids(value)
    if ids:
        return ids[0]
    value = value.strip()
    # Some senders omit the angle brackets; keep what they sent so duplicates still match.
    return f"<{value[:250]}>" if value and " " not in value else None


def _message_ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value)[:50]


def _sender(message: Message) -> tuple[str, str]:
    raw = _header(message, "From")
    try:
        pairs = getaddresses([raw])
    except (ValueError, TypeError):
        pairs = [parseaddr(raw)]
    for name, address in pairs:
        if "@" in address:
            return _clean_header(name), address.strip().lower()
    return "", ""


def _walk(part: Message, texts: list[str], parsed: ParsedEmail, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        return
    ctype = part.get_content_type()
    # Before the multipart check: the email package counts a message/rfc822 part as multipart.
    if ctype == "message/rfc822":
        _walk_forwarded(part, texts, parsed, budget)
        return
    if part.is_multipart():
        children = _children(part)
        if ctype == "multipart/alternative":
            children = _preferred_alternative(children)
        for child in children:
            _walk(child, texts, parsed, budget)
        return
    disposition = (part.get_content_disposition() or "").lower()
    filename = _filename(part)
    if disposition == "attachment" or (filename and ctype not in ("text/plain", "text/html")):
        _add_attachment(part, filename, parsed)
        return
    if ctype == "text/plain":
        texts.append(decode_text(part))
    elif ctype == "text/html":
        texts.append(html_to_text(decode_text(part)))
    elif filename or disposition == "inline":
        _add_attachment(part, filename, parsed)


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _preferred_alternative(children: list[Message]) -> list[Message]:
    """Plain text when the sender wrote it; otherwise the richest version (the last one)."""
    for child in children:
        if child.get_content_type() == "text/plain" and decode_text(child).strip():
            return [child]
    return children[-1:]


def _walk_forwarded(
    part: Message, texts: list[str], parsed: ParsedEmail, budget: list[int]
) -> None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return
    parsed.forwarded = True
    inner_texts: list[str] = []
    _walk(inner, inner_texts, parsed, budget)
    header_lines = [
        f"{name}: {value}"
        for name in ("From", "Date", "Subject")
        if (value := _clean_header(_header(inner, name)))
    ]
    texts.append("\n".join([FORWARD_MARKER, *header_lines, "", *inner_texts]))


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except (ValueError, TypeError, IndexError, AttributeError):
        return ""
    return name or ""


def _add_attachment(part: Message, filename: str, parsed: ParsedEmail) -> None:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError):
        data = None
    if not isinstance(data, bytes) or not data:
        return
    parsed.attachments.append(RawAttachment(filename, part.get_content_type(), data))


def decode_text(part: Message) -> str:
    """A text part's content as str, surviving wrong or unknown charset labels."""
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError):
        return ""
    if not isinstance(data, bytes):
        return ""
    charset = (part.get_content_charset() or "us-ascii").lower()
    return decode_bytes(data, charset).replace("\r\n", "\n").replace("\r", "\n")


def decode_bytes(data: bytes, charset: str) -> str:
    # UTF-8 first for "ascii"/"latin-1" labels: mislabelled UTF-8 is common, and a byte string
    # that decodes as UTF-8 is almost never meant as anything else.
    candidates = ["utf-8", "windows-1252"] if charset in _CP1252_ALIASES else [charset, "utf-8"]
    for candidate in candidates:
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("windows-1252", errors="replace")
