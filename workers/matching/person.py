"""A person as a query or a record gives them, and the normal form the matcher works on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from workers.matching import normalise


@dataclass(frozen=True, slots=True)
class Person:
    """What a referral or an agency record says about one person; any field may be missing.

    `expected_date` is for an unborn child (the expected date of delivery) and `age_years` for a
    child whose referrer gave an age instead of a date of birth; `as_of` is the day that age was
    given (the contact's date). `date_of_birth_text` keeps a date of birth that was written but is
    not a real date ("1990-02-30"), so its digits can still be compared.
    """

    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: date | None = None
    sex: str | None = None
    address: str | None = None
    postcode: str | None = None
    other_names: str | None = None
    expected_date: date | None = None
    age_years: int | None = None
    as_of: date | None = None
    date_of_birth_text: str | None = None


# The name callers use for the person being searched for; records use the same shape.
QueryPerson = Person


class ContactPersonLike(Protocol):
    """The fields of a person on a contact (intake.models.ContactPerson) that matching reads."""

    given_name: str | None
    family_name: str | None
    date_of_birth: date | None
    age_years: int | None
    expected_date: date | None
    gender: str | None
    address: str | None
    postcode: str | None


def query_from_contact_person(person: ContactPersonLike, as_of: date | None = None) -> Person:
    return Person(
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        sex=person.gender,
        address=person.address,
        postcode=person.postcode,
        expected_date=person.expected_date,
        age_years=person.age_years,
        as_of=as_of,
    )


_ALIAS_SEPARATORS = re.compile(r"[;|/]")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A Person in normal form, computed once and compared against many others."""

    given: tuple[str, ...]
    family: tuple[str, ...]
    alias_words: frozenset[str]
    date_of_birth: date | None
    dob_digits: str | None
    expected_date: date | None
    age_years: int | None
    as_of: date
    sex: str | None
    address: tuple[str, ...]
    house_numbers: tuple[str, ...]
    postcode: normalise.Postcode | None

    @property
    def given_first(self) -> str | None:
        return self.given[0] if self.given else None

    @property
    def family_joined(self) -> str:
        return "".join(self.family)

    @property
    def address_text(self) -> str:
        return " ".join(self.address)

    @property
    def unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date is not None


def prepare(person: Person) -> Prepared:
    given = normalise.given_name_parts(person.given_name)
    family = normalise.name_parts(person.family_name)
    # Other names (aliases, former family names) are only ever looked up word by word.
    aliases = frozenset(
        word
        for alias in _ALIAS_SEPARATORS.split(person.other_names or "")
        for word in normalise.name_parts(alias)
    )
    dob = person.date_of_birth
    if dob is not None:
        digits: str | None = dob.strftime("%Y%m%d")
    else:
        digits = normalise.date_digits(person.date_of_birth_text)
    address = normalise.address_tokens(person.address)
    return Prepared(
        given=given,
        family=family,
        alias_words=aliases,
        date_of_birth=dob,
        dob_digits=digits,
        expected_date=person.expected_date,
        age_years=person.age_years,
        as_of=person.as_of or date.today(),
        sex=normalise.normalise_sex(person.sex),
        address=address,
        house_numbers=normalise.house_numbers(address),
        postcode=normalise.parse_postcode(person.postcode),
    )
