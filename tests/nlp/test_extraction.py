"""The Extraction shape, its JSON form, and reading it back."""

import json

from nlp import Extraction, extract

CONTRACT_KEYS = {"categories", "risk_indicators", "mentions", "entities"}
MENTION_KEYS = {
    "code", "start", "end", "text", "negated", "possible", "historical", "other_experiencer",
}  # fmt: skip
ENTITY_KEYS = {"dates_of_birth", "ages", "postcodes", "phones", "emails", "names", "schools"}

TEXT = (
    "My name is Sam Patel, DSL at Riverside Primary. Jordan Smith (DOB 03/04/2015) told me "
    "his dad hit him. Mum may be drinking. There was DV in 2019. Call 07700 900123."
)


def test_to_dict_has_exactly_the_contract_keys():
    data = extract(TEXT).to_dict()
    assert set(data) == CONTRACT_KEYS
    assert set(data["entities"]) == ENTITY_KEYS
    assert data["mentions"]
    assert all(set(m) == MENTION_KEYS for m in data["mentions"])


def test_to_dict_survives_json_and_reads_back_equal():
    result = extract(TEXT)
    again = Extraction.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again == result


def test_from_dict_ignores_the_id_the_cli_adds():
    data = {"id": "abc", **extract(TEXT).to_dict()}
    assert Extraction.from_dict(data) == extract(TEXT)


def test_mentions_are_in_text_order():
    starts = [m.start for m in extract(TEXT).mentions]
    assert starts == sorted(starts)


def test_categories_follow_the_taxonomy_order():
    result = extract("There is no food. Dad hit him.")
    assert result.categories == ["physical_abuse", "neglect"]


def test_extraction_is_frozen():
    result = extract(TEXT)
    try:
        result.categories = []  # type: ignore[misc]
    except AttributeError:
        return
    raise AssertionError("Extraction should be frozen")
