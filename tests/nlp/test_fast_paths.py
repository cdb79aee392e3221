"""The fast paths of `nlp.extract` give the answers of their straightforward definitions.

Each is checked against a plain statement of what it computes, on the eval texts and on
generated referral-like texts:

- `extract` runs the components sharing the doc's token columns and passing their findings
  straight on (`nlp.pipeline._Extractor`); plainly: the spaCy pipeline, then
  `extraction_from_doc` reading the doc's span groups.
- The concern ruler matches patterns with gaps piece by piece, pieces of the same words
  sharing one phrase key; plainly: every word sequence of every pattern looked for at every
  token, and the pieces of a pattern joined in every way the gaps allow.
- The details patterns run over the lower-cased text without IGNORECASE, tried only where a
  word they can begin with starts; plainly: each pattern with IGNORECASE over the whole text.
- Sentence bounds by bisection, the longest matches by one sweep, the year Matcher on the
  stretch of the doc around the years: against lists, brute force and the whole doc.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.attrs import SENT_START
from spacy.tokens import Doc

import nlp
from nlp import details
from nlp.codes import IGNORE_LABEL
from nlp.components.concern_ruler import (
    ConcernRuler,
    _layer_of,
    _phrase_variants,
    _segments,
    _SentenceOf,
    expand_lemmas,
    extents_inside_longer,
)
from nlp.components.context import (
    ContextQualifier,
    TokenColumns,
    _keep_longest_triggers,
    _most_tokens,
    _Sentences,
    _Trigger,
)
from nlp.components.sentences import SentenceSplitter
from nlp.pipeline import MAX_CHARS, clean_text, extraction_from_doc

CASES = [
    json.loads(line)
    for line in (Path(nlp.__file__).parent / "eval" / "cases.jsonl").read_text().splitlines()
    if line.strip()
]

# Pieces of referrals: concerns, qualifiers, people, details, and characters that take the
# other branches of the fast paths (not ASCII, case-folded apart, not a letter).
FRAGMENTS = [
    "mum hit him", "dad grabbed her by the throat", "no bruising", "not eating",
    "the baby has a bruise on his face", "she said he touches her", "he self-harms",
    "her brother self-harms", "mum drinks every night", "dad was arrested in 2019",
    "may have been", "no longer", "no evidence of", "used to", "in 1999", "from 2015 to 2017",
    "I can't say there are no concerns about neglect", "left alone overnight", "knife",
    "missing from home", "county lines", "um", "erm", "and", "but", "however", ",", ".",
    "Mum says she is cutting herself", "Jordan", "Mr Daniel Hughes", "his friend",
    "aged 7", "aged seven", "age: 12", "aged 3, 5 and 9", "a 6 month old", "3-year-old",
    "14yo", "she's 8", "Jordan is 9 years", "he is only 4", "16 weeks pregnant",
    "DOB 03/04/2015", "d.o.b: 3rd April 2016", "born on the 5th of May 2018",
    "Jordan Smith (03/04/2015)", "LS1 4AP", "ls14ap", "SW1A 1AA", "07700 900123",
    "+44 7700 900123", "sam@example.org", "my name is Sarah Jones", "my name is sarah jones",
    "Dad, Mark Jones,", "my mum Kelly Smith", "the child is called Jordan", "Re: Tyler Brown",
    "Mark Jones (dad)", "Amelia, aged 6", "goes to Oakfield Primary",
    "attends St Mary's C of E Primary School", "attends oakfield primary school",
    "£20", "—", "😢", "café", "naïve", "ſeven", "nıne", "\u212aelly", "İbrahim", "٣", "²⁰¹⁹",
    "٣ year old", "she is ٣", "DOB ٠٣/٠٤/٢٠١٥", "LS١ 4AP", "éaged 7", "my name is Zoë Price",
    "’", "“quoted”", "\u00a0", "<b>", "&amp;",
]  # fmt: skip
SEPARATORS = [" ", ". ", ", ", "\n", " and ", ""]
CASINGS = [str, str.lower, str.upper, str.title]


@st.composite
def referral_texts(draw: st.DrawFn) -> str:
    parts = draw(
        st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(SEPARATORS)), max_size=20)
    )
    casing = draw(st.sampled_from(CASINGS))
    return casing("".join(fragment + separator for fragment, separator in parts))


def by_pipeline(text: str) -> nlp.Extraction:
    """`extract` the straightforward way: the spaCy pipeline, then the doc's span groups."""
    original = text[:MAX_CHARS]
    cleaned = clean_text(original)
    return extraction_from_doc(nlp.load_pipeline()(cleaned), original, cleaned)


