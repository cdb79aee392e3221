"""Split an email body into what the sender wrote now, their signature, and the history below.

Professionals' emails carry a lot that is not the referral: the signature, a confidentiality
footer, "Sent from my iPhone", and the whole earlier thread quoted underneath (">" lines, "On ...
wrote:", Outlook's "From: ... Sent: ..." block). All of that is dropped from the new text, except
a *forwarded* message: a colleague's forwarded email is often the referral itself, so it is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from channels.email.parse import FORWARD_MARKER

# A signature block is short; a "Thanks," followed by three paragraphs is not a sign-off.
MAX_SIGNATURE_LINES = 12

_ATTRIBUTION = re.compile(r"^\s*on\b.{3,300}\bwrote:\s*$", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(r"^\s*-{2,}\s*original message\s*-{2,}\s*$", re.IGNORECASE)
_FORWARDED = re.compile(
    r"^\s*(-{3,}\s*forwarded message\s*-{3,}|begin forwarded message:?|-{3,}\s*forwarded by\b.*)\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(from|van|de)\*?:\s*\S", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(r"^\s*\*?(sent|date|verzonden|envoy[ée])\*?:\s*\S", re.IGNORECASE)
_RULE = re.compile(r"^\s*_{10,}\s*$")
_HEADER_LINE = re.compile(
    r"^\s*\*?(from|sent|date|to|cc|bcc|subject|reply-to|importance)\*?:", re.IGNORECASE
)
_SIG_DASHES = re.compile(r"^(--|-- |__)\s*$")
_SIGN_OFF = re.compile(
    r"^\s*((kind(est)?|best|warm(est)?|many|with (best|kind|warm))\s+(regards|wishes|thanks)"
    r"|regards|best|thanks|thank you|many thanks|thanks again|cheers|all the best|take care"
    r"|yours (sincerely|faithfully|truly)|with thanks|respectfully)\s*[,.!]*\s*$",
    re.IGNORECASE,
)
_DEVICE_LINE = re.compile(
    r"^\s*(sent from (my )?\w[\w ]{0,40}|get outlook for \w+|sent via \w[\w ]{0,40})\s*$",
    re.IGNORECASE,
)
_FOOTER = re.compile(
    r"(this (e-?mail|message|communication)\b.{0,80}\b(confidential|privileged|intended (solely|only))"
    r"|intended (solely|only) for the (use of the )?(addressee|individual|recipient|person)"
    r"|if you (have )?received this (e-?mail|message|communication) in error"
    r"|^\s*(disclaimer|confidentiality (notice|statement|disclaimer))\b"
    r"|please consider the environment before printing"
    r"|views (or opinions )?expressed in this (e-?mail|message)"
    r"|this e-?mail has been scanned)",
    re.IGNORECASE,
)
_EXTERNAL_BANNER = re.compile(
    r"^\s*\[?(caution|warning|external)\]?\b.{0,200}\b(outside|external)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Body:
    # What the sender wrote now, plus any forwarded message, without signature or history.
    new_text: str
    # The sender's own signature, for their name, role, organisation and phone.
    signature: str
    # The text above the history with ">" lines kept: replies written between quoted questions.
    inline_text: str


def split_body(text: str, *, forwarded: bool = False, sender_name: str = "") -> Body:
    """`sender_name` is the From header's display name: a signature with no sign-off above it
    (Outlook's automatic one: name, role, school) is known by starting with it."""
    lines = text.replace("\r\n", "\n").split("\n")
    cut, is_forward, attribution = _history_start(lines, forwarded)
    if attribution and _answered_inline(lines[cut + attribution :]):
        # "On … wrote:" above our quoted questions with an answer typed under each: the answers
        # are what they wrote now. Only the attribution is history.
        lines = lines[:cut] + lines[cut + attribution :]
        cut = len(lines)
    top = _drop_banners(_drop_footer(lines[:cut]))
    start, end = _signature_span(top)
    if start == len(top):
        start, end = _named_signature_span(top, sender_name)
    # The sign-off or "-- " line itself says nothing about the sender.
    signature = [line for line in top[start + 1 : end] if not _DEVICE_LINE.match(line)]
    written = top[:start] + top[end:]
    new_lines = [line for line in written if not _is_quoted(line) and not _DEVICE_LINE.match(line)]
    new_text = _tidy(new_lines)
    if is_forward:
        new_text = f"{new_text}\n\n{_forwarded_content(lines[cut:])}".strip()
    return Body(
        new_text=new_text,
        signature=_tidy(signature),
        inline_text=_tidy([line for line in written if not _DEVICE_LINE.match(line)]),
    )


def _history_start(lines: list[str], forwarded: bool) -> tuple[int, bool, int]:
    """Where the earlier thread (or a forwarded message) begins, whether it is a forward, and
    how many lines its "On … wrote:" attribution takes (0 when it starts otherwise; 2 when the
    attribution is wrapped)."""
    for index, line in enumerate(lines):
        if _FORWARDED.match(line) or line.strip() == FORWARD_MARKER:
            return index, True, 0
        if _ORIGINAL_MESSAGE.match(line):
            return index, forwarded, 0
        if not _is_quoted(line):
            if _ATTRIBUTION.match(line):
                return index, False, 1
            if index + 1 < len(lines) and _ATTRIBUTION.match(f"{line} {lines[index + 1]}"):
                return index, False, 2
        if _RULE.match(line) and _outlook_block_at(lines, index + 1):
            return index, forwarded, 0
        if _outlook_block_at(lines, index):
            return index, forwarded, 0
    return len(lines), False, 0


def _answered_inline(history: list[str]) -> bool:
    """Whether the history under an "On … wrote:" line has the sender's own lines written
    between its quoted ones, as a reply typed in among the questions is."""
    after_quote = False
    for line in history:
        if not line.strip():
            continue
        if _is_quoted(line):
            after_quote = True
        elif after_quote:
            return True
    return False


def _outlook_block_at(lines: list[str], index: int) -> bool:
    if index >= len(lines) or not _OUTLOOK_FROM.match(lines[index]):
        return False
    return any(_OUTLOOK_SENT.match(line) for line in lines[index + 1 : index + 5])


def _signature_span(lines: list[str]) -> tuple[int, int]:
    """The signature's first line (a sign-off or "-- ") and the line after its end."""
    for index, line in enumerate(lines):
        if _is_quoted(line):
            continue
        if _SIG_DASHES.match(line) or _SIGN_OFF.match(line):
            end = index + 1
            while end < len(lines) and not _is_quoted(lines[end]):
                end += 1
            body_lines = [x for x in lines[index + 1 : end] if x.strip()]
            # Written text after the sign-off means it was not one ("Thanks for calling. ...").
            if len(body_lines) <= MAX_SIGNATURE_LINES and not _has_prose(body_lines):
                return index, end
    return len(lines), len(lines)


def _named_signature_span(lines: list[str], sender_name: str) -> tuple[int, int]:
    """A last paragraph that starts with the sender's own name ("Priya Sharma", or "Priya"),
    with no sign-off above it: the span starts at the blank line before it, which is dropped as
    a sign-off line would be. Only the sender's name marks it: "Social Care" or "CAMHS" alone
    on the last line may well be an answer."""
    words = sender_name.split()
    names = {" ".join(words).lower(), words[0].lower()} if words else set()
    names = {n for n in names if len(n) >= 2}
    if not names:
        return len(lines), len(lines)
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and lines[start - 1].strip() and not _is_quoted(lines[start - 1]):
        start -= 1
    block = lines[start:end]
    if (
        start == 0  # the whole email is one paragraph: not a signature under something
        or lines[start - 1].strip()  # straight under a quoted line: an answer, not a sign-off
        or not block
        or block[0].strip().strip(",").lower() not in names
        or len(block) > MAX_SIGNATURE_LINES
        or _has_prose(block)
    ):
        return len(lines), len(lines)
    return start - 1, end


def _has_prose(lines: list[str]) -> bool:
    return any(len(line.strip()) > 120 for line in lines)


def _drop_footer(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if _FOOTER.search(line):
            start = index
            while start > 0 and lines[start - 1].strip():
                start -= 1
            return lines[:start]
    return lines


def _drop_banners(lines: list[str]) -> list[str]:
    """External-sender warnings that mail systems put at the top of the body."""
    kept = list(lines)
    while kept and not kept[0].strip():
        kept.pop(0)
    if kept and _EXTERNAL_BANNER.match(kept[0]):
        end = 0
        while end < len(kept) and kept[end].strip():
            end += 1
        kept = kept[end:]
    return kept


def _forwarded_content(lines: list[str]) -> str:
    """A forwarded message without its marker, header lines and footer."""
    body = list(lines)
    if body and (_FORWARDED.match(body[0]) or body[0].strip() == FORWARD_MARKER):
        body = body[1:]
    if body and (_ORIGINAL_MESSAGE.match(body[0]) or _RULE.match(body[0])):
        body = body[1:]
    while body and (not body[0].strip() or _HEADER_LINE.match(body[0])):
        body = body[1:]
    body = _drop_footer(body)
    return _tidy([_unquote(line) for line in body if not _DEVICE_LINE.match(line)])


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _unquote(line: str) -> str:
    return re.sub(r"^\s*(>\s?)+", "", line)


def _tidy(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
