"""Details for pre-filling answers: dates of birth, ages, postcodes, phone numbers, emails,
names and schools.

These are surface forms, so they are found with a handful of regular expressions over the
text (each one pass, no per-pattern scan of the doc) and `phonenumbers`; only what the text
says outright is taken. A name is taken only where the text says whose it is ("my name is",
"Dad, Mark Jones,"), a date only where it is said to be a date of birth, and dates are read
day first, the British way. Offsets index the text given, which has the same length as the
original (see `nlp.pipeline.clean_text`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Final

import phonenumbers
from spacy.lang.en.stop_words import STOP_WORDS

from nlp.extraction import Age, AgeUnit, Detail, Entities, Name

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
_NUMBER_WORDS: Final[dict[str, int]] = {
    word: number
    for number, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
        ]
    )
}
_NUMBER = r"\d{1,2}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))

_DATE = (
    rf"(?P<d1>\d{{1,2}})[/.\-](?P<m1>\d{{1,2}})[/.\-](?P<y1>\d{{4}}|\d{{2}})(?!\d)"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})\.?,?\s+(?P<y2>\d{{4}})"
    rf"|(?P<m3>{_MONTH})\.?\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{{4}})"
)
_DOB = re.compile(
    rf"(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bborn\b(?:\s+on)?|\bb\.(?=\s*\d))"
    rf"\s*(?:[:\-–]|is|was)?\s*(?:on\s+)?(?:the\s+)?(?:{_DATE})",
    re.IGNORECASE,
)
# "Jordan Smith (03/04/2015)": a date in brackets straight after a name.
_NAMED_DATE = re.compile(rf"[A-Z][a-z]+\s*\((?:{_DATE})\)", re.IGNORECASE)

_AGE_UNITS: Final[dict[str, AgeUnit]] = {
    "year": "years", "yr": "years", "month": "months", "mth": "months", "mnth": "months",
    "week": "weeks", "wk": "weeks", "day": "days",
}  # fmt: skip
_AGE_LIMITS: Final[dict[AgeUnit, int]] = {"years": 18, "months": 36, "weeks": 104, "days": 365}
_AGE_OLD = re.compile(
    rf"\b(?P<n>{_NUMBER})\s*-?\s*(?P<unit>year|yr|month|mth|mnth|week|wk|day)s?\s*-?\s*old\b"
    rf"|\b(?P<n2>\d{{1,2}})\s*(?:yo|y/o|y\.o\.?)(?!\w)",
    re.IGNORECASE,
)
_AGED = re.compile(
    rf"\b(?:aged|age)\s*[:\-]?\s*(?P<n>{_NUMBER})(?P<more>(?:\s*(?:,|and|&)\s*(?:{_NUMBER}))*)"
    rf"(?:\s+(?P<unit>year|month|week|day)s?)?(?![\d:%])\b",
    re.IGNORECASE,
)
# "she's 7", "Jordan is 8": found from the number back, since numbers are few and
# capitalised words are many.
_IS_AGE_BEFORE = re.compile(
    r"\b(?:he|she|they|child|son|daughter|boy|girl|baby|[A-Z][a-z]+)(?:'s|\s+is|\s+was)\s+"
    r"(?:only\s+|just\s+|now\s+|nearly\s+|about\s+|almost\s+)?$",
    re.IGNORECASE,
)
_IS_AGE_AFTER = re.compile(
    r"\s*(?:%|am\b|pm\b|o'clock|:|\.\d|times|minutes|mins|hours|miles|pounds|kg|st\b|lbs|cm"
    r"|weeks?\s+pregnant|months?\s+pregnant|or\b|-\d)",
    re.IGNORECASE,
)
_IS_AGE_UNIT = re.compile(r"\s+(?P<unit>year|month|week)s?\b", re.IGNORECASE)
_NUMBER_LIST = re.compile(rf"\b(?:{_NUMBER})\b", re.IGNORECASE)

_POSTCODE = re.compile(
    r"\b(?P<out>[A-Z]{1,2}\d[A-Z\d]?|GIR)\s*(?P<in>\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
_DIGIT = re.compile(r"\d")
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
_SCHOOL_LOWER = re.compile(
    r"\b(?:goes\s+to|attends|attending|pupil\s+at|student\s+at|year\s+\d+\s+at|nursery\s+is"
    r"|school\s+is|at)\s+(?P<name>(?:[a-z][\w'\-]*\s+){1,3}?"
    r"(?:primary|secondary|junior|juniors|infants?|high|grammar|academy|college|nursery)"
    r"(?:\s+school)?)\b"
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
_ROLE_AT = re.compile(rf"\b(?P<det>(?:my|her|his|their|the)\s+)?(?P<role>{_ROLE_WORDS})\b", re.I)
_ROLE_TAIL = re.compile(
    rf"(?P<sep>\s*(?:,|\(|-|–|:)\s*|\s+(?:is\s+)?(?i:called|named)\s+|\s+){_NAME}"
)
# Each pattern with the words (lower case) of which the text must hold one for it to apply:
# a cheap test that spares most texts most of the patterns.
_NAME_PATTERNS: Final[tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...]] = (
    (re.compile(rf"\b(?i:my\s+name\s+is|my\s+name's|i\s+am\s+called|i'm\s+called)\s+{_NAME}"),
     "referrer", ("name", "called")),
    (re.compile(rf"\b(?:my\s+name\s+is|my\s+name's|i\s+am\s+called|i'm\s+called)\s+{_LOWER_NAME}"),
     "referrer", ("name", "called")),
    (re.compile(rf"\b(?i:this\s+is|i\s+am|i'm)\s+{_NAME}"
                rf"(?=\s*(?:,|\.|from\b|calling\b|speaking\b|here\b|at\b|and\b|$))"), "referrer", ("this is", "i am", "i'm")),
    (re.compile(rf"\b(?i:(?:the\s+)?child(?:'s)?\s+(?:name\s+)?is(?:\s+called)?|child\s+is\s+called"
                rf"|(?:the\s+)?child\s*[,:]|child'?s?\s+name\s*:|name\s+of\s+(?:the\s+)?child\s*:?"
                rf"|young\s+person\s*:|yp\s*:|pupil\s*:|re\s*:|regarding\s*:?|concerning\s*:?"
                rf"|(?:her|his)\s+name\s+is|(?:she|he)\s+is\s+called)\s+{_NAME}"), "child", ("child", "re", "regarding", "concerning", "yp", "pupil", "young person", "name is", "called")),
    (re.compile(rf"\b(?:(?:the\s+)?child(?:'s)?\s+(?:name\s+)?is\s+called|(?:her|his)\s+name\s+is"
                rf"|(?:she|he)\s+is\s+called)\s+{_LOWER_NAME}"), "child", ("called", "name is")),
    (re.compile(rf"{_NAME}\s*(?:\(\s*|,\s*)(?i:d\.?o\.?b|date\s+of\s+birth|aged?\b|born\b)"),
     "child", ("dob", "d.o.b", "birth", "aged", "age", "born")),
    (re.compile(rf"{_NAME}\s*\(\s*(?P<role>(?i:{_ROLE_WORDS}))\s*\)"), "", ("(",)),)  # fmt: skip
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
    return Entities(
        dates_of_birth=_unique(_dates_of_birth(text, today)),
        ages=_unique_ages(_ages(text)),
        postcodes=_unique(_postcodes(text)),
        phones=_unique(_phones(text)),
        emails=_unique(_emails(text)),
        names=_unique_names(_names(text)),
        schools=_unique(_schools(text)),
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


def _dates_of_birth(text: str, today: dt.date) -> Iterator[Detail]:
    found: list[tuple[int, int, dt.date]] = []
    if not _DIGIT.search(text):
        return
    for pattern in (_DOB, _NAMED_DATE):
        for match in pattern.finditer(text):
            date = _date_from(match, today)
            if date is not None:
                start, end = _date_span(match)
                found.append((start, end, date))
    for start, end, date in sorted(found):
        yield Detail(value=date.isoformat(), text=text[start:end], start=start, end=end)


# -- ages -------------------------------------------------------------------------------------


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word.lower()]


def _age(text: str, start: int, end: int, unit: AgeUnit) -> Age | None:
    value = _number(text[start:end])
    if value > _AGE_LIMITS[unit] or (unit == "years" and value == 0):
        return None
    return Age(value=value, unit=unit, text=text[start:end], start=start, end=end)


def _ages(text: str) -> Iterator[Age]:
    found: list[Age | None] = []
    if not _NUMBER_LIST.search(text):
        return
    lower = text.lower()
    for match in _AGE_OLD.finditer(text) if "old" in lower or "y" in lower else ():
        if match.group("n") is not None:
            unit = _AGE_UNITS[match.group("unit").lower()]
            found.append(_age(text, match.start("n"), match.end("n"), unit))
        else:
            found.append(_age(text, match.start("n2"), match.end("n2"), "years"))
    for match in _AGED.finditer(text) if "age" in lower else ():
        unit = _AGE_UNITS[match.group("unit").lower()] if match.group("unit") else "years"
        found.append(_age(text, match.start("n"), match.end("n"), unit))
        if match.group("more"):
            offset = match.start("more")
            for extra in _NUMBER_LIST.finditer(match.group("more")):
                found.append(_age(text, offset + extra.start(), offset + extra.end(), unit))
    for match in _NUMBER_LIST.finditer(text):
        start, end = match.span()
        if not _IS_AGE_BEFORE.search(text[max(0, start - 40) : start]):
            continue
        if _IS_AGE_AFTER.match(text, end):
            continue
        unit_match = _IS_AGE_UNIT.match(text, end)
        unit = _AGE_UNITS[unit_match.group("unit").lower()] if unit_match else "years"
        found.append(_age(text, start, end, unit))
    yield from sorted((a for a in found if a is not None), key=lambda a: a.start)


# -- postcodes, phones, emails ----------------------------------------------------------------


def _postcodes(text: str) -> Iterator[Detail]:
    for match in _POSTCODE.finditer(text):
        raw = match.group(0)
        if " " not in raw and not raw.isupper():
            continue  # "ls14ap" is too likely to be something else; "LS14AP" is a postcode
        value = f"{match.group('out').upper()} {match.group('in').upper()}"
        yield Detail(value=value, text=raw, start=match.start(), end=match.end())


def _phones(text: str) -> Iterator[Detail]:
    if len(_DIGIT.findall(text)) < 9:
        return  # not enough digits for a phone number: skip the (slower) matcher
    # POSSIBLE rather than VALID: the ranges set aside for examples and drama (07700 900xxx)
    # are what people type when trying the service, and they are not "valid". A UK number
    # is written with its 0 or +44, which keeps out NHS numbers and other digit runs.
    matcher = phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
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


_SCHOOL_WORD = re.compile(
    r"primary|secondary|junior|infant|high|grammar|academy|college|nursery|school|pre-school"
    r"|preschool|sixth|pru",
    re.IGNORECASE,
)


def _schools(text: str) -> Iterator[Detail]:
    found: list[Detail] = []
    if not _SCHOOL_WORD.search(text):
        return
    for pattern in (_SCHOOL, _SCHOOL_LOWER):
        for match in pattern.finditer(text):
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


def _matches(text: str) -> Iterator[tuple[re.Match[str], str, str]]:
    """Each match of a name pattern, with the role it gives and the role word it names."""
    lower = text.lower()
    for pattern, role, needles in _NAME_PATTERNS:
        if any(needle in lower for needle in needles):
            for match in pattern.finditer(text):
                yield match, role, match.groupdict().get("role") or ""
    for found in _ROLE_AT.finditer(text):
        tail = _ROLE_TAIL.match(text, found.end())
        if tail is None:
            continue
        if tail.group("sep").isspace():
            before = text[: found.start()].rstrip()
            if not found.group("det") and before and before[-1] not in ".\n;":
                continue
        yield tail, "", found.group("role")


def _names(text: str) -> Iterator[Name]:
    found: list[Name] = []
    for match, role, role_word in _matches(text):
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