# -- extract ----------------------------------------------------------------------------------


def test_extract_takes_the_fast_path_for_the_pipeline_as_built():
    from nlp import pipeline

    language = nlp.load_pipeline()
    assert pipeline._extractor is not None and pipeline._extractor.runs(language)


def test_extract_gives_what_the_pipeline_gives_on_the_eval_texts():
    for case in CASES:
        assert nlp.extract(case["text"]) == by_pipeline(case["text"]), case["id"]


@settings(max_examples=200, deadline=None)
@given(referral_texts())
def test_extract_gives_what_the_pipeline_gives(text):
    assert nlp.extract(text) == by_pipeline(text)


def test_extract_falls_back_to_the_pipeline_when_a_component_is_disabled():
    language = nlp.load_pipeline()
    text = "Mum says she is cutting herself. No bruising."
    with language.select_pipes(disable=["frontdoor_context"]):
        assert nlp.extract(text) == by_pipeline(text)
    assert nlp.extract(text) == by_pipeline(text)


# -- the concern ruler --------------------------------------------------------------------------


Piece = dict[str, list[tuple[str, ...]]]


def _by_first(sequences: list[tuple[str, ...]]) -> Piece:
    piece: Piece = {}
    for sequence in set(sequences):
        piece.setdefault(sequence[0], []).append(sequence)
    return piece


class ReferenceRuler:
    """What the concern ruler finds, stated plainly: each word sequence a pattern stands for is
    looked for at every token; a pattern with gaps matches wherever its pieces follow each other
    within its gaps' bounds, inside one sentence; the longest match in a layer wins over those
    it contains."""

    def __init__(self, ruler: ConcernRuler) -> None:
        language = nlp.load_pipeline()
        # (pieces: the word sequences of each, by first word; gaps; the attribute compared,
        # "lemma" or "text"; where its matches go)
        self.patterns: list[tuple[list[Piece], list[tuple[int, int]], str, Any]] = []
        for pattern_file in ruler._files:
            labels = {str(entry["label"]) for entry in pattern_file.entries} - {IGNORE_LABEL}
            file_layers = sorted({_layer_of(label) for label in labels})
            for entry in pattern_file.entries:
                label = str(entry["label"])
                layers = file_layers if label == IGNORE_LABEL else [_layer_of(label)]
                placed = [(layer, label) for layer in layers]
                implied = pattern_file.implies.get(label)
                if implied:
                    placed.append((_layer_of(implied), implied))
                pattern = entry["pattern"]
                if isinstance(pattern, str):
                    with language.select_pipes(
                        enable=["frontdoor_sentences", "frontdoor_lemmatizer"]
                    ):
                        sequences = [
                            tuple(token.lemma_ for token in language(variant))
                            for variant in _phrase_variants(pattern)
                        ]
                    self.patterns.append(([_by_first(sequences)], [], "lemma", placed))
                    continue
                tokens = pattern_file.expand_word_lists(pattern)
                if all(set(token) == {"ORTH"} for token in tokens):
                    exact = tuple(str(token["ORTH"]) for token in tokens)
                    self.patterns.append(([_by_first([exact])], [], "text", placed))
                    continue
                pieces, gaps = _segments(tokens)
                expanded = [expand_lemmas(piece) for piece in pieces]
                assert all(expanded), f"a pattern the ruler leaves to the Matcher: {tokens}"
                pieces_by_first = [_by_first(e or []) for e in expanded]
                self.patterns.append((pieces_by_first, gaps, "lemma", placed))

    def find(self, doc: Doc) -> tuple[set[tuple[int, int, str]], set[int]]:
        words = {"lemma": [t.lemma_ for t in doc], "text": [t.text for t in doc]}
        sentence_starts = {t.i for t in doc if t.is_sent_start}
        found: list[tuple[str, int, int, str, frozenset[int]]] = []
        at = {attr: _positions(of) for attr, of in words.items()}
        for pieces, gaps, attr, placed in self.patterns:
            places = [sorted(_occurrences(piece, words[attr], at[attr])) for piece in pieces]
            for chain in product(*places):
                filled = _joined(chain, gaps, sentence_starts)
                if filled is not None:
                    start, end = chain[0][0], chain[-1][1]
                    found += [(layer, start, end, label, filled) for layer, label in placed]
        kept: set[tuple[int, int, str]] = set()
        gap_tokens: set[int] = set()
        for layer in {f[0] for f in found}:
            extents = {(f[1], f[2]) for f in found if f[0] == layer}
            for _, start, end, label, _ in (f for f in found if f[0] == layer):
                inside = any((s, e) != (start, end) and s <= start and end <= e for s, e in extents)
                if not inside and label != IGNORE_LABEL:
                    kept.add((start, end, label))
        for _, start, end, label, filled in found:
            if (start, end, label) in kept:
                gap_tokens |= filled
        return kept, gap_tokens


