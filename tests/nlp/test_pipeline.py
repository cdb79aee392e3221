"""The spaCy pipeline: components, pattern files, saving and loading."""

import json

import spacy

import nlp
from nlp.codes import CATEGORY_CODES, IGNORE_LABEL, RISK_INDICATOR_CODES
from nlp.patterns import (
    CATEGORY_PATTERNS,
    CONTEXT_RULES,
    LEXICON,
    RISK_INDICATOR_PATTERNS,
    read_pattern_file,
)
from nlp.pipeline import COMPONENTS, clean_text


def test_the_pipeline_is_a_blank_english_pipeline_with_our_components(pipeline):
    assert pipeline.lang == "en"
    assert tuple(pipeline.pipe_names) == COMPONENTS


def test_the_pipeline_is_built_once_per_process():
    assert nlp.load_pipeline() is nlp.load_pipeline()


def test_the_pattern_files_are_versioned(pipeline):
    versions = pipeline.meta["frontdoor_patterns"]
    assert set(versions) == {CATEGORY_PATTERNS, RISK_INDICATOR_PATTERNS, LEXICON, CONTEXT_RULES}
    assert all(isinstance(v, int) and v >= 1 for v in versions.values())


def test_every_pattern_label_is_a_taxonomy_code(pipeline):
    ruler = pipeline.get_pipe("frontdoor_concern_ruler")
    codes = set(CATEGORY_CODES) | set(RISK_INDICATOR_CODES)
    assert set(ruler.labels) == codes
    assert {p["label"] for p in ruler.patterns} <= codes | {IGNORE_LABEL}


def test_token_patterns_are_written_in_lemma_form(pipeline):
    lemmatizer = pipeline.get_pipe("frontdoor_lemmatizer")
    for name in (CATEGORY_PATTERNS, RISK_INDICATOR_PATTERNS):
        pattern_file = read_pattern_file(name)
        words = {w for words in pattern_file.word_lists.values() for w in words}
        for entry in pattern_file.entries:
            if isinstance(entry["pattern"], list):
                for token in pattern_file.expand_word_lists(entry["pattern"]):
                    lemma = token.get("LEMMA")
                    if isinstance(lemma, str):
                        words.add(lemma)
                    elif isinstance(lemma, dict):
                        words.update(lemma.get("IN", []))
        not_lemmas = {w for w in words if lemmatizer.lemma_of(w) != w}
        assert not_lemmas == set(), f"{name}: write these as lemmas: {sorted(not_lemmas)}"


def test_inflections_and_variants_reduce_to_one_lemma(pipeline):
    lemma_of = pipeline.get_pipe("frontdoor_lemmatizer").lemma_of
    assert {lemma_of(w) for w in ("punch", "punched", "punches", "punching")} == {"punch"}
    assert {lemma_of(w) for w in ("bruise", "bruising", "bruised", "bruize")} == {"bruise"}
    assert lemma_of("scared") != lemma_of("scarred")
    assert lemma_of("behavior") == "behaviour"
    assert lemma_of("nuttin") == "nothing"
    assert lemma_of("traumatized") == "traumatised"


def test_the_pipeline_saves_to_disk_and_loads_back_with_the_same_patterns(pipeline, tmp_path):
    pipeline.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == pipeline.pipe_names
    ruler, loaded_ruler = (p.get_pipe("frontdoor_concern_ruler") for p in (pipeline, loaded))
    assert loaded_ruler.patterns == ruler.patterns
    assert loaded_ruler.versions == ruler.versions
    assert (
        loaded.get_pipe("frontdoor_context").rules == pipeline.get_pipe("frontdoor_context").rules
    )
    text = clean_text("Mum's partner grabbed him by the throat. No food in the house in 2019.")
    doc, loaded_doc = pipeline(text), loaded(text)
    spans = [(s.start, s.end, s.label_) for s in doc.spans["concerns"]]
    assert spans
    assert [(s.start, s.end, s.label_) for s in loaded_doc.spans["concerns"]] == spans


def test_the_pipeline_round_trips_through_bytes(pipeline):
    copy = spacy.blank("en")
    for name in COMPONENTS:
        copy.add_pipe(name)
    copy.from_bytes(pipeline.to_bytes())
    text = "She is suicidal and has a knife."
    doc, copied_doc = pipeline(text), copy(text)
    assert [s.label_ for s in doc.spans["concerns"]]
    assert [s.label_ for s in copied_doc.spans["concerns"]] == [
        s.label_ for s in doc.spans["concerns"]
    ]


def test_sentences_are_split_in_an_unpunctuated_transcript(pipeline):
    doc = pipeline("um his mum drinks a lot he gets left alone erm and there is no food")
    assert len(list(doc.sents)) >= 3


def test_clean_text_keeps_every_offset():
    text = "<p>Dad&nbsp;hit\x00him</p>\r\n’"
    cleaned = clean_text(text)
    assert len(cleaned) == len(text)
    assert "hit" in cleaned and "<p>" not in cleaned


def test_the_codes_agree_with_taxonomy_yaml():
    import pathlib

    import yaml

    # The repository keeps a copy of the shared taxonomy at its root.
    root = pathlib.Path(__file__).resolve().parents[2]
    taxonomy = yaml.safe_load((root / "taxonomy.yaml").read_text())
    assert list(taxonomy["categories"]) == list(CATEGORY_CODES)
    assert list(taxonomy["risk_indicators"]) == list(RISK_INDICATOR_CODES)


def test_pattern_files_are_valid_json_lines():
    for name in (CATEGORY_PATTERNS, RISK_INDICATOR_PATTERNS, CONTEXT_RULES, LEXICON):
        pattern_file = read_pattern_file(name)
        assert pattern_file.entries
        json.dumps(pattern_file.entries)
