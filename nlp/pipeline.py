"""The spaCy pipeline, built once per process, and `extract`, the one entry point.

The pipeline is `spacy.blank("en")` with a slightly wider tokenizer and four components of
ours: `frontdoor_sentences` (sentence boundaries), `frontdoor_lemmatizer` (lemma-ish forms,
British spellings, shorthand), `frontdoor_concern_ruler` (the category and risk indicator
patterns) and `frontdoor_context` (negated / possible / historical / other experiencer).
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from typing import cast

import spacy
from spacy.attrs import IDX, LENGTH, NORM, ORTH, SHAPE
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

import nlp.components  # noqa: F401  (registers the component factories with spaCy)
from nlp.codes import CATEGORY_CODES, CODE_ORDER, QUALIFIERS, RISK_INDICATOR_CODES
from nlp.components import ConcernRuler, ContextQualifier, RuleLemmatizer, SentenceSplitter
from nlp.components.concern_ruler import DEFAULT_SPANS_KEY
from nlp.components.context import TokenColumns, qualifier_key
from nlp.details import find_details
from nlp.extraction import Entities, Extraction, Mention
from nlp.patterns import CONTEXT_RULES, LEXICON

# Only the first 100,000 characters of a text are read (about 15,000 words, far beyond any
# referral): it bounds the time and memory one pathological input can take (about a second),
# and the offsets of everything found still index the text as given.
MAX_CHARS = 100_000

COMPONENTS = (
    "frontdoor_sentences",
    "frontdoor_lemmatizer",
    "frontdoor_concern_ruler",
    "frontdoor_context",
)

_TAG = re.compile(r"<[^<>]{0,200}>")
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,6});")
_ENTITY_CHARS = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}
# Characters replaced one for one, so that offsets into the cleaned text are offsets into
# the original: curly quotes become straight ones, line and paragraph separators and carriage
# returns become newlines, and other control and invisible characters become spaces.
_ONE_FOR_ONE = str.maketrans(
    {
        "’": "'", "‘": "'", "‛": "'", "`": "'", "“": '"', "”": '"', "„": '"',
        "\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n",
        **{chr(c): " " for c in (*range(0, 9), 11, 12, *range(14, 32), 127)},
        **{chr(c): " " for c in range(0x80, 0xA0) if c != 0x85},
        **{c: " " for c in ("\u00a0", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f",
                            "\u2060", "\ufeff", "\u00ad")},
    }
)  # fmt: skip

_lock = threading.Lock()
_pipeline: Language | None = None
_extractor: _Extractor | None = None


def clean_text(text: str) -> str:
    """The text with HTML remnants, control characters and curly quotes neutralised,
    character for character: the result has the same length as the input."""
    text = text.translate(_ONE_FOR_ONE)
    if "<" in text:
        text = _TAG.sub(lambda m: " " * len(m.group(0)), text)
    if "&" in text:
        text = _ENTITY.sub(_entity_replacement, text)
    return text


def _entity_replacement(match: re.Match[str]) -> str:
    raw = match.group(0)
    char = _ENTITY_CHARS.get(raw.lower(), " ")
    return char + " " * (len(raw) - 1)


def _widen_tokenizer(language: Language) -> None:
    """Split what hurried typing runs together: "again.kids", "mum&dad", "mum+dad"."""
    infixes = [
        *(language.Defaults.infixes or []),
        r"(?<=[a-z]{2})\.(?=[a-z]{2})",
        r"(?<=[A-Za-z])[&+](?=[A-Za-z])",
    ]
    cast(Tokenizer, language.tokenizer).infix_finditer = compile_infix_regex(infixes).finditer


def build_pipeline() -> Language:
    """A new, initialised pipeline. Most callers want `load_pipeline` instead."""
    language = spacy.blank("en")
    _widen_tokenizer(language)
    for name in COMPONENTS:
        language.add_pipe(name)
    language.initialize()
    ruler = cast(ConcernRuler, language.get_pipe("frontdoor_concern_ruler"))
    lemmatizer = cast(RuleLemmatizer, language.get_pipe("frontdoor_lemmatizer"))
    context = cast(ContextQualifier, language.get_pipe("frontdoor_context"))
    language.meta["frontdoor_patterns"] = {
        **ruler.versions,
        LEXICON: lemmatizer.version,
        CONTEXT_RULES: context.version,
    }
    return language


def load_pipeline() -> Language:
    """The process's pipeline, built on first use. A worker may call it before forking so
    that its children share the built pipeline."""
    global _pipeline, _extractor
    if _pipeline is None:
        with _lock:
            if _pipeline is None:
                language = build_pipeline()
                _extractor = _Extractor(language)
                _pipeline = language
    return _pipeline


def extract(text: str) -> Extraction:
    """Categories, risk indicators, the mentions behind them, and details, from free text.

    Never raises for any string; offsets index `text` as given.
    """
    if not isinstance(text, str):
        raise TypeError(f"extract() takes a str, not {type(text).__name__}")
    original = text[:MAX_CHARS]
    cleaned = clean_text(original)
    language = load_pipeline()
    if _extractor is not None and _extractor.runs(language):
        return _extractor(original, cleaned)
    return extraction_from_doc(language(cleaned), original, cleaned)


class _Extractor:
    """`extract` through the pipeline as built: its components do what the pipeline has them
    do, but they share the token columns they read (one `to_array` for the doc rather than one
    or two each) and pass what they find straight on, rather than through the doc's span
    groups, which only `extraction_from_doc` would read back (making or reading a span costs
    several calls into spaCy). The Extraction is the one that `extraction_from_doc` reads from
    the doc the pipeline processes; tests/nlp/test_fast_paths.py checks it on varied texts."""

    def __init__(self, language: Language) -> None:
        self._pipeline = language.pipeline
        self._make_doc = language.make_doc
        self._sentences = cast(SentenceSplitter, language.get_pipe("frontdoor_sentences"))
        self._lemmatizer = cast(RuleLemmatizer, language.get_pipe("frontdoor_lemmatizer"))
        self._ruler = cast(ConcernRuler, language.get_pipe("frontdoor_concern_ruler"))
        self._context = cast(ContextQualifier, language.get_pipe("frontdoor_context"))

    def runs(self, language: Language) -> bool:
        """Whether the pipeline still has the components it was built with, all enabled."""
        return language.pipeline == self._pipeline

    def __call__(self, original: str, cleaned: str) -> Extraction:
        doc = self._make_doc(cleaned)
        mentions: list[Mention] = []
        if len(doc):
            array = doc.to_array([ORTH, NORM, SHAPE, IDX, LENGTH])
            orths, norms, shapes = cast(list[list[int]], array[:, :3].T.tolist())
            sent_starts = self._sentences.set_sentence_starts(doc, orths)
            lemmas = self._lemmatizer.set_lemmas(doc, norms)
            found, gap_tokens = self._ruler.match(doc, sent_starts)
            if found:
                qualified = self._context.qualify(
                    doc,
                    [(start, end, label) for start, end, label, _ in found],
                    gap_tokens,
                    TokenColumns(orths, lemmas, sent_starts, shapes),
                )
                for q in qualified:
                    # A span's characters: from its first token's to its last token's end.
                    start = int(array[q.start, 3])
                    end = int(array[q.end - 1, 3] + array[q.end - 1, 4])
                    mentions.append(
                        Mention(
                            code=q.code,
                            start=start,
                            end=end,
                            text=original[start:end],
                            negated=q.negated,
                            possible=q.possible,
                            historical=q.historical,
                            other_experiencer=q.other_experiencer,
                        )
                    )
        return _extraction(mentions, original, cleaned)


def extraction_from_doc(
    doc: Doc, original: str | None = None, cleaned: str | None = None
) -> Extraction:
    """The Extraction for a doc the pipeline has processed; `original` is the text before
    `clean_text` (same length), from which the quoted text of each item is taken, and
    `cleaned` the doc's text if the caller has it (`doc.text` is rebuilt token by token)."""
    text = doc.text if cleaned is None else cleaned
    source = text if original is None else original
    flags: dict[str, set[tuple[int, int, str]]] = {
        qualifier: {
            (span.start, span.end, span.label_)
            for span in doc.spans.get(qualifier_key(qualifier), [])
        }
        for qualifier in QUALIFIERS
    }
    mentions: list[Mention] = []
    for span in doc.spans.get(DEFAULT_SPANS_KEY, []):
        key = (span.start, span.end, span.label_)
        start, end = span.start_char, span.end_char
        mentions.append(
            Mention(
                code=span.label_,
                start=start,
                end=end,
                text=source[start:end],
                negated=key in flags["negated"],
                possible=key in flags["possible"],
                historical=key in flags["historical"],
                other_experiencer=key in flags["other_experiencer"],
            )
        )
    return _extraction(mentions, source, text)


