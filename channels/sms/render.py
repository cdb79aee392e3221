"""Questions, answers and summaries as text messages.

A reply can hold several messages. Everything but the summary goes in one message (up to
Twilio's 1,600 characters, which phones show as one text), because separate messages can
arrive in any order. The summary is long, so it goes in numbered pieces of two SMS segments.
"""

from __future__ import annotations

from twilio.twiml.messaging_response import MessagingResponse

from channels.sms import wording
from channels.twilio_common.labels import short_label
from forms.flow import FlowState, Step
from forms.questions import Group, question_for_key
from forms.summary import display_value, summarise

MESSAGE_MAX_CHARS = 1600  # Twilio's limit for one message body
# Two concatenated segments of 153 GSM characters: one screen on most phones.
SUMMARY_PIECE_CHARS = 306
# Long answers (what happened) are shortened in summaries; the referrer wrote them moments ago.
VALUE_MAX_CHARS = 80
_PIECE_NUMBER_ROOM = len("(10/10) ")


def prompt(step: Step, *, offer_same_number: bool = False) -> str:
    text = step.question.short_prompt
    if step.index:
        if step.question.group is Group.CHILD:
            text = f"About child {step.number}: {text}"
        else:
            text = f"About person {step.number} in the home: {text}"
    if step.key == "referrer_phone" and offer_same_number:
        text += " Reply SAME to use the number you are texting from."
    return text


def previous_answer(state: FlowState, key: str) -> str | None:
    """ "Your answer was: ..." for a question the referrer went back to, if it was answered."""
    if state.answers.get(key) is None:
        return None
    question, _index = question_for_key(key)
    return wording.YOUR_ANSWER.format(value=_short(display_value(question, state.answers[key])))


def answer_lines(state: FlowState) -> list[tuple[str, str]]:
    """(key, "Label: value") for every answer, in the order they were asked."""
    lines: list[tuple[str, str]] = []
    for section in summarise(state):
        for row in section.rows:
            lines.append((row.key, f"{short_label(row.key)}: {_short(row.value)}"))
    return lines


def summary_messages(state: FlowState) -> list[str]:
    lines = [
        "Please check your answers:",
        *(line for _key, line in answer_lines(state)),
        wording.CONFIRM,
    ]
    return numbered(pack(lines, SUMMARY_PIECE_CHARS - _PIECE_NUMBER_ROOM))


def change_messages(state: FlowState) -> tuple[list[str], list[str]]:
    """The answers numbered for CHANGE, and the key behind each number."""
    rows = answer_lines(state)
    lines = [wording.CHANGE_PICK, *(f"{n}. {line}" for n, (_key, line) in enumerate(rows, 1))]
    return numbered(pack(lines, SUMMARY_PIECE_CHARS - _PIECE_NUMBER_ROOM)), [k for k, _ in rows]


def one_message(parts: list[str]) -> list[str]:
    """Parts of a reply as one message, or as few as Twilio's length limit allows."""
    return pack(parts, MESSAGE_MAX_CHARS, separator="\n\n")


def pack(lines: list[str], limit: int, *, separator: str = "\n") -> list[str]:
    """Lines gathered into pieces of at most `limit` characters, splitting only long lines."""
    pieces: list[str] = []
    current = ""
    for line in lines:
        for chunk in _split_long(line, limit):
            candidate = f"{current}{separator}{chunk}" if current else chunk
            if len(candidate) <= limit:
                current = candidate
            else:
                pieces.append(current)
                current = chunk
    if current:
        pieces.append(current)
    return pieces


def numbered(pieces: list[str]) -> list[str]:
    if len(pieces) < 2:
        return pieces
    return [f"({n}/{len(pieces)}) {piece}" for n, piece in enumerate(pieces, 1)]


def _split_long(line: str, limit: int) -> list[str]:
    chunks: list[str] = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        chunks.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    chunks.append(line)
    return chunks


def _short(value: str) -> str:
    flat = " ".join(value.split())
    if len(flat) <= VALUE_MAX_CHARS:
        return flat
    return flat[: VALUE_MAX_CHARS - 3].rstrip() + "..."


def twiml(messages: list[str]) -> str:
    """The messages as a TwiML reply; no messages is an empty `<Response/>`, which sends nothing."""
    response = MessagingResponse()
    for message in messages:
        response.message(message)
    return str(response)