def _positions(words: list[str]) -> dict[str, list[int]]:
    """Where each word is."""
    at: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        at.setdefault(word, []).append(i)
    return at


def _occurrences(
    piece: dict[str, list[tuple[str, ...]]], words: list[str], at: dict[str, list[int]]
) -> Iterator[tuple[int, int]]:
    """Where any of a piece's word sequences (by first word) is in `words`."""
    for first in piece.keys() & at.keys():
        for sequence in piece[first]:
            for i in at[first]:
                if tuple(words[i : i + len(sequence)]) == sequence:
                    yield i, i + len(sequence)


def _joined(
    chain: tuple[tuple[int, int], ...], gaps: list[tuple[int, int]], sentence_starts: set[int]
) -> frozenset[int] | None:
    """The tokens filling the gaps of pieces found at `chain`, or None if they do not join."""
    filled: set[int] = set()
    for (_, end), (next_start, _), (fewest, most) in zip(chain[:-1], chain[1:], gaps, strict=True):
        if not fewest <= next_start - end <= most:
            return None
        filled |= set(range(end, next_start))
    start, end = chain[0][0], chain[-1][1]
    if gaps and any(start < i < end for i in sentence_starts):
        return None  # the pieces of a pattern with gaps are found in one sentence
    return frozenset(filled)


@pytest.fixture(scope="module")
def reference_ruler(pipeline) -> ReferenceRuler:
    return ReferenceRuler(pipeline.get_pipe("frontdoor_concern_ruler"))


def ruled_doc(text: str) -> Doc:
    language = nlp.load_pipeline()
    with language.select_pipes(enable=["frontdoor_sentences", "frontdoor_lemmatizer"]):
        return language(clean_text(text))


def ruler_finds(doc: Doc) -> tuple[set[tuple[int, int, str]], set[int]]:
    ruler = nlp.load_pipeline().get_pipe("frontdoor_concern_ruler")
    found, gap_tokens = ruler.match(doc)
    return {(start, end, label) for start, end, label, _ in found}, gap_tokens


def test_the_ruler_finds_what_its_patterns_say_in_the_eval_texts(reference_ruler):
    for case in CASES:
        doc = ruled_doc(case["text"])
        assert ruler_finds(doc) == reference_ruler.find(doc), case["id"]


@settings(max_examples=100, deadline=None)
@given(referral_texts())
def test_the_ruler_finds_what_its_patterns_say(reference_ruler, text):
    doc = ruled_doc(text)
    assert ruler_finds(doc) == reference_ruler.find(doc)


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 8)), max_size=25))
def test_extents_inside_longer_ones_are_found_by_one_sweep(pairs):
    extents = {(start, start + length) for start, length in pairs}
    inside = {
        (s, e)
        for s, e in extents
        if any((o, p) != (s, e) and o <= s and e <= p for o, p in extents)
    }
    assert extents_inside_longer(extents) == inside


# -- the context qualifier ----------------------------------------------------------------------


@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(1, 5), st.sampled_from(["negated", "possible"])),
        max_size=20,
    )
)
def test_the_longest_triggers_are_kept_in_order_of_length_then_start(triples):
    triggers = [_Trigger(s, s + n, kind, "forward", 5) for s, n, kind in triples]
    ordered = sorted(triggers, key=lambda t: (t.start - t.end, t.start))
    expected = [
        t
        for t in ordered
        if not any(
            (u.start, u.end) != (t.start, t.end) and u.start <= t.start and t.end <= u.end
            for u in triggers
        )
    ]
    assert _keep_longest_triggers(triggers) == expected


