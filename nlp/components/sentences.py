"""Rule-based sentence boundaries for referral text, including text with no punctuation.

Sentences bound the scope of the ConText qualifiers ("no food in the house. he has bruises"
must not negate the bruises) and of the patterns that look for two things in one sentence, so a
boundary missed in a speech transcript lets one clause qualify the next. Besides punctuation
and line breaks, a new sentence starts at a filler ("um", "erm") and, in a long unpunctuated
run, at a subject pronoun followed by a verb ("his mum drinks a lot he gets left alone").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import numpy
from spacy.attrs import ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc
from thinc.types import Ints2d

_FINAL_CHARS = frozenset(".!?…")
_FILLERS = frozenset({"um", "umm", "erm", "er", "uh", "uhm", "uhh", "ah", "hmm", "mm", "anyway"})
_SUBJECT_PRONOUNS = frozenset({"i", "he", "she", "they", "we"})
# Words after a subject pronoun that make it likely to open a new clause.
_VERBISH = frozenset(
    {
        "is", "was", "'s", "s", "are", "were", "am", "m", "'m", "has", "have", "had", "'ve",
        "'d", "d", "do", "does", "did", "can", "ca", "could", "will", "wo", "would", "'ll",
        "ll", "should", "might", "may", "must", "keeps", "gets", "got", "goes", "went",
        "said", "says", "told", "tells", "just", "never", "always", "also", "still", "really",
        "then", "ran", "runs", "came", "comes", "saw", "sees", "seems", "looks", "looked",
        "hit", "hits", "drinks", "smokes", "takes", "took", "left", "leaves", "needs",
        "wants", "want", "think", "thinks", "thought", "know", "knows", "dont", "doesnt",
        "didnt", "hasnt", "isnt", "wasnt", "not", "nt", "n't",
    }
)  # fmt: skip
# Words after which a pronoun continues the clause ("she said he was", "scared that he").
_CONTINUES_BEFORE = frozenset(
    {
        "and", "but", "or", "that", "because", "cos", "coz", "cause", "if", "when", "whenever",
        "so", "said", "says", "say", "told", "tells", "tell", "think", "thinks", "thought",
        "know", "knows", "knew", "where", "what", "how", "why", "who", "until", "til", "till",
        "before", "after", "while", "whilst", "as", "than", "like", "scared", "worried",
        "afraid", "feel", "feels", "felt", "hope", "believe", "reckon", "unless", "since",
        "whether", "once", "saying", "claims", "claimed", "reports", "reported",
        "admits", "admitted", "denies", "denied", "fears", "feared", "suspect", "suspects",
        "then", "now", "cuz", "bc", "case", "mean", "means", "guess", "help", "please",
    }
)  # fmt: skip
_OPENERS = frozenset(
    {"and", "so", "but", "also", "then", "anyway", "yeah", "yes", "well", "because", "cos",
     "plus", "there", "my", "his", "her", "their", "the", "mum", "dad", "it", "last", "now"}
)  # fmt: skip
_OPENING_PUNCT = frozenset({'"', "'", "(", "[", "“", "‘"})
# A clause this short is not split: "he said he was" reads as one.
_MIN_TOKENS_BEFORE_SPLIT = 4

# What a token is, for this component, decided once per distinct word (see _kind_of).
_OTHER, _SPACE, _NEWLINE, _FINAL, _CLOSING, _SYMBOL, _FILLER, _PRONOUN = range(8)


def _is_final_punct(text: str) -> bool:
    return bool(text) and all(ch in _FINAL_CHARS for ch in text)


def _kind_of(text: str) -> int:
    lower = text.lower()
    if text.isspace():
        return _NEWLINE if "\n" in text else _SPACE
    if _is_final_punct(text) or text == ";":
        return _FINAL
    if lower in _FILLERS:
        return _FILLER
    if lower in _SUBJECT_PRONOUNS:
        return _PRONOUN
    if len(text) <= 4 and all(ord(ch) >= 0x2190 and not ch.isalnum() for ch in text):
        return _SYMBOL  # emoji and pictographs end an SMS sentence as a full stop would
    if not any(ch.isalnum() for ch in text) and text not in _OPENING_PUNCT:
        return _CLOSING
    return _OTHER


class SentenceSplitter:
    """Sets the sentence starts of every token (as `Token.is_sent_start` reads them).

    Works on the doc's arrays rather than on Token objects: setting `is_sent_start` token by
    token costs a scan of the whole doc each time, quadratic on a long text.
    """

    def __init__(self, nlp: Language, name: str = "frontdoor_sentences") -> None:
        self.name = name
        self._kinds: dict[int, int] = {}
        self._lowers: dict[int, str] = {}

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        orths = [int(h) for h in doc.to_array(ORTH)]
        kinds = [self._kind(doc, h) for h in orths]
        lowers = [self._lower(doc, h) for h in orths]
        starts = [0] * len(doc)
        starts[0] = 1
        since_start = 0
        for i in range(1, len(doc)):
            begins = self._starts_sentence(i, kinds, lowers, since_start)
            starts[i] = 1 if begins else -1
            since_start = 0 if begins else since_start + 1
        values = numpy.array(starts, dtype="int64").astype("uint64").reshape(-1, 1)
        doc.from_array([SENT_START], cast(Ints2d, values))
        return doc

    def _kind(self, doc: Doc, orth: int) -> int:
        kind = self._kinds.get(orth)
        if kind is None:
            kind = self._kinds[orth] = _kind_of(doc.vocab.strings[orth])
        return kind

    def _lower(self, doc: Doc, orth: int) -> str:
        lower = self._lowers.get(orth)
        if lower is None:
            lower = self._lowers[orth] = doc.vocab.strings[orth].lower()
        return lower

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    @staticmethod
    def _starts_sentence(i: int, kinds: list[int], lowers: list[str], since_start: int) -> bool:
        kind, previous = kinds[i], kinds[i - 1]
        if kind in (_SPACE, _NEWLINE, _FINAL, _CLOSING):
            # Whitespace and closing punctuation stay with the sentence they end.
            return False
        if previous in (_NEWLINE, _FINAL, _SYMBOL):
            return True
        if kind == _FILLER:
            # "there's no food erm and he..." starts afresh; "her brother's friend um showed
            # her" does not: a filler opens a sentence only before a word that opens one.
            following = lowers[i + 1] if i + 1 < len(lowers) else ""
            return since_start > 0 and (following in _OPENERS or following in _SUBJECT_PRONOUNS)
        if (
            kind == _PRONOUN
            and since_start >= _MIN_TOKENS_BEFORE_SPLIT
            and previous != _CLOSING
            and lowers[i - 1] not in _CONTINUES_BEFORE
            and i + 1 < len(kinds)
        ):
            return lowers[i + 1] in _VERBISH
        return False


@Language.factory("frontdoor_sentences", default_config={})
def make_sentence_splitter(nlp: Language, name: str) -> SentenceSplitter:
    return SentenceSplitter(nlp, name)
