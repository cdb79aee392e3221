"""Blocking keys: cheap strings that a record and a query for the same person very likely share.

Only records sharing at least one key with the query are scored. Each key joins two pieces of
evidence so that no key gathers a large share of the index (a family name alone would), and each
kind of error real records make leaves at least one key intact:

    names        given + family phonetic codes, in sorted order  (typos in the DOB, a moved
                 address, no DOB, given and family name swapped)
    given_dob    given phonetic + date of birth                  (family name changed, misspelt)
    family_dob   family phonetic + date of birth                 (nickname, misspelt given name)
    family_area  family phonetic + postcode sector               (no DOB; unborn babies)
    given_area   given phonetic + postcode sector                (no DOB, family name changed)
    dob_area     date of birth + postcode district               (both names misspelt)
    street       house number + street phonetic + district       (names and DOB both off)

Name keys are paired with the postcode sector (LS1 4), not the district (LS1): a common family
name fills a district with hundreds of records, a sector with tens.

A postcode with one digit of its district mistyped (LS5 for LS6, 2196 for 2169) leaves only the
name keys; so a query also looks up the dob_area and street columns under each district one
digit away (the query keys dob_area_nearby and street_nearby). Those columns hold a handful of
records each (one birthday in a district, one house), but a nearby district's are nearly always
other people's, so they are searched only with the names key, when nothing else found a match.

The date of birth in a key is the year followed by day and month in ascending order, so a date
with day and month swapped (04/03 for 03/04) gives the same key. A record stores one value per
key (indexed columns in person_records); a query looks under every variant it might be filed
under (nicknames, each part of a double-barrelled name, both orders of given and family name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import jellyfish

from workers.matching import nicknames
from workers.matching.person import Prepared

KEY_NAMES = ("names", "given_dob", "family_dob", "family_area", "given_area", "dob_area", "street")

# What a query looks up: every record key, and two that look in a record key's column under other
# values (the districts one digit away).
QUERY_KEY_NAMES = (*KEY_NAMES, "dob_area_nearby", "street_nearby")
COLUMN_OF = {name: name for name in KEY_NAMES} | {
    "dob_area_nearby": "dob_area",
    "street_nearby": "street",
}

# Keys are searched in two stages. The names key is the least selective (every Oliver Smith in
# the county), and the nearby districts seldom hold the person, so they are searched only when
# the selective keys found no match: a DOB typo with a moved address, no DOB at all, a mistyped
# postcode.
STAGES = (
    ("given_dob", "family_dob", "family_area", "given_area", "dob_area", "street"),
    ("names", "dob_area_nearby", "street_nearby"),
)

# A block bigger than this (a very common name with no date of birth) is cut short: scoring
# thousands of John Smiths would take long and would not make any of them a match.
MAX_PER_BLOCK = 200


@lru_cache(maxsize=65536)
def phonetic(word: str) -> str:
    """Sound-alike code of one name word (Soundex: tolerant of vowel and double-letter typos)."""
    return jellyfish.soundex(word) if word else ""


def dob_key(value: date) -> str:
    low, high = sorted((value.month, value.day))
    return f"{value.year:04d}{low:02d}{high:02d}"


@dataclass(frozen=True, slots=True)
class RecordKeys:
    """The one value per key a record is filed under (None where the record lacks the parts)."""

    names: str | None
    given_dob: str | None
    family_dob: str | None
    family_area: str | None
    given_area: str | None
    dob_area: str | None
    street: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in KEY_NAMES}


@dataclass(frozen=True, slots=True)
class QueryKeys:
    """Every value per key under which a record for the queried person may be filed."""

    names: frozenset[str]
    given_dob: frozenset[str]
    family_dob: frozenset[str]
    family_area: frozenset[str]
    given_area: frozenset[str]
    dob_area: frozenset[str]
    street: frozenset[str]
    dob_area_nearby: frozenset[str]
    street_nearby: frozenset[str]

    def as_dict(self) -> dict[str, frozenset[str]]:
        return {name: getattr(self, name) for name in QUERY_KEY_NAMES}


def _join(*parts: str | None) -> str | None:
    return None if any(not p for p in parts) else ":".join(p for p in parts if p)


def _given_code(prepared: Prepared) -> str | None:
    first = prepared.given_first
    return phonetic(nicknames.canonical(first)) if first else None


def _family_code(prepared: Prepared) -> str | None:
    return phonetic(prepared.family[0]) if prepared.family else None


def _district(prepared: Prepared) -> str | None:
    return prepared.postcode.district if prepared.postcode else None


def _sector(prepared: Prepared) -> str | None:
    """The postcode sector; a code that is not a full UK postcode stands for itself."""
    code = prepared.postcode
    if code is None or (code.uk and code.sector is None):
        return None
    return code.sector or code.text


def _street_parts(prepared: Prepared) -> str | None:
    """House number and the sound of the street's first word: "10:H200"."""
    number = prepared.house_numbers[0] if prepared.house_numbers else None
    words = [w for w in prepared.address if not any(c.isdigit() for c in w) and len(w) > 2]
    return _join(number, phonetic(words[0]) if words else None)