@given(st.lists(st.sampled_from([1, -1, 0, 2**64 - 1]), min_size=1, max_size=40))
def test_sentence_bounds_by_bisection_are_those_of_each_token(sent_starts):
    n = len(sent_starts)
    starts = [0, *(i for i in range(1, n) if sent_starts[i] == 1)]
    sentences = _Sentences(sent_starts)
    sentence_of = _SentenceOf(sent_starts)
    for i in range(n):
        own = max(s for s in starts if s <= i)
        later = [s for s in starts if s > i]
        assert sentences.start_of(i) == own
        assert sentences.end_of(i) == (later[0] if later else n)
        assert sentence_of[i] == sum(1 for j in range(i + 1) if sent_starts[j] == 1)


YEAR_TEXTS = [
    "dad hit him in 2019 and again in march 2020",
    "from 2015 to 2017 mum drank, then 2018 - 2019 she was in rehab",
    "2019 2020 2021 in 2022 back 1999 during summer 2010",
    "In 2019 there were concerns. " * 8 + "no bruising in 2003",
    "12345 in 99999 around 2000",
]


@pytest.mark.parametrize("text", YEAR_TEXTS)
def test_the_year_matcher_on_the_stretch_around_the_years_finds_what_it_finds_on_the_doc(text):
    language = nlp.load_pipeline()
    context: ContextQualifier = language.get_pipe("frontdoor_context")
    doc = ruled_doc(text)
    columns = TokenColumns.of(doc)
    years = [i for i, shape in enumerate(columns.shapes) if shape == context._year_shape]
    assert years
    assert context._year_matches(doc, years) == context.matcher(doc)


def test_the_reach_of_a_token_pattern_counts_its_optional_and_repeated_tokens():
    assert _most_tokens([{"LEMMA": "in"}, {"LOWER": "may", "OP": "?"}, {"SHAPE": "dddd"}]) == 3
    assert _most_tokens([{"OP": "{2}"}, {"OP": "{0,12}"}, {"OP": "!"}]) == 15
    assert _most_tokens([{"LEMMA": "a"}, {"OP": "+"}]) is None
    assert _most_tokens([{"OP": "{3,}"}]) is None


# -- sentences and lemmas ---------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(referral_texts())
def test_the_sentence_starts_set_are_those_returned(text):
    language = nlp.load_pipeline()
    splitter: SentenceSplitter = language.get_pipe("frontdoor_sentences")
    doc = language.make_doc(text)
    if len(doc):
        starts = splitter.set_sentence_starts(doc, [t.orth for t in doc])
        assert [1 if s == 1 else -1 for s in doc.to_array(SENT_START).tolist()] == starts
        assert [t.is_sent_start for t in doc] == [s == 1 for s in starts]


# -- details ----------------------------------------------------------------------------------


class _PlainText(details._Text):
    """A text whose case-insensitive patterns run with IGNORECASE over the text as given and
    scan it whole: the details patterns as written."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.plain = False
        self.ascii_words = False


def details_as_written(text: str) -> nlp.Entities:
    original = details._Text
    details._Text = _PlainText  # type: ignore[misc]
    try:
        return details.find_details(text)
    finally:
        details._Text = original  # type: ignore[misc]


# Texts where a letter or digit of another script stands next to what a pattern looks for.
OTHER_SCRIPTS = [
    "a ٣ year old girl", "she is ٣ now", "DOB ٠٣/٠٤/٢٠١٥", "postcode LS١ 4AP", "éaged 7",
    "my name is Zoë Price", "Dad, José Núñez, hit her", "٣yo", "aged ٧", "£5 for the 7 year old",
]  # fmt: skip


@pytest.mark.parametrize("text", OTHER_SCRIPTS)
def test_details_next_to_other_scripts_are_those_of_the_patterns_as_written(text):
    assert details.find_details(text) == details_as_written(text)


def test_details_are_those_of_the_patterns_as_written_in_the_eval_texts():
    for case in CASES:
        text = clean_text(case["text"])
        assert details.find_details(text) == details_as_written(text), case["id"]


@settings(max_examples=300, deadline=None)
@given(referral_texts())
def test_details_are_those_of_the_patterns_as_written(text):
    text = clean_text(text)
    assert details.find_details(text) == details_as_written(text)


def test_a_number_word_with_a_long_s_or_dotless_i_is_read():
    assert [a.value for a in nlp.extract("aged ſeven").entities.ages] == [7]
    assert [a.value for a in nlp.extract("AGED ſIX and she is nıne").entities.ages] == [6, 9]


def test_a_year_shaped_token_that_is_not_figures_does_not_break_extract():
    result = nlp.extract("no bruises in ²⁰¹⁹, dad hit him in ²³⁴⁵")
    assert "physical_abuse" in result.categories
    assert not any(m.historical for m in result.mentions)
