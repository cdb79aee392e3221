"""Turn what a person typed, said or posted into a clean value, or a kind error message.

Every channel calls these: the web with form fields, SMS and voice with free text, the API with
JSON. Messages are written for a stressed person: say what is wrong and how to put it right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

YES_WORDS = frozenset(
    [
        "yes",
        "y",
        "yeah",
        "yep",
        "yup",
        "yea",
        "aye",
        "correct",
        "right",
        "true",
        "1",
        "ok",
        "okay",
        "sure",
        "affirmative",
        "definitely",
    ]
)
NO_WORDS = frozenset(["no", "n", "nope", "nah", "not", "false", "2", "negative", "none"])

_POSTCODE_RE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


class ParseError(ValueError):
    """A value could not be understood; the message is safe to show to the person."""


@dataclass(frozen=True)
class Name:
    given: str | None
    family: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {"given": self.given, "family": self.family}


def clean_text(raw: Any, *, max_length: int, what: str) -> str:
    if not isinstance(raw, str):
        raise ParseError(f"Enter {what} as text")
    text = _strip_controls(raw).strip()
    if len(text) > max_length:
        raise ParseError(f"{what[0].upper()}{what[1:]} must be {max_length:,} characters or fewer")
    return text


def _strip_controls(text: str) -> str:
    # Keep newlines and tabs; drop other control characters that break storage and display.
    return "".join(ch for ch in text if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127))


# Not sure either way: "not sure", "don't know", "idk", "maybe", "not now but tonight".
_UNSURE = re.compile(
    r"\b(?:not\s+(?:really\s+)?sure|unsure|not\s+certain|do\s*n[o']?t\s+know|do\s+not\s+know"
    r"|dunno|idk|no\s+idea|maybe|might\s+be|possibly|perhaps|could\s+be"
    r"|not\s+(?:right\s+)?now\s+but)\b",
    re.IGNORECASE,
)


def is_unsure(raw: Any) -> bool:
    """An answer to a yes/no question that is neither: the person does not know."""
    return isinstance(raw, str) and _UNSURE.search(raw) is not None


def parse_yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if not isinstance(raw, str):
        raise ParseError("Answer yes or no")
    words = re.findall(r"[a-z0-9]+", raw.lower())
    if not words:
        raise ParseError("Answer yes or no")
    if words[0] in YES_WORDS or raw.strip().lower() in {"yes", "true"}:
        return True
    if words[0] in NO_WORDS or "don't" in raw.lower() or "do not" in raw.lower():
        return False
    raise ParseError("Answer yes or no")


# "DOB 3/4/15", "born on 3rd April 2015", "date of birth: ...": the words before the date.
_DATE_LEAD_IN = re.compile(
    r"^(?:(?:her|his|their|the|my|child'?s)\s+)?"
    r"(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birthday|born(?:\s+on)?|due(?:\s+on)?)"
    r"(?:\s+is)?\s*[:\-]?\s*"
)


def parse_date(raw: Any) -> date:
    """Read a date the British way: day first. Accepts ISO, 03/04/2015, 3rd April 2015, fields."""
    if isinstance(raw, date):
        return raw
    if isinstance(raw, dict):
        parts = [str(raw.get(k) or "").strip() for k in ("day", "month", "year")]
        if not any(parts):
            raise ParseError("Enter a date")
        missing = [k for k, v in zip(("day", "month", "year"), parts, strict=True) if not v]
        if missing:
            raise ParseError(f"The date must include a {' and '.join(missing)}")
        return _make_date(parts[0], parts[1], parts[2])
    if not isinstance(raw, str) or not raw.strip():
        raise ParseError("Enter a date")
    text = raw.strip().lower()
    text = _DATE_LEAD_IN.sub("", text) or text
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if iso:
        return _make_date(iso.group(3), iso.group(2), iso.group(1))
    numeric = re.fullmatch(r"(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{2,4})", text)
    if numeric:
        return _make_date(numeric.group(1), numeric.group(2), numeric.group(3))
    worded = re.search(
        r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)[,\s]+(\d{2,4})", text
    ) or re.search(r"([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?[,\s]+(\d{2,4})", text)
    if worded:
        first, second, year = worded.groups()
        day, month_word = (first, second) if first.isdigit() else (second, first)
        if month_word in MONTHS:
            return _make_date(day, str(MONTHS[month_word]), year)
    raise ParseError("Enter the date as day, month and year, for example 27 3 2015")


def _make_date(day: str, month: str, year: str) -> date:
    try:
        d, m, y = int(day), int(month), int(year)
    except ValueError:
        raise ParseError("The date must be numbers, for example 27 3 2015")
    if y < 100:
        # Two-digit years in referrals are children's birth years: this century, not the last.
        y += 2000 if y <= date.today().year % 100 + 1 else 1900
    try:
        return date(y, m, d)
    except (ValueError, OverflowError):  # OverflowError: a part too big for a C int
        raise ParseError("The date must be a real date, for example 27 3 2015")


def parse_date_of_birth(raw: Any, today: date | None = None) -> date:
    today = today or date.today()
    born = parse_date(raw)
    if born > today:
        raise ParseError(
            "The date of birth must be in the past. If the baby is not born yet, go back and "
            "choose 'The baby is not born yet'"
        )
    if _age_on(born, today) >= 18:
        raise ParseError("The child must be under 18. For adults, contact adult social care")
    return born


def parse_expected_date(raw: Any, today: date | None = None) -> date:
    today = today or date.today()
    due = parse_date(raw)
    if (due - today).days > 300:
        raise ParseError("The due date must be within the next 10 months")
    if (today - due).days > 31:
        raise ParseError(
            "The due date is in the past. If the baby has been born, give their date of birth"
        )
    return due


def _age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


_AGE_ERROR = "Enter the child's age in years, for example 7. For a baby under 1, enter 0"
# A number, and the unit after it if any: "7", "6 months", "3 wks", "2.5 years", "six months".
_AGE = re.compile(
    r"(?P<minus>-\s*)?(?P<number>\d{1,3}(?:\.\d+)?|[a-z]+)\s*"
    r"(?P<unit>y(?:ea)?rs?\b|y\b|m(?:o?n)?ths?\b|mos?\b|months?\b|w(?:ee)?ks?\b|weeks?\b"
    r"|days?\b|d\b)?",
    re.IGNORECASE,
)
# How many of a unit make a year, to turn "6 months" or "3 weeks" into whole years.
_PER_YEAR = {"y": 1, "m": 12, "w": 52, "d": 365}


def parse_age(raw: Any) -> int:
    """The child's age in whole years. A baby's age in months, weeks or days is under a year
    ("6 months" is 0, "18 months" is 1), never taken as that many years."""
    if isinstance(raw, bool):
        raise ParseError(_AGE_ERROR)
    if isinstance(raw, int):
        age = raw
    elif isinstance(raw, str):
        age = _age_in_years(raw)
    else:
        raise ParseError(_AGE_ERROR)
    if age < 0 or age > 17:
        raise ParseError("The child's age must be between 0 and 17")
    return age


# Words after which a number word is an age ("about seven", "she's seven"); elsewhere it may
# be anything ("no one knows", "one of three children").
_BEFORE_AN_AGE = frozenset(
    {
        "about", "around", "roughly", "approximately", "approx", "nearly", "almost", "maybe",
        "probably", "aged", "age", "is", "s", "just", "only", "turned", "turning", "be", "shes",
        "hes",
    }
)  # fmt: skip


def _age_in_years(raw: str) -> int:
    text = raw.lower()
    for found in _AGE.finditer(text):
        number = found.group("number")
        if number.isalpha():
            before = re.findall(r"[a-z]+", text[: found.start()])
            if number not in NUMBER_WORDS or (before and before[-1] not in _BEFORE_AN_AGE):
                continue
            value = float(NUMBER_WORDS[number])
        else:
            value = float(number)
        if found.group("minus"):
            raise ParseError(_AGE_ERROR)
        unit = (found.group("unit") or "y")[0]
        return int(value // _PER_YEAR[unit])
    raise ParseError(_AGE_ERROR)


# Numbers as people say or type them, for ages and for spoken answers on the phone line.
NUMBER_WORDS: dict[str, int] = {
    w: i
    for i, w in enumerate(
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
            "nineteen",
            "twenty",
        ]
    )
}


def parse_postcode(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ParseError("Enter a postcode, for example LS1 4AP")
    compact = re.sub(r"[^A-Za-z0-9]", "", raw).upper()
    if not 5 <= len(compact) <= 7:
        raise ParseError("Enter a real postcode, for example LS1 4AP")
    formatted = f"{compact[:-3]} {compact[-3:]}"
    if not _POSTCODE_RE.match(formatted):
        raise ParseError("Enter a real postcode, for example LS1 4AP")
    return formatted


def parse_phone(raw: Any) -> str:
    """A UK phone number, stored in E.164; international numbers are accepted with a + prefix."""
    if not isinstance(raw, str) or not raw.strip():
        raise ParseError("Enter a phone number, like 01632 960 001 or 07700 900 982")
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        raise ParseError("Enter a phone number, like 01632 960 001 or 07700 900 982")
    if not (phonenumbers.is_valid_number(number) or _is_ofcom_drama_number(number)):
        raise ParseError("Enter a real phone number, like 01632 960 001 or 07700 900 982")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Ofcom reserves these ranges for fiction and examples; they are what trainers, demos and
# partner test systems use, so they are accepted though phonenumbers calls them invalid.
_DRAMA_RANGES = (
    "7700900",
    "1134960",
    "1144960",
    "1154960",
    "1164960",
    "1174960",
    "1184960",
    "1214960",
    "1314960",
    "1414960",
    "1514960",
    "1614960",
    "2079460",
    "1632960",
    "2890180",
    "2920180",
    "8081570",
    "9098790",
    "3069990",
)


def _is_ofcom_drama_number(number: phonenumbers.PhoneNumber) -> bool:
    national = str(number.national_number)
    return number.country_code == 44 and len(national) == 10 and national.startswith(_DRAMA_RANGES)


def can_take_texts(e164: str) -> bool:
    """Whether a stored number can receive a text: a UK landline cannot. Numbers abroad, whose
    kind phonenumbers cannot always tell, are given the benefit of the doubt."""
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return False
    if _is_ofcom_drama_number(number):
        return str(number.national_number).startswith("7")
    kind = phonenumbers.number_type(number)
    if number.country_code != 44:
        return kind not in (phonenumbers.PhoneNumberType.FIXED_LINE,)
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def parse_email(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ParseError("Enter an email address, like name@example.com")
    text = raw.strip()
    if len(text) > 254:
        raise ParseError("The email address must be 254 characters or fewer")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise ParseError("Enter an email address in the correct format, like name@example.com")
    return str(result.normalized)


def parse_name(raw: Any, *, max_length: int = 100) -> Name:
    """A name as two parts. Free text ("Jordan Smith") is split at the last space."""
    if isinstance(raw, dict):
        given = clean_text(raw.get("given") or "", max_length=max_length, what="the first name")
        family = clean_text(raw.get("family") or "", max_length=max_length, what="the last name")
        return Name(given or None, family or None)
    if not isinstance(raw, str):
        raise ParseError("Enter a name")
    text = clean_text(raw, max_length=2 * max_length, what="the name")
    text = re.sub(
        r"^(?:(?:my|the|their|his|her) name is|(?:it's|its|it is|i am|i'm))\s+",
        "",
        text,
        flags=re.I,
    )
    parts = text.split()
    if not parts:
        raise ParseError("Enter a name")
    if len(parts) == 1:
        return Name(parts[0], None)
    return Name(" ".join(parts[:-1]), parts[-1])


def format_phone_for_display(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
