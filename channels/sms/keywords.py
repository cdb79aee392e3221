"""Words that mean something at any point in an SMS conversation, whatever was asked."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from channels.danger import says_danger_now


class Command(enum.StrEnum):
    HELP = "help"
    BACK = "back"
    CHANGE = "change"
    RESTART = "restart"
    RESUME = "resume"
    OPT_OUT = "opt_out"


# Twilio's standard opt-out words. Twilio acts on these itself (it stops sending to the number
# and replies with its own confirmation), and any reply we sent would be refused, so these end
# the conversation and get an empty response.
OPT_OUT_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)

_COMMANDS = {
    "HELP": Command.HELP,
    "INFO": Command.HELP,
    "BACK": Command.BACK,
    "GO BACK": Command.BACK,
    "CHANGE": Command.CHANGE,
    "RESTART": Command.RESTART,
    "START AGAIN": Command.RESTART,
    "RESUME": Command.RESUME,
    "CONTINUE": Command.RESUME,
    "CARRY ON": Command.RESUME,
}

_TRAILING_PUNCTUATION = re.compile(r"[\s.!?]+$")

_COURTESIES = frozenset(
    {
        "thanks", "thank you", "thankyou", "thx", "ty", "ta", "cheers", "ok", "okay", "k",
        "thank you very much", "thanks very much", "many thanks", "bye", "yes", "y", "great",
        "👍", "🙏",
    }
)  # fmt: skip

# A message this short that says a child is in danger now is an alarm, not an answer to the
# question asked (a free-text answer is taken as well).
_ALARM_MAX_CHARS = 80


def read_command(text: str) -> tuple[Command | None, str]:
    """The command a message is, if any, and what follows it ("CHANGE 3" gives "3")."""
    words = _TRAILING_PUNCTUATION.sub("", text.strip()).upper()
    if words in OPT_OUT_WORDS:
        return Command.OPT_OUT, ""
    if words in _COMMANDS:
        return _COMMANDS[words], ""
    first, _, rest = words.partition(" ")
    if first == "CHANGE" and rest.strip().isdigit():
        return Command.CHANGE, rest.strip()
    return None, ""


@dataclass(frozen=True)
class Danger:
    """What a message says of danger, read once per message (the NLP reading is not free)."""

    mentioned: bool  # it says a child is in danger now: the 999 advice goes first
    alarm: bool  # and it is short: a call for help, not an answer to the question asked


def read_danger(text: str) -> Danger:
    mentioned = says_danger_now(text)
    return Danger(mentioned, mentioned and len(text.strip()) <= _ALARM_MAX_CHARS)


def is_courtesy(text: str) -> bool:
    """Only thanks or an OK ("thanks!", "ok", "👍"), or YES again."""
    return _TRAILING_PUNCTUATION.sub("", text.strip().lower()) in _COURTESIES
