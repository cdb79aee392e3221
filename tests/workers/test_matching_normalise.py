"""Normal forms, nicknames and blocking keys: the pieces every comparison stands on."""

from __future__ import annotations

from datetime import date

import pytest

from workers.matching import blocking, nicknames, normalise
from workers.matching.person import Person, prepare


@pytest.mark.parametrize(
    ("raw", "parts"),
    [
        ("Mrs Zoë O'Brien-Smith", ("zoe", "obrien", "smith")),
        ("  SMITH-JONES ", ("smith", "jones")),
        ("Dr. José  García", ("jose", "garcia")),
        ("Łukasz Müller Jr", ("lukasz", "muller")),
        ("", ()),
        (None, ()),
    ],
)
def test_names_are_folded_split_and_stripped_of_titles(
    raw: str | None, parts: tuple[str, ...]
) -> None:
    assert normalise.name_parts(raw) == parts


@pytest.mark.parametrize("placeholder", ["Baby", "unborn", "Baby of", "UNKNOWN"])
def test_a_placeholder_given_name_counts_as_none(placeholder: str) -> None:
    assert normalise.given_name_parts(placeholder) == ()


def test_a_real_given_name_is_kept_even_beside_a_placeholder_word() -> None:
    assert normalise.given_name_parts("Baby Jordan") == ("baby", "jordan")


@pytest.mark.parametrize(
    ("a", "b"),
    [("bill", "william"), ("jess", "jessica"), ("bob", "robert"), ("liz", "elizabeth"),
     ("kate", "katherine"), ("mike", "michael"), ("tom", "thomas"), ("jim", "james"),
     ("alex", "alexander"), ("alex", "alexandra"), ("jack", "john"), ("harry", "henry"),
     ("peggy", "margaret"), ("bill", "will")],
)  # fmt: skip
def test_nicknames_are_equivalent(a: str, b: str) -> None:
    assert nicknames.are_equivalent(a, b)
    assert nicknames.are_equivalent(b, a)


@pytest.mark.parametrize(("a", "b"), [("john", "ian"), ("mary", "mia"), ("alexander", "alexandra")])
def test_distinct_names_are_not_nicknames_of_each_other(a: str, b: str) -> None:
    assert not nicknames.are_equivalent(a, b)


def test_the_nickname_table_has_hundreds_of_pairs() -> None:
    table = nicknames._table()[1]
    assert sum(len(members) - 1 for members in table.values()) > 500


def test_a_nickname_query_looks_where_the_formal_name_is_filed() -> None:
    assert nicknames.canonical("william") in nicknames.blocking_names("bill")
    assert nicknames.canonical("alexandra") in nicknames.blocking_names("alex")


@pytest.mark.parametrize(
    ("raw", "text", "outward", "district", "sector"),
    [
        ("ls14ap", "LS1 4AP", "LS1", "LS1", "LS1 4"),
        ("LS1 4AP", "LS1 4AP", "LS1", "LS1", "LS1 4"),
        ("ec1a 1bb", "EC1A 1BB", "EC1A", "EC1", "EC1A 1"),
        ("SW1A1AA", "SW1A 1AA", "SW1A", "SW1", "SW1A 1"),
        ("ls1 oap", "LS1 0AP", "LS1", "LS1", "LS1 0"),
        ("M1", "M1", "M1", "M1", None),
    ],
)
def test_uk_postcodes_split_into_outward_district_and_sector(
    raw: str, text: str, outward: str, district: str, sector: str | None
) -> None:
    code = normalise.parse_postcode(raw)
    assert code is not None
    assert (code.text, code.outward, code.district, code.sector) == (
        text,
        outward,
        district,
        sector,
    )
    assert code.uk


def test_a_foreign_postcode_is_kept_whole() -> None:
    code = normalise.parse_postcode("2615")
    assert code is not None
    assert (code.text, code.district, code.uk) == ("2615", "2615", False)


def test_blank_postcode_is_none() -> None:
    assert normalise.parse_postcode("  ") is None


def test_addresses_are_spelt_one_way_and_lose_an_embedded_postcode() -> None:
    assert normalise.address_tokens("10 High St., Leeds LS1 4AP") == normalise.address_tokens(
        "10 high street, LEEDS"
    )


def test_household_key_keeps_flats_apart_and_ignores_street_spelling() -> None:
    house = normalise.household_key("10 High Street, Leeds", "LS1 4AP")
    assert house == normalise.household_key("10 High St", "ls14ap")
    assert house != normalise.household_key("Flat 2, 10 High Street", "LS1 4AP")
    assert normalise.household_key("10 High Street", None) is None


