"""Rule-based sentence boundaries for referral text, including text with no punctuation.

Sentences bound the scope of the ConText qualifiers ("no food in the house. he has bruises"
must not negate the bruises) and of the patterns that look for two things in one sentence, so a
boundary missed in a speech transcript lets one clause qualify the next. Besides punctuation
and line breaks, a new sentence starts at a filler ("um", "erm") and, in a long unpunctuated
run, at a subject pronoun followed by a verb ("his mum drinks a lot he gets left alone").
"""

from __future__ import annotations

import re
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


# A letter for each kind (by its number), so that a doc's kinds make a string in which a
# regular expression finds the tokens that may start a sentence, rather than a Python loop
# looking at every token.
_LETTERS = "OSNFCYLP"
# A token that may start a sentence: one after an end of sentence (a line break, a full stop,
# a symbol) unless it is whitespace or closing punctuation, which stay with the sentence they
# end; and any filler or subject pronoun, whose start depends on the words around it.
_MAY_START = re.compile(r"(?<=[NFY])[OYLP]|[LP]")
_ENDS = "NFY"
# SENT_START -1 (not a sentence start) in the doc's unsigned 64-bit columns.
_NOT_A_START = 2**64 - 1


class SentenceSplitter:
    """Sets the sentence starts of every token (as `Token.is_sent_start` reads them).

    Works on the doc's arrays rather than on Token objects: setting `is_sent_start` token by
    token costs a scan of the whole doc each time, quadratic on a long text. What a word is
    (`_kind_of`) is worked out once per distinct word, and only the few tokens after an end of
    sentence, fillers and pronouns are looked at further.
    """

    def __init__(self, nlp: Language, name: str = "frontdoor_sentences") -> None:
        self.name = name
        self._letters: dict[int, str] = {}  # ORTH hash -> the letter of its kind
        self._lowers: dict[int, str] = {}

    def __call__(self, doc: Doc) -> Doc:
        if len(doc):
            self.set_sentence_starts(doc, doc.to_array(ORTH).tolist())
        return doc

    def set_sentence_starts(self, doc: Doc, orths: list[int]) -> list[int]:
        """Set the sentence starts of a doc (not empty) whose tokens' ORTH hashes are `orths`,
        and return them: 1 for a token that starts a sentence, -1 for one that does not."""
        n = len(orths)
        letters = list(map(self._letters.get, orths))
        if None in letters:
            letters = [
                letter if letter is not None else self._letter(doc, orth)
                for letter, orth in zip(letters, orths, strict=True)
            ]
        kinds = "".join(cast(list[str], letters))
        starts = [-1] * n
        starts[0] = 1
        positions = [0]
        for found in _MAY_START.finditer(kinds, 1):
            i = found.start()
            if kinds[i - 1] in _ENDS or self._starts_clause(
                doc, i, kinds, orths, i - 1 - positions[-1]
            ):
                starts[i] = 1
                positions.append(i)
        # The column as spaCy holds it (-1 as an unsigned 64-bit value), filled in by position
        # rather than converted from `starts` value by value.
        values = numpy.full((n, 1), _NOT_A_START, dtype="uint64")
        values[positions, 0] = 1
        doc.from_array([SENT_START], cast(Ints2d, values))
        return starts

    def _letter(self, doc: Doc, orth: int) -> str:
        letter = self._letters[orth] = _LETTERS[_kind_of(doc.vocab.strings[orth])]
        return letter

    def _lower(self, doc: Doc, orth: int) -> str:
        lower = self._lowers.get(orth)
        if lower is None:
            lower = self._lowers[orth] = doc.vocab.strings[orth].lower()
        return lower

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def _starts_clause(
        self, doc: Doc, i: int, kinds: str, orths: list[int], since_start: int
    ) -> bool:
        """Whether the i-th token, a filler or a subject pronoun not after an end of sentence,
        starts one; `since_start` counts the tokens between the sentence's first token and
        this one."""
        following = self._lower(doc, orths[i + 1]) if i + 1 < len(orths) else ""
        if kinds[i] == _LETTERS[_FILLER]:
            # "there's no food erm and he..." starts afresh; "her brother's friend um showed
            # her" does not: a filler opens a sentence only before a word that opens one.
            return since_start > 0 and (following in _OPENERS or following in _SUBJECT_PRONOUNS)
        return (
            since_start >= _MIN_TOKENS_BEFORE_SPLIT
            and kinds[i - 1] != _LETTERS[_CLOSING]
            and self._lower(doc, orths[i - 1]) not in _CONTINUES_BEFORE
            and i + 1 < len(orths)
            and following in _VERBISH
        )


@Language.factory("frontdoor_sentences", default_config={})
def make_sentence_splitter(nlp: Language, name: str) -> SentenceSplitter:
    return SentenceSplitter(nlp, name)