def _street(prepared: Prepared) -> str | None:
    """House number, the sound of the street's first word and the district: "10:H200:LS1"."""
    return _join(_street_parts(prepared), _district(prepared))


def record_keys(prepared: Prepared) -> RecordKeys:
    given = _given_code(prepared)
    family = _family_code(prepared)
    dob = dob_key(prepared.date_of_birth) if prepared.date_of_birth else None
    district, sector = _district(prepared), _sector(prepared)
    return RecordKeys(
        names="|".join(sorted((given, family))) if given and family else None,
        given_dob=_join(given, dob),
        family_dob=_join(family, dob),
        family_area=_join(family, sector),
        given_area=_join(given, sector),
        dob_area=_join(dob, district),
        street=_street(prepared),
    )


def _given_codes(prepared: Prepared) -> set[str]:
    codes: set[str] = set()
    for part in prepared.given:
        codes.update(phonetic(name) for name in nicknames.blocking_names(part))
    return codes


def _family_codes(prepared: Prepared) -> set[str]:
    words = set(prepared.family)
    if len(prepared.family) > 1:
        words.add(prepared.family_joined)
    return {phonetic(w) for w in words}


def districts_one_digit_away(district: str) -> set[str]:
    """The district and every district with one of its digits changed or two adjacent digits
    swapped: the postcode typos that move a record out of its district. (A typo in the inward
    code, LS1 4AP for LS1 4AF, keeps the district and needs no variant.)"""
    variants = {district}
    for at, char in enumerate(district):
        if char.isdigit():
            variants.update(district[:at] + d + district[at + 1 :] for d in "0123456789")
            following = district[at + 1 : at + 2]
            if following.isdigit() and following != char:
                variants.add(district[:at] + following + char + district[at + 2 :])
    return variants


def query_keys(prepared: Prepared) -> QueryKeys:
    given = _given_codes(prepared)
    family = _family_codes(prepared)
    # Given and family name may have been written the wrong way round: look under both.
    either = given | family
    own_given = _given_code(prepared)
    dob = dob_key(prepared.date_of_birth) if prepared.date_of_birth else None
    district, sector = _district(prepared), _sector(prepared)
    nearby = districts_one_digit_away(district) - {district} if district else set()
    street = _street_parts(prepared)
    # The area keys take only the given name as written (not every nickname): they are fallbacks,
    # not worth a lookup per nickname. Without a date of birth (whose keys look under both names)
    # each also looks under the other name, for names swapped; with one, that would only bring
    # in every Jones in the sector for a James (one Soundex code).
    area_given = {own_given} if own_given else set()
    area_family = set(family)
    if dob is None:
        area_given, area_family = area_given | family, area_family | area_given
    return QueryKeys(
        names=frozenset("|".join(sorted((g, f))) for g in given for f in family),
        given_dob=frozenset(f"{code}:{dob}" for code in either) if dob else frozenset(),
        family_dob=frozenset(f"{code}:{dob}" for code in either) if dob else frozenset(),
        family_area=frozenset(f"{code}:{sector}" for code in area_family)
        if sector
        else frozenset(),
        given_area=frozenset(f"{code}:{sector}" for code in area_given) if sector else frozenset(),
        dob_area=frozenset({f"{dob}:{district}"}) if dob and district else frozenset(),
        street=frozenset({f"{street}:{district}"}) if street and district else frozenset(),
        dob_area_nearby=frozenset(f"{dob}:{d}" for d in nearby) if dob else frozenset(),
        street_nearby=frozenset(f"{street}:{d}" for d in nearby) if street else frozenset(),
    )
