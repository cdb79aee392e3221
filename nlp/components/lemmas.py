"""A small rule-based lemmatiser, so that patterns written once ("punch") match every
inflection ("punched", "punches", "punching") and the spellings of hurried notes and speech
transcripts ("nuttin", "strangeld", "behavior", "mom").

spaCy's own lemmatiser needs lookup tables that are not installed here, and a plain stemmer
would merge words we must keep apart ("scared" and "scar", "cared" and "car"). So an
inflected word is reduced only to a lemma the lexicon knows: everything else keeps its
lower-case form. The lexicon (`nlp/patterns/lexicon.jsonl`, versioned) lists those lemmas and
the irregular forms and variant spellings that map onto them; it is loaded in `initialize` and
saved with the pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, cast

import numpy
import srsly
from spacy.attrs import LEMMA, NORM
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import SimpleFrozenList
from thinc.types import Ints2d

from nlp.patterns import PatternFile, read_pattern_file

DEFAULT_LEXICON = "lexicon.jsonl"
# American -ize spellings become British -ise; only for longer words, so "size" stays put.
_IZE = re.compile(r"^(?P<stem>\w{3,})iz(?P<end>e|ed|es|ing|ation|ations)$")
# Every word seen is cached; past this many distinct words the cache starts again, so a
# long-running worker fed random text cannot grow without bound.
_CACHE_LIMIT = 200_000


def _candidates(word: str) -> Iterator[str]:
    """Possible lemmas of an inflected word, most likely first."""
    n = len(word)
    if n > 4 and word.endswith(("ies", "ied")):
        yield word[:-3] + "y"
    if n > 5 and word.endswith("ing"):
        stem = word[:-3]
        yield stem
        yield stem + "e"
        if stem[-1] == stem[-2]:
            yield stem[:-1]
    if n > 3 and word.endswith("ed"):
        yield word[:-1]
        stem = word[:-2]
        yield stem
        if len(stem) > 2 and stem[-1] == stem[-2]:
            yield stem[:-1]
    if n > 3 and word.endswith("es"):
        yield word[:-2]
    if n > 3 and word.endswith("s") and not word.endswith("ss"):
        yield word[:-1]
    if n > 5 and word.endswith("ly"):
        yield word[:-2]
        if word.endswith("ily"):
            yield word[:-3] + "y"


class RuleLemmatizer:
    """Sets `Token.lemma_` to a lemma the patterns can rely on."""

    def __init__(self, nlp: Language, name: str = "frontdoor_lemmatizer") -> None:
        self.name = name
        self.version = 0
        self._forms: dict[str, str] = {}
        self._lemmas: set[str] = set()
        self._entries: list[dict[str, Any]] = []
        self._cache: dict[str, str] = {}
        self._hash_cache: dict[int, int] = {}

    @property
    def lemmas(self) -> frozenset[str]:
        """The lemmas that inflected words may be reduced to."""
        return frozenset(self._lemmas)

    def lemma_of(self, norm: str) -> str:
        """The lemma of a word given in its lower-case (spaCy NORM) form."""
        cached = self._cache.get(norm)
        if cached is not None:
            return cached
        lemma = self._lemmatise(norm)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
            self._hash_cache.clear()
        self._cache[norm] = lemma
        return lemma

    def _lemmatise(self, word: str) -> str:
        form = self._forms.get(word)
        if form is not None:
            return form
        if word in self._lemmas or not word.isalpha():
            return word
        british = _IZE.sub(r"\g<stem>is\g<end>", word)
        if british != word:
            return self._lemmatise(british)
        for candidate in _candidates(word):
            form = self._forms.get(candidate)
            if form is not None:
                return form
            if candidate in self._lemmas:
                return candidate
        return word

    def __call__(self, doc: Doc) -> Doc:
        # Through the doc's arrays, a hash per token, rather than Token objects: cheaper.
        if len(doc):
            self.set_lemmas(doc, doc.to_array(NORM).tolist())
        return doc

    def set_lemmas(self, doc: Doc, norms: list[int]) -> list[int]:
        """Set the lemmas of a doc (not empty) whose tokens' NORM hashes are `norms`, and
        return them (as hashes)."""
        lemmas = list(map(self._hash_cache.get, norms))
        if None in lemmas:
            lemmas = [
                lemma if lemma is not None else self._lemma_hash(doc, norm)
                for lemma, norm in zip(lemmas, norms, strict=True)
            ]
        doc.from_array([LEMMA], cast(Ints2d, numpy.array(lemmas, dtype="uint64").reshape(-1, 1)))
        return cast(list[int], lemmas)

    def _lemma_hash(self, doc: Doc, norm: int) -> int:
        strings = doc.vocab.strings
        lemma_hash = int(strings.add(self.lemma_of(strings[norm])))
        self._hash_cache[norm] = lemma_hash
        return lemma_hash

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]] | None = None,
        *,
        nlp: Language | None = None,
        lexicon_path: str | None = None,
    ) -> None:
        """Load the lexicon: the packaged one unless the path of another is given."""
        self.set_lexicon(
            PatternFile.read(Path(lexicon_path))
            if lexicon_path
            else read_pattern_file(DEFAULT_LEXICON)
        )

    def set_lexicon(self, lexicon: PatternFile) -> None:
        self.version = lexicon.version
        self._entries = list(lexicon.entries)
        self._forms = {}
        self._lemmas = set()
        for entry in self._entries:
            lemma = str(entry["lemma"]).lower()
            self._lemmas.add(lemma)
            if "form" in entry:
                self._forms[str(entry["form"]).lower()] = lemma
        self._cache = {}
        self._hash_cache = {}

    def _lexicon(self) -> PatternFile:
        return PatternFile(name=DEFAULT_LEXICON, version=self.version, entries=self._entries)

    def to_bytes(self, *, exclude: Iterable[str] = SimpleFrozenList()) -> bytes:
        return srsly.msgpack_dumps(self._lexicon().to_json())  # type: ignore[no-any-return]

    def from_bytes(
        self, bytes_data: bytes, *, exclude: Iterable[str] = SimpleFrozenList()
    ) -> RuleLemmatizer:
        self.set_lexicon(PatternFile.from_json(srsly.msgpack_loads(bytes_data)))
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = SimpleFrozenList()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self._lexicon().write(path / DEFAULT_LEXICON)

    def from_disk(
        self, path: str | Path, *, exclude: Iterable[str] = SimpleFrozenList()
    ) -> RuleLemmatizer:
        self.set_lexicon(PatternFile.read(Path(path) / DEFAULT_LEXICON))
        return self


@Language.factory("frontdoor_lemmatizer", default_config={})
def make_rule_lemmatizer(nlp: Language, name: str) -> RuleLemmatizer:
    return RuleLemmatizer(nlp, name)
