"""What a caller said or pressed, turned into an answer the question can parse.

Speech recognition writes numbers as words ("seven", "third"), adds full stops, and spells
out email addresses; keypads give only digits. The flow's parsers expect what a person would
type, so each kind of question gets what it needs here and nothing more: a name is left as
it was heard (apart from the full stop), a postcode has its number words made digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from forms.parsing import NUMBER_WORDS
from forms.questions import Kind, Question

# Below this, Twilio is guessing: ask again rather than store a guess about a child.
MIN_CONFIDENCE = 0.5

# The keypad key for "I can't answer this": skip an optional question, or ask for a call back.
CANNOT_ANSWER_KEY = "*"

_NUMBERS = {w: str(i) for w, i in NUMBER_WORDS.items()}
_NUMBERS["oh"] = "0"
_NUMBERS["o"] = "0"
_ORDINALS = {
    w: f"{i}"
    for i, w in enumerate(
        [
            "zeroth",
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
            "thirteenth",
            "fourteenth",
            "fifteenth",
            "sixteenth",
            "seventeenth",
            "eighteenth",
            "nineteenth",
            "twentieth",
        ]
    )
}
_TENS_ORDINALS = {"twenty": 20, "thirty": 30}
_TRAILING = re.compile(r"[\s.!?,]+$")

COMMANDS = {
    "go back": "back",
    "back": "back",
    "previous question": "back",
    "start again": "restart",
    "restart": "restart",
    "help": "help",
    "repeat": "repeat",
    "say that again": "repeat",
    "pardon": "repeat",
    "skip": "skip",
}


@dataclass(frozen=True)
class Heard:
    """One reply to a `<Gather>`: what was said (with Twilio's confidence) or pressed."""

    speech: str = ""
    confidence: float | None = None
    digits: str = ""

    @property
    def silent(self) -> bool:
        return not self.speech and not self.digits

    @property
    def unsure(self) -> bool:
        """Speech Twilio was not confident of (a key press is never unsure)."""
        return not self.digits and self.confidence is not None and self.confidence < MIN_CONFIDENCE

    @property
    def as_text(self) -> str:
        return self.speech if self.speech else self.digits


def read_heard(form: Any) -> Heard:
    speech = _TRAILING.sub("", str(form.get("SpeechResult", "") or "")).strip()
    digits = str(form.get("Digits", "") or "").strip()
    try:
        confidence: float | None = float(form.get("Confidence", ""))
    except ValueError:
        confidence = None
    return Heard(speech=speech, confidence=confidence, digits=digits)


def command(heard: Heard) -> str | None:
    """A spoken command ("go back", "help"), only when it is the whole reply."""
    return COMMANDS.get(heard.speech.lower().strip()) if heard.speech else None


def keyed(question: Question, digits: str, caller: str | None) -> Any:
    """The answer a key press stands for, or None if this question cannot be keyed."""
    if not digits or not digits.isdigit():
        return None
    match question.kind:
        case Kind.YES_NO:
            return {"1": "yes", "2": "no"}.get(digits)
        case Kind.CHOICE:
            return digits
        case Kind.MULTI_CHOICE:
            picked = [int(d) for d in digits]
            if all(1 <= n <= len(question.choices) for n in picked):
                return [question.choices[n - 1].value for n in picked]
            return digits
        case Kind.DATE_OF_BIRTH | Kind.EXPECTED_DATE:
            if len(digits) in (6, 8):
                return f"{digits[:2]} {digits[2:4]} {digits[4:]}"
            return digits
        case Kind.AGE:
            return digits
        case Kind.PHONE:
            return caller if digits == "1" and caller else digits
    return None


# "It's post code L S six...", "my postcode is...": the words before the postcode itself.
_POSTCODE_LEAD_IN = re.compile(
    r"^\s*(?:(?:it'?s|it\s+is|my|our|the|his|her|their|and)\s+)*post\s*code\s*(?:is\s+)?",
    re.IGNORECASE,
)


def spoken(question: Question, speech: str) -> str:
    """What was said, in the form the question's parser reads."""
    match question.kind:
        case Kind.DATE_OF_BIRTH | Kind.EXPECTED_DATE:
            return _dates(speech)
        case Kind.AGE:
            return _number_words(speech)
        case Kind.POSTCODE:
            return _number_words(_POSTCODE_LEAD_IN.sub("", speech))
        case Kind.PHONE:
            return _phone(speech)
        case Kind.EMAIL:
            return _email(speech)
    return speech


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'@.+-]+", text.lower())


def _number_words(text: str) -> str:
    return " ".join(_NUMBERS.get(w, w) for w in _words(text))


def _dates(text: str) -> str:
    """ "the third of April twenty fifteen" -> "3 of april 2015"."""
    words = _words(text)
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if word in _TENS_ORDINALS and nxt in _ORDINALS:
            out.append(str(_TENS_ORDINALS[word] + int(_ORDINALS[nxt])))
            i += 2
            continue
        if word == "thirtieth":
            out.append("30")
        elif word in _ORDINALS:
            out.append(_ORDINALS[word])
        elif word == "two" and nxt == "thousand":
            # "two thousand and nine"
            i += 2
            if i < len(words) and words[i] == "and":
                i += 1
            year = 2000
            if i < len(words) and words[i] in _NUMBERS:
                year += int(_NUMBERS[words[i]])
                i += 1
            out.append(str(year))
            continue
        elif word == "twenty" and nxt in _NUMBERS and int(_NUMBERS[nxt]) >= 10:
            out.append(f"20{_NUMBERS[nxt]}")  # "twenty fifteen"
            i += 2
            continue
        elif word != "the":
            out.append(word)
        i += 1
    return " ".join(out)


def _phone(text: str) -> str:
    digits: list[str] = []
    words = _words(text)
    i = 0
    while i < len(words):
        word, nxt = words[i], words[i + 1] if i + 1 < len(words) else ""
        if word in ("double", "triple") and nxt:
            digit = _NUMBERS.get(nxt, nxt)
            digits.append(digit * (2 if word == "double" else 3))
            i += 2
            continue
        digits.append(_NUMBERS.get(word, word))
        i += 1
    return "".join(digits)


def _email(text: str) -> str:
    email = re.sub(r"\s+at\s+", "@", f" {text.lower()} ")
    email = re.sub(r"\s+dot\s+", ".", email)
    return re.sub(r"\s+", "", email)
