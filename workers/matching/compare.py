"""Field-by-field comparison of two prepared people, each giving a level of agreement.

Levels are what the Fellegi-Sunter weights (scoring.py) are attached to, and what an officer sees:
"date of birth: close (day and month swapped)". A comparison never looks at a field it does not
name, except where one field's meaning depends on another (an expected date of delivery is
compared with the record's date of birth).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

import jellyfish
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from workers.matching import given_names, nicknames
from workers.matching.blocking import phonetic
from workers.matching.normalise import address_squashed, swapped_day_month
from workers.matching.person import Prepared


class Level(StrEnum):
    EXACT = "exact"
    CLOSE = "close"
    PARTIAL = "partial"
    DISAGREE = "disagree"
    # Disagreements that say "another member of the family" rather than "a mistake": two
    # different given names, both names people are called (a twin's); dates of birth a generation
    # apart that no keying error explains (a parent's). scoring.py weighs them on their own and
    # does not let the details a relative shares outweigh them.
    OTHER_NAME = "other_name"
    FAR_APART = "far_apart"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Comparison:
    field: str
    level: Level
    note: str | None = None


# Jaro-Winkler thresholds for names. 0.92 keeps Jon/John and Sara/Sarah together but not
# Mark/Mary (0.88); below 0.8 two names have little in common.
NAME_CLOSE = 0.92
NAME_SOUNDS_ALIKE = 0.85
NAME_PARTIAL = 0.80

# Names at least this long with one letter different are taken as a typo (close). For given
# names only when the typed spelling is no name at all (given_names.one_is_a_typo): brothers and
# sisters have given names one letter apart (Ellie, Elsie).
FAMILY_TYPO_MIN_LENGTH = 4
GIVEN_TYPO_MIN_LENGTH = 4

# How far a recorded date of birth may be from an unborn child's expected date and still be them:
# most babies arrive within two weeks of it, nearly all within two months.
EXPECTED_CLOSE_DAYS = 14
EXPECTED_PARTIAL_DAYS = 60

# Dates of birth (or an age and a date of birth) this many years apart are two generations:
# parents are seldom fewer years older than their children, while a referrer's guess at a
# child's date of birth or age is out by a few years at most.
GENERATION_YEARS = 12


def _sounds_alike(a: str, b: str) -> bool:
    return phonetic(a) == phonetic(b) or _metaphone(a) == _metaphone(b)


def _metaphone(word: str) -> str:
    return jellyfish.metaphone(word)


def _one_typo(a: str, b: str) -> bool:
    """One letter added, dropped, changed or two swapped, in a name long enough that this is
    a typo rather than another name (Reid/Reif, Walls/Walms; not Lee/Lea). Jaro-Winkler
    forgives such a typo less the shorter the name and the nearer its end."""
    return min(len(a), len(b)) >= FAMILY_TYPO_MIN_LENGTH and DamerauLevenshtein.distance(a, b) <= 1


def _given_name_mistyped(query: Prepared, record: Prepared) -> bool:
    """One letter added, dropped, changed or two swapped, where one spelling is a known name and
    the other is no name at all (Anfrew for Andrew, Kylb for Kyle): a typo, not a sibling's
    name. The names are also compared run together, for a space typed into one ("Har Risn")."""
    pairs = {
        (query.given[0], record.given[0]),
        ("".join(query.given), "".join(record.given)),
    }
    return any(
        min(len(a), len(b)) >= GIVEN_TYPO_MIN_LENGTH
        and DamerauLevenshtein.distance(a, b) <= 1
        and given_names.one_is_a_typo(a, b)
        for a, b in pairs
    )


def compare_given(query: Prepared, record: Prepared) -> Comparison:
    field = "given_name"
    if not query.given or not record.given:
        # Two unnamed babies, one expected and one without a date of birth yet, are alike.
        if not query.given and not record.given and query.unborn and record.date_of_birth is None:
            return Comparison(field, Level.CLOSE, "both unnamed babies")
        return Comparison(field, Level.MISSING)
    q, r = query.given[0], record.given[0]
    if q == r or "".join(query.given) == "".join(record.given):
        return Comparison(field, Level.EXACT)
    if nicknames.are_equivalent(q, r):
        return Comparison(field, Level.CLOSE, "nickname or short form")
    similarity = JaroWinkler.similarity(q, r)
    # A boy's and a girl's name spelt alike (Kyle, Kylie) are two names, as a brother's and a
    # sister's (or twins') may be, not one name spelt two ways (Jon, John).
    spelt_alike = similarity >= NAME_CLOSE or (
        similarity >= NAME_SOUNDS_ALIKE and _sounds_alike(q, r)
    )
    spelt_alike_as_other_sex = spelt_alike and given_names.of_other_sex(q, r)
    if spelt_alike and not spelt_alike_as_other_sex:
        return Comparison(field, Level.CLOSE, "spelling")
    if q in record.given or r in query.given:
        return Comparison(field, Level.CLOSE, "another of their given names")
    if q in record.alias_words or any(nicknames.are_equivalent(q, a) for a in record.alias_words):
        return Comparison(field, Level.CLOSE, "another name on the record")
    if _given_name_mistyped(query, record):
        return Comparison(field, Level.CLOSE, "one letter mistyped")
    if _two_names(q, r):
        if DamerauLevenshtein.distance(q, r) <= 1:
            return Comparison(field, Level.OTHER_NAME, "two names one letter apart")
        return Comparison(field, Level.OTHER_NAME, "two different names")
    if spelt_alike_as_other_sex:
        return Comparison(field, Level.OTHER_NAME, "a name of the other sex spelt alike")
    if similarity >= NAME_PARTIAL or _sounds_alike(q, r):
        return Comparison(field, Level.PARTIAL, "spelling")
    if (len(q) == 1 and r.startswith(q)) or (len(r) == 1 and q.startswith(r)):
        return Comparison(field, Level.PARTIAL, "initial")
    return Comparison(field, Level.DISAGREE)


def _two_names(a: str, b: str) -> bool:
    """Two names people are called that nothing relates (not a nickname, a spelling said alike,
    another of their names): two people's names, as twins' are (Harry and George; Jayden and
    Brayden; George and Georgia; Ellie and Elsie). One letter apart they may instead be a slip of
    the keys onto another name, but twins are named that alike often enough that a child and a
    record one letter apart, all else shared, must not be taken for one person without an
    officer looking: as other names, such a record is a possible match at most
    (scoring._RELATIVES)."""
    return given_names.are_two_names(a, b) and not _sounds_alike(a, b)


def compare_family(query: Prepared, record: Prepared) -> Comparison:
    field = "family_name"
    if not query.family or not record.family:
        return Comparison(field, Level.MISSING)
    q, r = query.family_joined, record.family_joined
    if q == r:
        return Comparison(field, Level.EXACT)
    if set(query.family) & set(record.family):
        return Comparison(field, Level.CLOSE, "part of a double-barrelled name")
    similarity = JaroWinkler.similarity(q, r)
    if similarity >= NAME_CLOSE or (similarity >= NAME_SOUNDS_ALIKE and _sounds_alike(q, r)):
        return Comparison(field, Level.CLOSE, "spelling")
    if _one_typo(q, r):
        return Comparison(field, Level.CLOSE, "one letter different")
    if set(query.family) <= record.alias_words or set(record.family) <= query.alias_words:
        return Comparison(field, Level.CLOSE, "former or other name")
    if similarity >= NAME_PARTIAL or _sounds_alike(q, r):
        return Comparison(field, Level.PARTIAL, "spelling")
    if any(JaroWinkler.similarity(a, b) >= NAME_CLOSE for a in query.family for b in record.family):
        return Comparison(field, Level.PARTIAL, "part of a double-barrelled name")
    return Comparison(field, Level.DISAGREE)


_RANK = {
    Level.EXACT: 3,
    Level.CLOSE: 2,
    Level.PARTIAL: 1,
    Level.DISAGREE: 0,
    Level.OTHER_NAME: 0,
    Level.FAR_APART: 0,
    Level.MISSING: 0,
}


def _could_be_crossed(query: Prepared, record: Prepared) -> bool:
    """A cheap test before comparing names crossed over: does either crossed pair at least start
    with the same letter? (A swap and a first-letter typo together are rare.)"""
    return bool(query.given and record.family and query.given[0][0] == record.family[0][0]) or bool(
        query.family and record.given and query.family[0][0] == record.given[0][0]
    )


def compare_names(query: Prepared, record: Prepared) -> tuple[Comparison, Comparison]:
    """Given and family name, read the other way round when that agrees better: forms and
    systems swap them ("SMITH John"), or put a family name in the given-name box."""
    given, family = compare_given(query, record), compare_family(query, record)
    if _RANK[given.level] + _RANK[family.level] == 6 or not _could_be_crossed(query, record):
        return given, family
    crossed = replace(query, given=query.family, family=query.given)
    cross_given, cross_family = compare_given(crossed, record), compare_family(crossed, record)
    if (
        _RANK[cross_given.level] + _RANK[cross_family.level]
        <= _RANK[given.level] + _RANK[family.level]
    ):
        return given, family
    note = "given and family names swapped"
    return (
        replace(cross_given, note=note) if cross_given.level is not Level.DISAGREE else cross_given,
        replace(cross_family, note=note)
        if cross_family.level is not Level.DISAGREE
        else cross_family,
    )


def compare_date_of_birth(query: Prepared, record: Prepared) -> Comparison:
    field = "date_of_birth"
    q, r = query.dob_digits, record.dob_digits
    if q is None or r is None:
        return Comparison(field, Level.MISSING)
    if q == r:
        return Comparison(field, Level.EXACT)
    if (
        query.date_of_birth
        and record.date_of_birth
        and swapped_day_month(query.date_of_birth) == record.date_of_birth
    ):
        return Comparison(field, Level.CLOSE, "day and month swapped")
    if DamerauLevenshtein.distance(q, r) <= 1:
        return Comparison(field, Level.PARTIAL, "one digit different")
    if q[2:] == r[2:]:
        # 15 read as 1915 for 2015: a two-digit year put in the wrong century, one slip.
        return Comparison(field, Level.DISAGREE, "the same date in another century")
    years = _years_apart(q, r)
    if years >= GENERATION_YEARS:
        return Comparison(field, Level.FAR_APART, f"{years} years apart")
    return Comparison(field, Level.DISAGREE)


def _years_apart(a: str, b: str) -> int:
    """Whole years between two dates of birth given as YYYYMMDD digits (read as written, so that
    a date that is not a real one still counts)."""
    earlier, later = sorted((a, b))
    return int(later[:4]) - int(earlier[:4]) - (later[4:] < earlier[4:])


def compare_expected_date(query: Prepared, record: Prepared) -> Comparison:
    """An unborn child's expected date against the record's date of birth (or expected date)."""
    field = "expected_date"
    if query.expected_date is None or record.date_of_birth is None:
        return Comparison(field, Level.MISSING)
    days = abs((query.expected_date - record.date_of_birth).days)
    if days <= EXPECTED_CLOSE_DAYS:
        return Comparison(field, Level.CLOSE, f"{days} days from the expected date")
    if days <= EXPECTED_PARTIAL_DAYS:
        return Comparison(field, Level.PARTIAL, f"{days} days from the expected date")
    return Comparison(field, Level.DISAGREE)


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def compare_age(query: Prepared, record: Prepared) -> Comparison:
    """An age given instead of a date of birth, against the record's date of birth."""
    field = "age"
    if query.age_years is None or record.date_of_birth is None:
        return Comparison(field, Level.MISSING)
    # A referrer's "she's about 7" may be a year out either way.
    years_out = abs(_age_on(record.date_of_birth, query.as_of) - query.age_years)
    if years_out <= 1:
        return Comparison(field, Level.PARTIAL, "age fits the date of birth")
    if years_out >= GENERATION_YEARS:
        return Comparison(field, Level.FAR_APART, f"{years_out} years out")
    return Comparison(field, Level.DISAGREE)