def _extraction(mentions: list[Mention], source: str, text: str) -> Extraction:
    """The Extraction of these mentions and the details of `text`, the cleaned form of
    `source` (the text passed to `extract`, from which items are quoted)."""
    present = {m.code for m in mentions if not m.negated}
    entities = find_details(text)
    return Extraction(
        categories=[code for code in CATEGORY_CODES if code in present],
        risk_indicators=[code for code in RISK_INDICATOR_CODES if code in present],
        mentions=sorted(mentions, key=lambda m: (m.start, m.end, CODE_ORDER.get(m.code, 99))),
        entities=_quoting(entities, source, text),
    )


def _quoting(entities: Entities, source: str, text: str) -> Entities:
    """Entities whose `text` is quoted from the original (`source`) rather than the cleaned
    text: the same entities when cleaning changed nothing, as for most texts."""
    if source == text:
        return entities
    return Entities(
        dates_of_birth=[replace(d, text=source[d.start : d.end]) for d in entities.dates_of_birth],
        ages=[replace(a, text=source[a.start : a.end]) for a in entities.ages],
        postcodes=[replace(d, text=source[d.start : d.end]) for d in entities.postcodes],
        phones=[replace(d, text=source[d.start : d.end]) for d in entities.phones],
        emails=[replace(d, text=source[d.start : d.end]) for d in entities.emails],
        names=[replace(n, text=source[n.start : n.end]) for n in entities.names],
        schools=[replace(d, text=source[d.start : d.end]) for d in entities.schools],
    )
