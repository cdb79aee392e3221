"""Normal forms of names, addresses, postcodes, sex and dates.

Agencies write the same person differently: "Mrs Zoë O'Brien-Smith", "zoe obrien smith". Every
comparison and blocking key is computed on these normal forms, never on the raw text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

# Letters that NFKD does not decompose into a base letter plus an accent.
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "þ": "th",
        "Þ": "th",
        "œ": "oe",
        "Œ": "oe",
        "ı": "i",
    }
)
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

TITLES = frozenset(
    {
        "mr", "mrs", "miss", "ms", "mx", "dr", "master", "prof", "professor", "rev", "revd",
        "sir", "dame", "lady", "lord", "fr", "sr", "jr", "jnr", "snr", "ii", "iii", "iv",
    }
)  # fmt: skip

# What a record or a referral puts where an unborn or newborn child's given name would be.
PLACEHOLDER_GIVEN_NAMES = frozenset(
    {"baby", "unborn", "unnamed", "infant", "newborn", "child", "of", "bb", "unknown", "tbc"}
)


def fold(text: str | None) -> str:
    """Lower-case ASCII words separated by single spaces; apostrophes vanish (O'Brien → obrien)."""
    if not text:
        return ""
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", text.translate(_FOLD))
        text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _APOSTROPHES.sub("", text)
    return _NOT_ALNUM.sub(" ", text).strip()


def name_parts(raw: str | None) -> tuple[str, ...]:
    """The words of a name without titles: hyphens and double barrels become separate parts."""
    words = [w for w in fold(raw).split() if not w.isdigit()]
    return tuple(w for w in words if w not in TITLES)


def given_name_parts(raw: str | None) -> tuple[str, ...]:
    """Like name_parts, but "Baby", "Unborn" and the like count as no given name at all."""
    parts = name_parts(raw)
    if all(p in PLACEHOLDER_GIVEN_NAMES for p in parts):
        return ()
    return parts


# Long forms are mapped to the short ones (not the reverse) because "st" is both street and saint.
_ADDRESS_SHORT_FORMS = {
    "street": "st", "saint": "st", "road": "rd", "avenue": "ave", "av": "ave", "lane": "ln",
    "drive": "dr", "crescent": "cres", "cr": "cres", "close": "cl", "court": "ct", "place": "pl",
    "square": "sq", "gardens": "gdns", "garden": "gdn", "grove": "gr", "gro": "gr",
    "terrace": "tce", "terr": "tce", "ter": "tce", "park": "pk", "house": "ho", "hse": "ho",
    "flat": "flt", "apartment": "flt", "apt": "flt", "building": "bldg", "mount": "mt",
    "north": "n", "south": "s", "east": "e", "west": "w", "way": "wy", "parade": "pde",
    "circuit": "cct", "boulevard": "blvd", "estate": "est", "row": "rw", "walk": "wk",
    "highway": "hwy", "green": "grn", "cottage": "cott", "cottages": "cotts", "upper": "upr",
    "lower": "lwr", "mews": "mews", "hill": "hl",
}  # fmt: skip

_POSTCODE_IN_TEXT = re.compile(r"\b[a-z]{1,2}[0-9][a-z0-9]? ?[0-9][a-z]{2}\b")


def address_tokens(raw: str | None) -> tuple[str, ...]:
    """Address words in a canonical spelling, without any postcode written into the text."""
    text = fold(raw)
    text = _POSTCODE_IN_TEXT.sub(" ", text)
    return tuple(_ADDRESS_SHORT_FORMS.get(w, w) for w in text.split())


_ADDRESS_LONG_FORMS = {short: long for long, short in _ADDRESS_SHORT_FORMS.items()} | {
    "st": "street", "ave": "avenue", "cres": "crescent", "flt": "flat", "gr": "grove",
    "tce": "terrace", "ho": "house", "cl": "close",
}  # fmt: skip


def address_squashed(tokens: tuple[str, ...]) -> str:
    """The address with every word spelt out and the spaces removed, for comparing addresses
    typed with words run together or split ("fishburnstreet", "kirklandc ircuit")."""
    return "".join(_ADDRESS_LONG_FORMS.get(t, t) for t in tokens)


def house_numbers(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The tokens with digits in them (10, 10a, flat numbers), in order of appearance."""
    return tuple(t for t in tokens if any(c.isdigit() for c in t))


_UK_POSTCODE = re.compile(r"^([A-Z]{1,2})([0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_UK_OUTWARD = re.compile(r"^([A-Z]{1,2})([0-9][A-Z0-9]?)$")
# Letters typed for digits in the one place a postcode must have a digit (the inward code's first).
_INWARD_DIGIT = str.maketrans({"O": "0", "I": "1", "L": "1", "S": "5"})


@dataclass(frozen=True, slots=True)
class Postcode:
    """A postcode split into its parts. Non-UK codes (FEBRL's four digits) keep only `text`."""

    text: str
    outward: str
    inward: str | None
    uk: bool

    @property
    def area(self) -> str:
        return self.outward.rstrip("0123456789") if self.uk else self.outward

    @property
    def district(self) -> str:
        """LS1 for LS1 4AP; EC1 for EC1A 1BB (London's sub-districts roll up)."""
        if not self.uk:
            return self.outward
        letters = len(self.outward) - len(self.outward.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        digits = self.outward[letters:]
        return self.outward[:letters] + (digits[:-1] if digits[-1].isalpha() else digits)

    @property
    def sector(self) -> str | None:
        return f"{self.outward} {self.inward[0]}" if self.inward else None

    @property
    def compact(self) -> str:
        return self.text.replace(" ", "")


def parse_postcode(raw: str | None) -> Postcode | None:
    compact = re.sub(r"[^A-Z0-9]", "", (raw or "").upper())
    if not compact:
        return None
    if len(compact) >= 5:
        fixed = compact[:-3] + compact[-3].translate(_INWARD_DIGIT) + compact[-2:]
        full = _UK_POSTCODE.match(fixed)
        if full:
            outward = full.group(1) + full.group(2)
            return Postcode(f"{outward} {full.group(3)}", outward, full.group(3), uk=True)
    if _UK_OUTWARD.match(compact):
        return Postcode(compact, compact, None, uk=True)
    return Postcode(compact, compact, None, uk=False)


def household_key(address: str | None, postcode: str | None) -> str | None:
    """One key per dwelling: full postcode plus house and flat numbers (or the first words).

    Numbers are steadier than street spellings ("10 High St" and "10, High Street, Leeds" are one
    house) and keep flats apart ("Flat 2, 10 High St" is not "10 High St").
    """
    code = parse_postcode(postcode)
    tokens = address_tokens(address)
    if code is None or (code.uk and code.inward is None) or not tokens:
        return None
    numbers = house_numbers(tokens)
    if numbers:
        where = " ".join(numbers)
    else:
        first_segment = fold((address or "").split(",")[0])
        where = " ".join(_ADDRESS_SHORT_FORMS.get(w, w) for w in first_segment.split()[:3])
    return f"{code.compact}|{where}"[:120]


_SEX = {
    "m": "m", "male": "m", "man": "m", "boy": "m",
    "f": "f", "female": "f", "woman": "f", "girl": "f",
}  # fmt: skip


def normalise_sex(raw: str | None) -> str | None:
    """'m' or 'f'; anything else (other, unknown, not stated) is treated as not known."""
    return _SEX.get(fold(raw))


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# How UK agencies' systems write dates: day first (03/04/2015 is 3 April).
_UK_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def _date_parts(text: str) -> tuple[int, int, int] | None:
    """Year, month and day of a date written YYYY-MM-DD or DD/MM/YYYY, as digits."""
    if found := _ISO_DATE.match(text):
        return int(found.group(1)), int(found.group(2)), int(found.group(3))
    if found := _UK_DATE.match(text):
        return int(found.group(3)), int(found.group(2)), int(found.group(1))
    return None


def parse_iso_date(raw: str | None) -> date | None:
    """A date written YYYY-MM-DD (or DD/MM/YYYY, day first, as UK systems export it), None when
    blank; ValueError when written any other way or impossible."""
    text = (raw or "").strip()
    if not text:
        return None
    parts = _date_parts(text)
    if parts is None:
        raise ValueError("not in the form YYYY-MM-DD or DD/MM/YYYY")
    return date(*parts)


def date_digits(raw: str | None) -> str | None:
    """The eight digits of a date as written, year first, so even an impossible date can be
    compared."""
    text = (raw or "").strip()
    parts = _date_parts(text)
    if parts is not None:
        return f"{parts[0]:04d}{parts[1]:02d}{parts[2]:02d}"
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) == 8 else None


def swapped_day_month(value: date) -> date | None:
    """3 April for 4 March; None when the swap is not a real date or changes nothing."""
    if value.day == value.month or value.day > 12:
        return None
    return date(value.year, value.day, value.month)