def compare_sex(query: Prepared, record: Prepared) -> Comparison:
    if query.sex is None or record.sex is None:
        return Comparison("sex", Level.MISSING)
    return Comparison("sex", Level.EXACT if query.sex == record.sex else Level.DISAGREE)


_NUMBER = re.compile(r"\d+[a-z]?")


def _numbers(prepared: Prepared) -> frozenset[str]:
    return frozenset(n for t in prepared.house_numbers for n in _NUMBER.findall(t))


# A word of one address counts as present in the other when some word there is this like it
# (a typo, "murrellplace" for "murrell place"), and the shorter address is contained in the
# longer when this share of its words are present.
ADDRESS_WORD_ALIKE = 0.9
ADDRESS_CONTAINED = 0.9


def _contained(shorter: tuple[str, ...], longer: tuple[str, ...]) -> float:
    """The share of the shorter address's words found in the longer one, allowing typos and
    words run together: "10 mcclintock st melvilke" in "10 mcclintock st kinvarra melville"."""
    if len(shorter) > len(longer):
        shorter, longer = longer, shorter
    words = [w for w in shorter if not w.isdigit()]
    if not words:
        return 0.0
    found = sum(
        1
        for word in words
        if any(
            JaroWinkler.similarity(word, other) >= ADDRESS_WORD_ALIKE
            for other in longer
            if not other.isdigit()
        )
    )
    return found / len(words)


