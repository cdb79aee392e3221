"""extract() takes any string: no exception, offsets always right, time bounded."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp import MAX_CHARS, extract

AWKWARD = [
    "",
    " ",
    "\n\n\t",
    "😢😢😢 pls help 🆘",
    "<p>mum <b>hit</b> him</p>&nbsp;&amp;&#39;",
    "Mi madre me pega todos los días. 私は怖いです。",
    "\x00\x01\x02 dad \x1b[31mhit\x1b[0m him \u200b\ufeff",
    "no no no not never none",
    "-" * 5000,
    "\u2028mum\u2029hit\r\nhim",
    "a" * 200,
    "Ⅻ ½ ² ⅷ 7⃣",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_text_gives_sensible_output(text):
    result = extract(text)
    for mention in result.mentions:
        assert text[mention.start : mention.end] == mention.text


def test_html_remnants_do_not_hide_a_concern():
    result = extract("<p>Dad <b>hit</b> him&nbsp;with a belt</p>")
    assert "physical_abuse" in result.categories


def test_empty_text_has_nothing():
    result = extract("")
    assert result.categories == [] and result.risk_indicators == [] and result.mentions == []


def test_a_long_text_is_cut_to_max_chars_and_bounded_in_time():
    text = "Dad hit him and there is no food. " * 4000  # 136,000 characters
    started = time.perf_counter()
    result = extract(text)
    assert time.perf_counter() - started < 20
    assert all(m.end <= MAX_CHARS for m in result.mentions)
    assert {"physical_abuse", "neglect"} <= set(result.categories)


def test_extract_refuses_a_non_string():
    with pytest.raises(TypeError):
        extract(None)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_extract_never_raises_and_offsets_always_quote_the_text(text):
    result = extract(text)
    items = [
        *result.mentions,
        *result.entities.dates_of_birth,
        *result.entities.ages,
        *result.entities.postcodes,
        *result.entities.phones,
        *result.entities.emails,
        *result.entities.names,
        *result.entities.schools,
    ]
    for item in items:
        assert 0 <= item.start <= item.end <= len(text)
        assert text[item.start : item.end] == item.text


WORDS = st.sampled_from(
    [
        "mum",
        "dad",
        "hit",
        "him",
        "her",
        "no",
        "not",
        "never",
        "bruise",
        "drunk",
        "knife",
        "alone",
        "missing",
        "self-harm",
        "in",
        "2019",
        "used",
        "to",
        "may",
        "the",
        "baby",
        ".",
        ",",
        "but",
        "and",
        "um",
        "DOB",
        "03/04/2015",
        "07700",
        "900123",
        "LS1",
        "4AP",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(WORDS, max_size=60).map(" ".join))
def test_referral_like_word_salad_never_breaks_the_contract(text):
    result = extract(text)
    for mention in result.mentions:
        assert text[mention.start : mention.end] == mention.text
    present = {m.code for m in result.mentions if not m.negated}
    assert set(result.categories) | set(result.risk_indicators) == present