@pytest.mark.parametrize(
    ("raw", "sex"), [("M", "m"), ("female", "f"), ("Girl", "f"), ("other", None), ("", None)]
)
def test_sex_is_m_f_or_unknown(raw: str, sex: str | None) -> None:
    assert normalise.normalise_sex(raw) == sex


def test_iso_and_uk_day_first_dates_parse_and_anything_else_is_refused() -> None:
    assert normalise.parse_iso_date("2015-04-03") == date(2015, 4, 3)
    assert normalise.parse_iso_date("03/04/2015") == date(2015, 4, 3)  # 3 April, UK order
    assert normalise.parse_iso_date("") is None
    assert normalise.date_digits("31/02/2015") == "20150231", "impossible, still comparable"
    for bad in ("2015-02-30", "20150403", "3rd April 2015", "04/2015"):
        with pytest.raises(ValueError):
            normalise.parse_iso_date(bad)


def test_day_and_month_swap_only_when_it_makes_another_real_date() -> None:
    assert normalise.swapped_day_month(date(2015, 4, 3)) == date(2015, 3, 4)
    assert normalise.swapped_day_month(date(2015, 4, 13)) is None
    assert normalise.swapped_day_month(date(2015, 5, 5)) is None


def _keys(**fields: object) -> blocking.RecordKeys:
    return blocking.record_keys(prepare(Person(**fields)))  # type: ignore[arg-type]


def _shares_a_key(record: Person, query: Person) -> bool:
    stored = blocking.record_keys(prepare(record)).as_dict()
    wanted = blocking.query_keys(prepare(query)).as_dict()
    return any(stored[blocking.COLUMN_OF[name]] in values for name, values in wanted.items())


RECORD = Person(
    given_name="William", family_name="Smith-Jones", date_of_birth=date(2015, 4, 3),
    address="10 High Street, Leeds", postcode="LS1 4AP",
)  # fmt: skip


@pytest.mark.parametrize(
    "query",
    [
        Person(given_name="Bill", family_name="Smith", date_of_birth=date(2015, 4, 3)),
        Person(given_name="William", family_name="Smith-Jones", date_of_birth=date(2015, 3, 4)),
        Person(given_name="Smith-Jones", family_name="William"),
        Person(given_name="Wiliam", family_name="Jones", date_of_birth=date(2015, 4, 3)),
        Person(family_name="Smith", postcode="LS1 4ZZ"),
        Person(
            given_name="Xavier",
            family_name="Brown",
            date_of_birth=date(2015, 4, 3),
            postcode="LS1 1AA",
        ),
        Person(
            given_name="Will", family_name="Other", address="10 High Street", postcode="LS1 9ZZ"
        ),
        # Neither name's sound agrees with the record's pair, so only the area keys, looked up
        # under the other name too, bring them together.
        Person(given_name="Jones", family_name="Wiliam", postcode="LS1 4AP"),
        Person(
            given_name="Xavier",
            family_name="Brown",
            date_of_birth=date(2015, 4, 3),
            postcode="LS7 4AP",
        ),
        Person(
            given_name="Will", family_name="Other", address="10 High Street", postcode="LS4 1AP"
        ),
    ],
    ids=[
        "nickname",
        "swapped-day-month",
        "swapped-names",
        "typo-and-other-half",
        "no-dob",
        "dob-area",
        "street",
        "swapped-names-no-dob",
        "dob-area-district-mistyped",
        "street-district-mistyped",
    ],
)
def test_a_query_shares_a_blocking_key_with_its_record_despite_real_world_errors(
    query: Person,
) -> None:
    assert _shares_a_key(RECORD, query)


def test_an_unrelated_person_shares_no_blocking_key() -> None:
    other = Person(
        given_name="Olivia", family_name="Khan", date_of_birth=date(1990, 1, 1), postcode="BD1 2AB"
    )
    assert not _shares_a_key(RECORD, other)


def test_blocking_keys_fit_their_database_columns() -> None:
    keys = _keys(
        given_name="Wolfeschlegelsteinhausenbergerdorff", family_name="Featherstonehaugh-Cholmondeley",
        date_of_birth=date(2015, 4, 3), address="1234 Long Road", postcode="EC1A 1BB",
    )  # fmt: skip
    assert all(value is None or len(value) <= 64 for value in keys.as_dict().values())


def test_districts_one_digit_away_are_typos_of_the_district_not_its_neighbours_by_name() -> None:
    assert blocking.districts_one_digit_away("LS6") == {f"LS{d}" for d in range(10)}
    assert {"LS12", "LS13", "LS02", "LS21"} <= blocking.districts_one_digit_away("LS12")
    assert "LS16" not in blocking.districts_one_digit_away("LS6")
    assert {"2169", "2196", "2166"} <= blocking.districts_one_digit_away("2169")
    assert blocking.districts_one_digit_away("LS") == {"LS"}
