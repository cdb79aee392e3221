"""Details for pre-filling answers: dates of birth, ages, postcodes, phone numbers, emails,
names and schools.

These are surface forms, so they are found with a handful of regular expressions over the
text (each one pass, no per-pattern scan of the doc) and `phonenumbers`; only what the text
says outright is taken.

Speed: a pattern is run only on a text that holds the characters or words it needs (a digit,
"(", "age"...), and the case-insensitive patterns run, without IGNORECASE, over the lower-cased
text when the text is ASCII (nearly every referral): Python's case-insensitive matching costs
several times the plain one, and for ASCII text the two find the same matches at the same
offsets. Text with other characters gets the IGNORECASE patterns, whose Unicode case folding
("ſ" is an "s", "K" a "k") lower-casing does not reproduce. A name is taken only where the text says whose it is ("my name is",
"Dad, Mark Jones,"), a date only where it is said to be a date of birth, and dates are read
day first, the British way. Offsets index the text given, which has the same length as the
original (see `nlp.pipeline.clean_text`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, compress
from typing import ClassVar, Final

import phonenumbers
from spacy.lang.en.stop_words import STOP_WORDS

from forms.parsing import NUMBER_WORDS
from nlp.extraction import Age, AgeUnit, Detail, Entities, Name


def _lower_case_source(source: str) -> str:
    """A pattern's source with its letters lower-cased, but not its escapes (\\S, \\W...) or
    named groups ("(?P<name>")."""
    return _SOURCE_PART.sub(lambda m: m.group(0) if m.group("keep") else m.group(0).lower(), source)


_SOURCE_PART = re.compile(r"(?P<keep>\\.|\(\?P)|[A-Z]+")


class _Caseless:
    """A case-insensitive pattern, compiled twice: with IGNORECASE for the text as given, and
    without it for the lower-cased form of an ASCII text (see the module docstring)."""

    def __init__(self, source: str) -> None:
        self.folded = re.compile(source, re.IGNORECASE)
        self.plain = re.compile(_lower_case_source(source))
        if self.plain.groupindex != self.folded.groupindex:
            raise ValueError(f"lower-casing changed the groups of {source!r}")


class _Openings:
    """The words (runs of \\w, in lower case) that a match of a pattern can begin with: these
    words, words that begin with one of `prefixes`, and words that `start` matches at their
    beginning; in a text that holds `needle`, if one is given (a pattern opening with "the" may
    need "child" further on). Each set of openings has a bit of its own in the mask that
    `_word_mask` gives a word."""

    every: ClassVar[list[_Openings]] = []

    def __init__(
        self,
        words: Iterable[str] = (),
        prefixes: tuple[str, ...] = (),
        start: re.Pattern[str] | None = None,
        needle: str = "",
    ) -> None:
        self.words = frozenset(words)
        self.prefixes = prefixes
        self.start = start
        self.needle = needle
        self.bit = 1 << len(_Openings.every)
        _Openings.every.append(self)

    def admit(self, word: str) -> bool:
        return (
            word in self.words
            or word.startswith(self.prefixes)
            or (self.start is not None and self.start.match(word) is not None)
        )


# word -> the bits of the openings it is one of. Words repeat from text to text, so each is
# looked at once; past this many the cache starts again (a new dict, so that a thread still
# reading the old one is not disturbed).
_MASK_CACHE_LIMIT: Final = 200_000
_word_masks: dict[bytes, int] = {}


def _word_mask(word: bytes) -> int:
    global _word_masks
    if len(_word_masks) >= _MASK_CACHE_LIMIT:
        _word_masks = {}
    text = word.decode("ascii")
    mask = 0
    for openings in _Openings.every:
        if openings.admit(text):
            mask |= openings.bit
    _word_masks[word] = mask
    return mask


def _matches_at(
    pattern: re.Pattern[str], text: str, starts: Iterable[int]
) -> Iterator[re.Match[str]]:
    """What `pattern.finditer(text)` finds, trying the pattern only at `starts` (ascending),
    which must include every offset where a match can begin."""
    position = 0
    for start in starts:
        if start >= position:
            match = pattern.match(text, start)
            if match is not None:
                yield match
                position = max(match.end(), start + 1)


# Characters that IGNORECASE matches to ASCII letters, but that lower-casing does not make
# into those letters ("ı", "ſ"), or does (the Kelvin sign) where a value is quoted in capitals.
_FOLDS_APART: Final = re.compile("[\u0131\u017f\u212a]")
# A character of \\w that is not ASCII (a letter or digit of another script, "é", "٣").
_NON_ASCII_WORD_CHAR: Final = re.compile(r"[^\W\x00-\x7f]")


class _Text:
    """A text and what the patterns need of it, worked out once.

    `plain` says whether the case-insensitive patterns may run, without IGNORECASE, over the
    lower-cased text: when it has the same offsets and folds case as IGNORECASE does, which is
    so of ASCII text and of most other text; not of text with "ı" or "ſ" (IGNORECASE finds an
    "i" and an "s" in them) or the Kelvin sign (a "k", which would be quoted in lower case),
    nor of text that lower-casing lengthens ("İ").

    Most patterns begin at a word, so rather than each one scanning the text, the text is cut
    into words once and a pattern is tried only where a word it can begin with starts. That
    needs `ascii_words`: a `plain` text whose words (runs of \\w) are all ASCII, as in ASCII
    text and in text whose other characters are not letters or digits ("£", "—", emoji). There
    the words are the same whether the other characters are seen as themselves or as spaces.
    """

    __slots__ = ("_openings", "ascii_words", "digits", "is_ascii", "lower", "plain", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.lower = text.lower()
        self.is_ascii = text.isascii()
        self.plain = self.is_ascii or (
            len(self.lower) == len(text) and not _FOLDS_APART.search(text)
        )
        self.ascii_words = self.is_ascii or (
            self.plain and _NON_ASCII_WORD_CHAR.search(text) is None
        )
        # How many digits: a date, an age in figures, a postcode and a phone number need some.
        # (\\d is any Unicode digit; in ASCII text, 0 to 9, which str.count finds faster.)
        if self.is_ascii:
            raw = text.encode()
            self.digits = len(raw) - len(raw.translate(None, b"0123456789"))
        else:
            self.digits = len(_DIGIT.findall(text))
        self._openings: list[tuple[int, int, bytes]] | None = None

    def openings(self) -> list[tuple[int, int, bytes]]:
        """(offset, mask, word) of each word that opens some pattern (`ascii_words` only)."""
        if self._openings is None:
            self._openings = self._find_openings()
        return self._openings

    def _find_openings(self) -> list[tuple[int, int, bytes]]:
        # The words are the runs of \\w; with everything else made a space, bytes.split finds
        # them, several times faster than a regular expression, which makes a match object
        # for each. Only the words that open a pattern need their offsets.
        # (Other than ASCII, only characters that are not \\w are here: each is encoded as
        # one "?", a space after translation, so that offsets in the bytes are offsets in
        # the text.)
        spaced = self.lower.encode("ascii", "replace").translate(_NOT_WORD_TO_SPACE)
        words = spaced.split()
        try:
            masks = list(map(_word_masks.__getitem__, words))
        except KeyError:
            masks = [_word_masks.get(word) or _word_mask(word) for word in words]
        padded = b" " + spaced + b" "
        found: list[tuple[int, int, bytes]] = []
        position = 0
        for word, mask in zip(compress(words, masks), filter(None, masks), strict=True):
            # the word's first occurrence from here as a whole word; its offset in `padded` is
            # that of the space before it, so its offset in the text
            start = padded.find(b" " + word + b" ", position)
            found.append((start, mask, word))
            position = start + len(word) + 1
        return found

    def _starts(self, openings: _Openings | tuple[_Openings, ...]) -> list[int]:
        """Where the words that can open a match start (`ascii_words` only)."""
        mask = 0
        for each in openings if isinstance(openings, tuple) else (openings,):
            if not each.needle or each.needle in self.lower:
                mask |= each.bit
        return [start for start, word_mask, _ in self.openings() if word_mask & mask]

    def finditer(
        self, pattern: _Caseless, openings: _Openings | None = None
    ) -> Iterator[re.Match[str]]:
        """The matches of a case-insensitive pattern, which begin at a word of `openings` if
        given. Their offsets index the text, but their groups may be in lower case: quote the
        text by offset where case matters."""
        if not self.plain:
            return pattern.folded.finditer(self.text)
        if openings is None or not self.ascii_words:
            return pattern.plain.finditer(self.lower)
        return _matches_at(pattern.plain, self.lower, self._starts(openings))

    def finditer_cased(
        self, pattern: re.Pattern[str], openings: _Openings | tuple[_Openings, ...]
    ) -> Iterator[re.Match[str]]:
        """The matches of a pattern (case-sensitive, or partly) in the text as given, which
        begin at a word of `openings`."""
        if not self.ascii_words:
            return pattern.finditer(self.text)
        return _matches_at(pattern, self.text, self._starts(openings))

    def search(self, pattern: _Caseless, start: int = 0, end: int | None = None) -> bool:
        """Whether a case-insensitive pattern matches in text[start:end], sliced as given."""
        if self.plain:
            return pattern.plain.search(self.lower[start:end]) is not None
        return pattern.folded.search(self.text[start:end]) is not None

    def match(self, pattern: _Caseless, position: int) -> re.Match[str] | None:
        if self.plain:
            return pattern.plain.match(self.lower, position)
        return pattern.folded.match(self.text, position)

    def may_hold(self, needles: tuple[str, ...]) -> bool:
        """False only if the text cannot hold any of these (lower-case, ASCII) strings in any
        case. Text that is not `plain` may hold them case-folded, so it always may."""
        return not self.plain or self.holds_any(needles)

    def holds_any(self, needles: Iterable[str]) -> bool:
        """Whether the lower-cased text holds any of these strings. (map() with `in` as a
        method: no Python frame per needle, as a generator expression would have.)"""
        return any(map(self.lower.__contains__, needles))


_MONTHS: Final[dict[str, int]] = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
# Ages are read in words up to "eighteen", the oldest a child referred can be; "twenty weeks
# old" is left to be written in figures, as it always has been here.
_NUMBER_WORDS: Final[dict[str, int]] = {w: n for w, n in NUMBER_WORDS.items() if n <= 18}
_NUMBER = r"\d{1,2}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))

_DATE = (
    rf"(?P<d1>\d{{1,2}})[/.\-](?P<m1>\d{{1,2}})[/.\-](?P<y1>\d{{4}}|\d{{2}})(?!\d)"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})\.?,?\s+(?P<y2>\d{{4}})"
    rf"|(?P<m3>{_MONTH})\.?\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{{4}})"
)
_DOB = _Caseless(
    rf"(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bborn\b(?:\s+on)?|\bb\.(?=\s*\d))"
    rf"\s*(?:[:\-–]|is|was)?\s*(?:on\s+)?(?:the\s+)?(?:{_DATE})"
)
# "Jordan Smith (03/04/2015)": a date in brackets straight after a name.
_NAMED_DATE = _Caseless(rf"[A-Z][a-z]+\s*\((?:{_DATE})\)")

_AGE_UNITS: Final[dict[str, AgeUnit]] = {
    "year": "years", "yr": "years", "month": "months", "mth": "months", "mnth": "months",
    "week": "weeks", "wk": "weeks", "day": "days",
}  # fmt: skip
_AGE_LIMITS: Final[dict[AgeUnit, int]] = {"years": 18, "months": 36, "weeks": 104, "days": 365}
_AGE_OLD = _Caseless(
    rf"\b(?P<n>{_NUMBER})\s*-?\s*(?P<unit>year|yr|month|mth|mnth|week|wk|day)s?\s*-?\s*old\b"
    rf"|\b(?P<n2>\d{{1,2}})\s*(?:yo|y/o|y\.o\.?)(?!\w)"
)
_AGED = _Caseless(
    rf"\b(?:aged|age)\s*[:\-]?\s*(?P<n>{_NUMBER})(?P<more>(?:\s*(?:,|and|&)\s*(?:{_NUMBER}))*)"
    rf"(?:\s+(?P<unit>year|month|week|day)s?)?(?![\d:%])\b"
)
# "she's 7", "Jordan is 8": found from the number back, since numbers are few and
# capitalised words are many.
_IS_AGE_BEFORE = _Caseless(
    r"\b(?:he|she|they|child|son|daughter|boy|girl|baby|[A-Z][a-z]+)(?:'s|\s+is|\s+was)\s+"
    r"(?:only\s+|just\s+|now\s+|nearly\s+|about\s+|almost\s+)?$"
)
_IS_AGE_ENDINGS: Final = ("is", "was", "'s", "only", "just", "now", "nearly", "about", "almost")
_IS_AGE_AFTER = _Caseless(
    r"\s*(?:%|am\b|pm\b|o'clock|:|\.\d|times|minutes|mins|hours|miles|pounds|kg|st\b|lbs|cm"
    r"|weeks?\s+pregnant|months?\s+pregnant|or\b|-\d)"
)
_IS_AGE_UNIT = _Caseless(r"\s+(?P<unit>year|month|week)s?\b")
_NUMBER_LIST = _Caseless(rf"\b(?:{_NUMBER})\b")

# What the matches of the patterns above begin with (see _Text).
_DIGITS: Final = tuple("0123456789")
_NUMBER_OPENINGS: Final = _Openings(
    words=frozenset(_NUMBER_WORDS) | {f"{n}" for n in range(100)} | {f"0{n}" for n in range(10)}
)
_AGE_OLD_OPENINGS: Final = _Openings(prefixes=(*_DIGITS, *_NUMBER_WORDS))
_AGED_OPENINGS: Final = _Openings(prefixes=("age",))
_DOB_OPENINGS: Final = _Openings(words=frozenset({"d", "do", "dob", "date", "born", "b"}))

_POSTCODE = _Caseless(r"\b(?P<out>[A-Z]{1,2}\d[A-Z\d]?|GIR)\s*(?P<in>\d[ABD-HJLNP-UW-Z]{2})\b")
# A postcode's outward code opens a word: one or two letters and a digit, or "GIR".
_POSTCODE_OPENINGS: Final = _Openings(start=re.compile(r"[a-z]{1,2}[0-9]|gir"))
_DIGIT = re.compile(r"\d")
# An ASCII character that is not \\w (a letter, a digit or "_") becomes a space.
_NOT_WORD_TO_SPACE: Final = bytes(
    c if chr(c).isalnum() or chr(c) == "_" else ord(" ") for c in range(256)
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")

_SCHOOL_TYPES = (
    r"Primary|Secondary|Junior|Juniors|Infant|Infants|High|Grammar|Academy|College|Nursery"
    r"|School|Pre-School|Preschool|Sixth\s+Form|Free\s+School|Community\s+School|PRU"
)
_SCHOOL = re.compile(
    rf"\b(?P<name>(?:St\.?\s+|Saint\s+)?(?:[A-Z][\w'’&\-]*\s+){{1,5}}?"
    rf"(?:C\s?of\s?E\s+|CE\s+|RC\s+|Catholic\s+|Church\s+of\s+England\s+|C\s?E\s+)?"
    rf"(?:{_SCHOOL_TYPES})(?:\s+(?:School|Academy|College|Nursery))?)\b"
)
_CAPITAL = re.compile(r"[A-Z](?<!\w[A-Z])")  # a capital that begins a word
_SCHOOL_LOWER = re.compile(
    r"\b(?:goes\s+to|attends|attending|pupil\s+at|student\s+at|year\s+\d+\s+at|nursery\s+is"
    r"|school\s+is|at)\s+(?P<name>(?:[a-z][\w'\-]*\s+){1,3}?"
    r"(?:primary|secondary|junior|juniors|infants?|high|grammar|academy|college|nursery)"
    r"(?:\s+school)?)\b"
)
_SCHOOL_LOWER_OPENINGS: Final = _Openings(
    words=frozenset(
        {"goes", "attends", "attending", "pupil", "student", "year", "nursery", "school", "at"}
    )
)
_NOT_SCHOOL_NAME: Final = frozenset(
    {"the", "a", "an", "his", "her", "their", "my", "our", "local", "new", "same", "special",
     "secondary", "primary", "yesterday", "today", "goes", "attends", "pupil", "student", "year",
     "mum", "dad", "at", "to", "from", "in", "school", "he", "she", "they", "nursery", "high",
     "junior", "infant", "infants", "college", "academy", "grammar", "next", "old", "previous",
     "current", "mainstream", "this", "that", "your", "when", "after", "before", "and", "or",
     "called", "contacted", "by", "of", "with", "for", "re", "regarding", "about"}
)  # fmt: skip

_NAME_WORD = r"[A-Z](?:'[A-Z])?[a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?"
_NAME = rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})"
_LOWER_NAME = r"(?P<lname>[a-z][a-z'\-]+(?:\s+[a-z][a-z'\-]+)?)"
_ROLES: Final[dict[str, str]] = {
    "mum": "mother", "mother": "mother", "mam": "mother", "mom": "mother",
    "dad": "father", "father": "father", "stepdad": "stepfather", "step-dad": "stepfather",
    "stepfather": "stepfather", "stepmum": "stepmother", "step-mum": "stepmother",
    "stepmother": "stepmother", "nan": "grandmother", "nana": "grandmother",
    "gran": "grandmother", "grandma": "grandmother", "grandmother": "grandmother",
    "grandad": "grandfather", "granddad": "grandfather", "grandfather": "grandfather",
    "brother": "brother", "sister": "sister", "uncle": "uncle", "aunt": "aunt",
    "auntie": "aunt", "carer": "carer", "partner": "partner", "son": "child",
    "daughter": "child", "child": "child", "grandson": "child", "granddaughter": "child",
    "boyfriend": "partner", "girlfriend": "partner",
}  # fmt: skip
_ROLE_WORDS = "|".join(sorted(_ROLES, key=len, reverse=True))
# "Dad, Mark Jones," "my mum Kelly Smith", "Mother: Kelly Smith": a role word, found first
# (cheap), then what follows it. A bare space before the name is allowed only after "my",
# "her"... or at the start of a sentence, where a capital does not start a name by itself.
_ROLE_AT = _Caseless(rf"\b(?P<det>(?:my|her|his|their|the)\s+)?(?P<role>{_ROLE_WORDS})\b")
_DETERMINERS: Final = _Openings(words=("my", "her", "his", "their", "the"))
# "step-dad" begins with the word "step"
_ROLE_OPENINGS: Final = _Openings(words={role.split("-")[0] for role in _ROLES})
_ROLE_TAIL = re.compile(
    rf"(?P<sep>\s*(?:,|\(|-|–|:)\s*|\s+(?:is\s+)?(?i:called|named)\s+|\s+){_NAME}"
)


@dataclass(frozen=True)
class _NamePattern:
    """A pattern for a name, with the role it gives ("" for the role word it names), and
    cheap tests that spare most texts most of the patterns: the text (in lower case) must hold
    one of `needles`; if ASCII, one of `words` too; and it must match `cue`, a part of the
    pattern that is quick to look for, if there is one."""

    pattern: re.Pattern[str]
    role: str
    needles: tuple[str, ...]
    words: tuple[str, ...] = ()
    cue: _Caseless | None = None
    openings: tuple[_Openings, ...] = ()  # (): it may begin anywhere


# Openings of the name patterns that need a further word in the text.
_THE_CHILD: Final = _Openings(words=("the",), needle="child")
_HER_NAME: Final = _Openings(words=("her", "his"), needle="name")
_SHE_IS_CALLED: Final = _Openings(words=("she", "he"), needle="called")


_NAME_PATTERNS: Final[tuple[_NamePattern, ...]] = (
    _NamePattern(re.compile(rf"\b(?i:my\s+name\s+is|my\s+name's|i\s+am\s+called|i'm\s+called)\s+{_NAME}"),
                 "referrer", ("name", "called"),
                 openings=(_Openings(words=("my", "i")),)),
    _NamePattern(re.compile(rf"\b(?:my\s+name\s+is|my\s+name's|i\s+am\s+called|i'm\s+called)\s+{_LOWER_NAME}"),
                 "referrer", ("name", "called"),
                 openings=(_Openings(words=("my", "i")),)),
    _NamePattern(re.compile(rf"\b(?i:this\s+is|i\s+am|i'm)\s+{_NAME}"
                            rf"(?=\s*(?:,|\.|from\b|calling\b|speaking\b|here\b|at\b|and\b|$))"),
                 "referrer", ("this is", "i am", "i'm"),
                 openings=(_Openings(words=("this", "i")),)),
    # Each of its openings holds one of `words` ("re:" holds ":"); "re" is in most texts.
    _NamePattern(re.compile(rf"\b(?i:(?:the\s+)?child(?:'s)?\s+(?:name\s+)?is(?:\s+called)?|child\s+is\s+called"
                            rf"|(?:the\s+)?child\s*[,:]|child'?s?\s+name\s*:|name\s+of\s+(?:the\s+)?child\s*:?"
                            rf"|young\s+person\s*:|yp\s*:|pupil\s*:|re\s*:|regarding\s*:?|concerning\s*:?"
                            rf"|(?:her|his)\s+name\s+is|(?:she|he)\s+is\s+called)\s+{_NAME}"),
                 "child", ("child", "re", "regarding", "concerning", "yp", "pupil", "young person", "name is", "called"),
                 words=("child", "name", "young", "yp", "pupil", ":", "regarding", "concerning", "called"),
                 openings=(_Openings(words=("name", "young", "yp", "pupil", "re", "regarding", "concerning"),
                                     prefixes=("child",)),
                           _THE_CHILD, _HER_NAME, _SHE_IS_CALLED)),
    _NamePattern(re.compile(rf"\b(?:(?:the\s+)?child(?:'s)?\s+(?:name\s+)?is\s+called|(?:her|his)\s+name\s+is"
                            rf"|(?:she|he)\s+is\s+called)\s+{_LOWER_NAME}"),
                 "child", ("called", "name is"),
                 openings=(_Openings(prefixes=("child",)), _THE_CHILD, _HER_NAME, _SHE_IS_CALLED)),
    _NamePattern(re.compile(rf"{_NAME}\s*(?:\(\s*|,\s*)(?i:d\.?o\.?b|date\s+of\s+birth|aged?\b|born\b)"),
                 "child", ("dob", "d.o.b", "birth", "aged", "age", "born"),
                 cue=_Caseless(r"[(,]\s*(?:d\.?o\.?b|date\s+of\s+birth|aged?\b|born\b)")),
    _NamePattern(re.compile(rf"{_NAME}\s*\(\s*(?P<role>(?i:{_ROLE_WORDS}))\s*\)"), "", ("(",),
                 cue=_Caseless(rf"\(\s*(?:{_ROLE_WORDS})\s*\)")),
)  # fmt: skip
_NOT_NAMES: Final = frozenset(
    {w.title() for w in STOP_WORDS}
    | {w.title() for w in _ROLES}
    | {"Mum", "Dad", "Police", "School", "Social", "Services", "Nursery", "Mr", "Mrs", "Ms",
       "Miss", "Dr", "Sir", "Madam", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
       "Saturday", "Sunday", "Today", "Yesterday", "Tomorrow", "Hi", "Hello", "Dear", "Thanks",
       "Please", "Worried", "Concerned", "Calling", "Ringing", "Writing", "Not", "Sure", "Sorry",
       "Primary", "Academy", "High", "College", "Year", "Reception", "Dob", "Aged", "Age", "Born",
       "Nan", "Gran", "Grandma", "Grandad", "Mam", "Mom", "Yes", "No", "Ok", "Okay", "Um", "Erm",
       "Re", "Child", "Young", "Person", "Referral", "Concern", "Concerns", "Unknown",
       "Just", "Really", "Very", "Also", "Still", "Now", "Then", "There", "Here", "Teacher",
       "Health", "Visitor", "Gp", "Nurse", "Doctor", "Officer", "Worker", "Manager", "Head",
       "Safeguarding", "Lead", "Designated", "Dsl", "Pc", "Ds", "Dc", "Sgt", "Neighbour"}
)  # fmt: skip


def find_details(text: str, today: dt.date | None = None) -> Entities:
    """Every detail the text states, each list in text order without repeats."""
    today = today or dt.date.today()
    prepared = _Text(text)
    return Entities(
        dates_of_birth=_unique(_dates_of_birth(prepared, today)),
        ages=_unique_ages(_ages(prepared)),
        postcodes=_unique(_postcodes(prepared)),
        phones=_unique(_phones(prepared)),
        emails=_unique(_emails(text)),
        names=_unique_names(_names(prepared)),
        schools=_unique(_schools(prepared)),
    )


# -- dates of birth ---------------------------------------------------------------------------


def _date_from(match: re.Match[str], today: dt.date) -> dt.date | None:
    groups = match.groupdict()
    try:
        if groups.get("d1"):
            day, month, year = int(groups["d1"]), int(groups["m1"]), int(groups["y1"])
            if len(groups["y1"]) == 2:
                year += 2000 if year <= today.year % 100 else 1900
        elif groups.get("d2"):
            day, year = int(groups["d2"]), int(groups["y2"])
            month = _MONTHS[groups["m2"].lower()]
        elif groups.get("d3"):
            day, year = int(groups["d3"]), int(groups["y3"])
            month = _MONTHS[groups["m3"].lower()]
        else:
            return None
        date = dt.date(year, month, day)
    except (ValueError, KeyError):
        return None
    # An expected date of birth may be up to a year ahead; nobody referred was born before 1900.
    if not dt.date(1900, 1, 1) <= date <= today.replace(year=today.year + 1, day=1):
        return None
    return date


def _date_span(match: re.Match[str]) -> tuple[int, int]:
    for first, last in (("d1", "y1"), ("d2", "y2"), ("m3", "y3")):
        if match.group(first) is not None:
            return match.start(first), match.end(last)
    return match.span()


def _before_brackets(lower: str) -> list[int]:
    """Where _NAMED_DATE can match in lower-case text: at the start of the run of letters
    (two or more) that ends, past any spaces, at a "(". (A match inside the run would begin
    at its start too, and finditer takes the leftmost.)"""
    starts: list[int] = []
    bracket = lower.find("(")
    while bracket != -1:
        end = bracket
        while end > 0 and lower[end - 1].isspace():
            end -= 1
        start = end
        while start > 0 and "a" <= lower[start - 1] <= "z":
            start -= 1
        if end - start >= 2:
            starts.append(start)
        bracket = lower.find("(", bracket + 1)
    return starts


def _dates_of_birth(prepared: _Text, today: dt.date) -> Iterator[Detail]:
    found: list[tuple[int, int, dt.date]] = []
    if not prepared.digits:
        return
    text = prepared.text
    matches = prepared.finditer(_DOB, _DOB_OPENINGS)
    if "(" in text:
        matches = chain(
            matches,
            _matches_at(_NAMED_DATE.plain, prepared.lower, _before_brackets(prepared.lower))
            if prepared.plain
            else _NAMED_DATE.folded.finditer(text),
        )
    for match in matches:
        date = _date_from(match, today)
        if date is not None:
            start, end = _date_span(match)
            found.append((start, end, date))
    for start, end, date in sorted(found):
        yield Detail(value=date.isoformat(), text=text[start:end], start=start, end=end)


# -- ages -------------------------------------------------------------------------------------


def _number(word: str) -> int:
    """The value of a number matched by _NUMBER: figures, or a number word in any case."""
    if word.isdigit():
        return int(word)
    value = _NUMBER_WORDS.get(word.lower())
    if value is None:
        # Matched with IGNORECASE through a character that lower-casing leaves apart from
        # the ASCII letter it folds to ("ſeven", "nıne", "NİNE"): the word it matched.
        value = next(
            number
            for number_word, number in _NUMBER_WORDS.items()
            if re.fullmatch(re.escape(number_word), word, re.IGNORECASE)
        )
    return value


def _age(text: str, start: int, end: int, unit: AgeUnit) -> Age | None:
    value = _number(text[start:end])
    if value > _AGE_LIMITS[unit] or (unit == "years" and value == 0):
        return None
    return Age(value=value, unit=unit, text=text[start:end], start=start, end=end)


def _may_say_years_old(prepared: _Text) -> bool:
    """Whether _AGE_OLD may match: it needs "old", or figures with "yo", "y/o" or "y.o"."""
    lower = prepared.lower
    if not prepared.plain:
        return "old" in lower or "y" in lower
    return "old" in lower or (
        prepared.digits > 0 and ("yo" in lower or "y/o" in lower or "y.o" in lower)
    )


def _ages(prepared: _Text) -> Iterator[Age]:
    found: list[Age | None] = []
    numbers = [match.span() for match in prepared.finditer(_NUMBER_LIST, _NUMBER_OPENINGS)]
    if not numbers:
        return
    text, lower = prepared.text, prepared.lower
    for match in (
        prepared.finditer(_AGE_OLD, _AGE_OLD_OPENINGS) if _may_say_years_old(prepared) else ()
    ):
        if match.group("n") is not None:
            unit = _AGE_UNITS[match.group("unit").lower()]
            found.append(_age(text, match.start("n"), match.end("n"), unit))
        else:
            found.append(_age(text, match.start("n2"), match.end("n2"), "years"))
    for match in prepared.finditer(_AGED, _AGED_OPENINGS) if "age" in lower else ():
        unit = _AGE_UNITS[match.group("unit").lower()] if match.group("unit") else "years"
        found.append(_age(text, match.start("n"), match.end("n"), unit))
        if match.group("more"):
            offset = match.start("more")
            more = _Text(text[offset : match.end("more")])
            for extra in more.finditer(_NUMBER_LIST):
                found.append(_age(text, offset + extra.start(), offset + extra.end(), unit))
    for start, end in numbers:
        # "is 7", "'s 7": the words before end in a space and (in ASCII text, whose lower-case
        # form has the same offsets) in "is", "was", "'s" or "only", "just"...: cheap tests
        # before the pattern.
        if not (start > 0 and text[start - 1].isspace()):
            continue
        window = max(0, start - 40)
        if prepared.plain and not lower[window:start].rstrip().endswith(_IS_AGE_ENDINGS):
            continue
        if not prepared.search(_IS_AGE_BEFORE, window, start):
            continue
        if prepared.match(_IS_AGE_AFTER, end):
            continue
        unit_match = prepared.match(_IS_AGE_UNIT, end)
        unit = _AGE_UNITS[unit_match.group("unit").lower()] if unit_match else "years"
        found.append(_age(text, start, end, unit))
    yield from sorted((a for a in found if a is not None), key=lambda a: a.start)


# -- postcodes, phones, emails ----------------------------------------------------------------


def _postcodes(prepared: _Text) -> Iterator[Detail]:
    if not prepared.digits:
        return
    text = prepared.text
    for match in prepared.finditer(_POSTCODE, _POSTCODE_OPENINGS):
        raw = text[match.start() : match.end()]
        if " " not in raw and not raw.isupper():
            continue  # "ls14ap" is too likely to be something else; "LS14AP" is a postcode
        value = f"{match.group('out').upper()} {match.group('in').upper()}"
        yield Detail(value=value, text=raw, start=match.start(), end=match.end())


def _phones(prepared: _Text) -> Iterator[Detail]:
    if prepared.digits < 9:
        return  # not enough digits for a phone number: skip the (slower) matcher
    # POSSIBLE rather than VALID: the ranges set aside for examples and drama (07700 900xxx)
    # are what people type when trying the service, and they are not "valid". A UK number
    # is written with its 0 or +44, which keeps out NHS numbers and other digit runs.
    matcher = phonenumbers.PhoneNumberMatcher(
        prepared.text, "GB", leniency=phonenumbers.Leniency.POSSIBLE
    )
    for match in matcher:
        if not match.raw_string.lstrip("(").startswith(("0", "+")):
            continue
        value = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        yield Detail(value=value, text=match.raw_string, start=match.start, end=match.end)


def _emails(text: str) -> Iterator[Detail]:
    if "@" not in text:
        return
    for match in _EMAIL.finditer(text):
        raw = match.group(0).rstrip(".-")
        start = match.start()
        yield Detail(value=raw.lower(), text=raw, start=start, end=start + len(raw))


# -- schools ----------------------------------------------------------------------------------


_SCHOOL_WORDS: Final = (
    "primary", "secondary", "junior", "infant", "high", "grammar", "academy", "college",
    "nursery", "school", "pre-school", "preschool", "sixth", "pru",
)  # fmt: skip
_SCHOOL_WORD = _Caseless("|".join(re.escape(word) for word in _SCHOOL_WORDS))


def _schools(prepared: _Text) -> Iterator[Detail]:
    found: list[Detail] = []
    if not (prepared.holds_any(_SCHOOL_WORDS) if prepared.plain else prepared.search(_SCHOOL_WORD)):
        return
    text = prepared.text
    for matches in (
        # A school's name begins with a capital that begins a word (or "St", "Saint").
        _matches_at(_SCHOOL, text, (m.start() for m in _CAPITAL.finditer(text))),
        prepared.finditer_cased(_SCHOOL_LOWER, _SCHOOL_LOWER_OPENINGS),
    ):
        for match in matches:
            start, end = match.span("name")
            words = text[start:end].split()
            # Leading words that cannot be part of the name ("Yesterday Riverside Primary").
            while words and words[0].lower().rstrip(".,") in _NOT_SCHOOL_NAME - {"st"}:
                start = text.index(words[0], start) + len(words[0])
                words = words[1:]
            while start < end and text[start].isspace():
                start += 1
            if len(words) < 2 or all(w.lower() in _NOT_SCHOOL_NAME for w in words[:-1]):
                continue
            value = " ".join(words)
            found.append(Detail(value=value, text=text[start:end], start=start, end=end))
    yield from sorted(found, key=lambda d: d.start)


# -- names ------------------------------------------------------------------------------------


def _may_match(prepared: _Text, name_pattern: _NamePattern) -> bool:
    if not prepared.holds_any(name_pattern.needles):
        return False
    if name_pattern.words and not prepared.may_hold(name_pattern.words):
        return False
    return name_pattern.cue is None or prepared.search(name_pattern.cue)


def _matches(prepared: _Text) -> Iterator[tuple[re.Match[str], str, str]]:
    """Each match of a name pattern, with the role it gives and the role word it names."""
    text = prepared.text
    for name_pattern in _NAME_PATTERNS:
        if _may_match(prepared, name_pattern):
            openings = name_pattern.openings
            matches = (
                prepared.finditer_cased(name_pattern.pattern, openings)
                if openings
                else name_pattern.pattern.finditer(text)
            )
            for match in matches:
                yield match, name_pattern.role, match.groupdict().get("role") or ""
    found_roles = (
        _matches_at(_ROLE_AT.plain, prepared.lower, _role_starts(prepared))
        if prepared.ascii_words
        else prepared.finditer(_ROLE_AT)
    )
    for found in found_roles:
        tail = _ROLE_TAIL.match(text, found.end())
        if tail is None:
            continue
        if tail.group("sep").isspace():
            before = text[: found.start()].rstrip()
            if not found.group("det") and before and before[-1] not in ".\n;":
                continue
        yield tail, "", found.group("role")


def _role_starts(prepared: _Text) -> list[int]:
    """Where _ROLE_AT can match: at each role word, or at the "my", "her"... before it."""
    lower = prepared.lower
    starts: list[int] = []
    before: tuple[int, int, bytes] | None = None  # the opening word before
    for opening in prepared.openings():
        start, mask, _ = opening
        if mask & _ROLE_OPENINGS.bit:
            if before is not None and before[1] & _DETERMINERS.bit:
                gap = lower[before[0] + len(before[2]) : start]
                if gap and gap.isspace():
                    start = before[0]
            starts.append(start)
        before = opening
    return starts


def _names(prepared: _Text) -> Iterator[Name]:
    found: list[Name] = []
    text = prepared.text
    for match, role, role_word in _matches(prepared):
        groups = match.groupdict()
        group = "name" if groups.get("name") else "lname"
        if groups.get(group):
            start, end = match.span(group)
            words = text[start:end].split()
            while words and words[-1].title() in _NOT_NAMES:
                words.pop()
            if not words or words[0].title() in _NOT_NAMES:
                continue
            end = _end_of(text, start, words)
            who = _ROLES.get(role_word.lower(), role or "other")
            value = " ".join(w if group == "name" else w.title() for w in words)
            found.append(Name(value=value, role=who, text=text[start:end], start=start, end=end))
    yield from sorted(found, key=lambda n: n.start)


def _end_of(text: str, start: int, words: list[str]) -> int:
    position = start
    for word in words:
        position = text.index(word, position) + len(word)
    return position


# -- de-duplication ---------------------------------------------------------------------------


def _unique(items: Iterator[Detail]) -> list[Detail]:
    seen: set[str] = set()
    result: list[Detail] = []
    for item in items:
        if item.value not in seen:
            seen.add(item.value)
            result.append(item)
    return result


def _unique_ages(items: Iterator[Age]) -> list[Age]:
    seen: set[int] = set()
    result: list[Age] = []
    for item in items:
        if item.start not in seen:
            seen.add(item.start)
            result.append(item)
    return result


def _unique_names(items: Iterator[Name]) -> list[Name]:
    """One entry per name; a specific role ("father") wins over a general one ("other")."""
    by_value: dict[str, Name] = {}
    for item in items:
        existing = by_value.get(item.value)
        if existing is None or (existing.role == "other" and item.role != "other"):
            by_value[item.value] = item
    return sorted(by_value.values(), key=lambda n: n.start)
