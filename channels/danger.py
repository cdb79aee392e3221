"""Whether a text, an email or a caller's words say a child is in danger now, whatever was asked.

A frightened person does not wait for the question about danger: "he's got a knife now" may
come as the answer to "What is your phone number?". Two readings, either of which is enough:

- a few words that always mean it ("999", "emergency", "in danger now"), by pattern: instant,
  and sure for a message too short to mean anything else;
- the NLP's own reading of the words (`nlp.extract`): the immediate-danger indicator ("she's not
  safe tonight", "he's going to kill her", "please help he's hitting her"), or a weapon said to
  be there now ("he's got a knife now"), neither denied ("she's safe now") nor in the past
  ("she was in danger last year").
"""

from __future__ import annotations

import logging
import re

from sqlalchemy.orm import Session

from forms import flow
from forms.flow import FlowState
from forms.parsing import format_phone_for_display
from intake import service
from intake.models import Contact
from nlp.extraction import Extraction

log = logging.getLogger(__name__)

# The words kept as the answer to the danger question when they came unasked (a whole email).
SAID_MAX_CHARS = 2000

# Words that say a child is in danger now, in any text.
_DANGER_NOW = r"\bin\s+(?:immediate\s+)?danger\s+(?:right\s+)?now\b|\bdanger\s+now\b"
_DANGER_NOW_PHRASES = re.compile(_DANGER_NOW, re.IGNORECASE)
# In a short reply, also "999" on its own (not inside a phone number) and "emergency" ("emergency
# department" and the "emergency duty team" are places, not emergencies).
_DANGER_WORDS = re.compile(
    r"(?<![\d+])999(?!\d)|" + _DANGER_NOW + r"|\bemergency\b"
    r"(?!\s+(?:department|dept|services?|duty|contact|room|unit|team))",
    re.IGNORECASE,
)
# A weapon is danger now only when the words put it here and now.
_HERE_AND_NOW = re.compile(
    r"\b(?:now|right now|at the moment|tonight|here|outside|in the house|waving|threatening)\b",
    re.IGNORECASE,
)


# "Not in danger now", "no need for 999": a few words before the danger words deny them.
_DENIED_BEFORE = re.compile(
    r"\b(?:not|no|never|isn'?t|aren'?t|wasn'?t|nobody|none)\W+(?:\w+\W+){0,3}$"
)


def says_danger_now(text: str, *, account: bool = False) -> bool:
    """`account`: a whole written account (an email), not a reply of a few words. There "999"
    and "emergency" are as often the past ("police were called via 999 on Saturday") or a name
    ("emergency foster care"), so only the NLP's reading, which knows past and denied, decides;
    the sure phrases ("in danger right now") still count."""
    if not text or not text.strip():
        return False
    words = _DANGER_NOW_PHRASES if account else _DANGER_WORDS
    for found in words.finditer(text):
        if not _DENIED_BEFORE.search(text[: found.start()].lower()):
            return True
    extraction = _extract(text)
    if extraction is None:
        return False
    for mention in extraction.mentions:
        if mention.negated or mention.historical:
            continue
        if mention.code == "immediate_danger":
            return True
        if mention.code == "weapon" and _HERE_AND_NOW.search(text):
            return True
    return False


def _extract(text: str) -> Extraction | None:
    # Imported here: spaCy is heavy, and a worker or the email intake may never need it.
    from nlp import extract

    try:
        return extract(text)
    except Exception as exc:
        # The pattern check above has run; a failure here must not stop the conversation.
        log.warning("danger check skipped the NLP: %s", type(exc).__name__)
        return None


def mark(session: Session, contact: Contact, channel: str) -> None:
    """Mark a referral as reported in danger now: an event, and the contact marked, so that
    officers see an unfinished referral in danger first among drafts."""
    service.event(session, contact, "danger_reported", channel=channel)
    contact.immediate_danger = True


def flag(
    session: Session, contact: Contact, state: FlowState, said: str | None, channel: str
) -> None:
    """A referral whose referrer said a child is in danger now, whatever was being asked: marked,
    and the danger question answered yes with their words (if it is not already)."""
    mark(session, contact, channel)
    if state.answers.get("immediate_danger") is not True:
        flow.record(state, "immediate_danger", True, "referrer")
        service.record_answer(session, contact, "immediate_danger", said, True, channel)


def duty_line(duty_phone_number: str) -> str:
    """The sentence that gives the duty line, for any channel ("" when there is none)."""
    if not duty_phone_number:
        return ""
    return (
        f" To speak to the duty social worker now, call "
        f"{format_phone_for_display(duty_phone_number)}."
    )