def compare_address(query: Prepared, record: Prepared) -> Comparison:
    field = "address"
    if not query.address or not record.address:
        return Comparison(field, Level.MISSING)
    if query.address == record.address:
        return Comparison(field, Level.EXACT)
    q_numbers, r_numbers = _numbers(query), _numbers(record)
    # token_set_ratio forgives a town or county added on one side only; the squashed comparison
    # forgives words run together or split apart.
    similarity = (
        max(
            fuzz.token_set_ratio(query.address_text, record.address_text),
            fuzz.ratio(address_squashed(query.address), address_squashed(record.address)),
        )
        / 100
    )
    if q_numbers and r_numbers:
        if not q_numbers & r_numbers:
            if similarity >= 0.6:
                return Comparison(field, Level.PARTIAL, "same street, another house")
            return Comparison(field, Level.DISAGREE)
        if not (q_numbers <= r_numbers or r_numbers <= q_numbers):
            # Flat 2 and flat 3 of number 10 share a number but are different homes.
            if similarity >= 0.6:
                return Comparison(field, Level.PARTIAL, "same building, another flat")
            return Comparison(field, Level.DISAGREE)
        if similarity >= 0.97:
            return Comparison(field, Level.EXACT)
        if similarity >= 0.85:
            return Comparison(field, Level.CLOSE, "spelling")
        if _contained(query.address, record.address) >= ADDRESS_CONTAINED:
            return Comparison(field, Level.CLOSE, "same house, words missing on one side")
        if similarity >= 0.6:
            return Comparison(field, Level.PARTIAL, "same house number")
        return Comparison(field, Level.DISAGREE)
    if similarity >= 0.9:
        return Comparison(field, Level.CLOSE, "house number missing on one side")
    if similarity >= 0.7:
        return Comparison(field, Level.PARTIAL)
    return Comparison(field, Level.DISAGREE)


def compare_postcode(query: Prepared, record: Prepared) -> Comparison:
    field = "postcode"
    q, r = query.postcode, record.postcode
    if q is None or r is None:
        return Comparison(field, Level.MISSING)
    if q.text == r.text:
        return Comparison(field, Level.EXACT)
    if q.uk and r.uk:
        if q.sector and q.sector == r.sector:
            return Comparison(field, Level.CLOSE, "same sector")
        if q.district == r.district:
            return Comparison(field, Level.PARTIAL, "same district")
    if DamerauLevenshtein.distance(q.compact, r.compact) <= 1:
        return Comparison(field, Level.PARTIAL, "one character different")
    return Comparison(field, Level.DISAGREE)
