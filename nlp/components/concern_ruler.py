"""The concern ruler: finds the words that support each category and risk indicator code.

Modelled on spaCy's `SpanRuler`: phrase patterns (strings) and token patterns (lists of token
dicts, spaCy's Matcher syntax) labelled with a code, matched on `LEMMA` as set by the
`frontdoor_lemmatizer`, so one pattern covers every inflection and the variant spellings the
lexicon knows. Patterns come from versioned JSON Lines files in `nlp/patterns/`, are loaded in
`initialize` and are saved with the pipeline. Matches are written to `doc.spans["concerns"]`,
labelled with their code.

Categories and risk indicators are separate layers: "grabbed him by the throat" is both
physical abuse ("grabbed") and strangulation ("by the throat"). Within a layer the longest match
wins over the matches it contains, so "hit mum" (domestic abuse) hides "hit" (physical abuse);
matches of the same extent are all kept, which is how one phrase can carry two codes.
Patterns labelled IGNORE take part in that contest, within the layer of the file they are in,
and are then dropped: they mark look-alikes such as "panic attack" or "heart attack".

A token pattern may leave a gap between its words, written `{"IS_SENT_START": false, "OP":
"{0,12}"}` ("baby ... bruise" in one sentence). The tokens that filled a gap are recorded in
`doc.spans["concerns_gaps"]`: a negation there ("the baby was not hurt") is not part of the
concern, and the qualifier component must still see it.

Speed. spaCy's Matcher tries every one of its patterns at every token, which for a few hundred
patterns costs more than the rest of the pipeline together. So a token pattern made only of
lemmas, sets of lemmas and optional tokens is expanded, when loaded, into the word sequences it
stands for and given to the PhraseMatcher, whose cost does not grow with the number of
phrases; a pattern with gaps is expanded piece by piece, and the pieces joined after matching.
Only the few patterns that need more (numbers, capitals, punctuation, exact spellings) are left
to a Matcher, one each, run only on a doc that contains one of the pattern's words.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NamedTuple, cast

import srsly
from spacy.attrs import LEMMA, LOWER, SENT_START
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import SimpleFrozenList

from nlp.codes import IGNORE_LABEL, is_category, is_risk_indicator
from nlp.patterns import (
    CATEGORY_PATTERNS,
    RISK_INDICATOR_PATTERNS,
    PatternFile,
    read_pattern_file,
)

DEFAULT_SPANS_KEY = "concerns"
_CFG = "cfg.json"
_LAYERS = ("categories", "risk_indicators")
_Found = tuple[int, int, str, str]
# (code, pattern id, the layers it competes in, the code it implies or "")
_Info = tuple[str, str, tuple[str, ...], str]


def gaps_key(spans_key: str = DEFAULT_SPANS_KEY) -> str:
    """The span group holding the tokens that filled a gap in a token pattern."""
    return f"{spans_key}_gaps"


def _gap_positions(pattern: list[dict[str, Any]]) -> frozenset[int]:
    return frozenset(
        i
        for i, token in enumerate(pattern)
        if set(token) <= {"IS_SENT_START", "OP"} and str(token.get("OP", "")).startswith("{")
    )


def _phrase_variants(phrase: str) -> list[str]:
    """A hyphenated phrase is written "self-harm", "self harm" and "selfharm" alike."""
    if "-" not in phrase:
        return [phrase]
    return [phrase, phrase.replace("-", " "), phrase.replace("-", "")]


def _layer_of(label: str) -> str:
    if is_category(label):
        return "categories"
    if is_risk_indicator(label):
        return "risk_indicators"
    raise ValueError(f"unknown code {label!r} in a concern pattern")


def split_on_first_word(pattern: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The same pattern as several whose first token is compared by value.

    A first token that is a set of lemmas ({"LEMMA": {"IN": [...]}}) makes the Matcher call
    into Python at every token; one pattern per lemma is checked in compiled code instead. An
    optional first token becomes a pattern with it and one without.
    """
    if not pattern:
        return [pattern]
    first, rest = pattern[0], pattern[1:]
    if first.get("OP") == "?" and rest:
        required = {k: v for k, v in first.items() if k != "OP"}
        return split_on_first_word([required, *rest]) + split_on_first_word(rest)
    lemma = first.get("LEMMA")
    if set(first) == {"LEMMA"} and isinstance(lemma, dict) and set(lemma) == {"IN"}:
        return [[{"LEMMA": value}, *rest] for value in dict.fromkeys(lemma["IN"])]
    return [pattern]


# A pattern standing for more word sequences than this stays with the Matcher.
_MAX_EXPANSION = 30_000


# A number, as a lemma: digits up to 99 and the words people write for the small ones.
_NUMBERS: Final = (
    *(str(n) for n in range(100)),
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    "twenty", "thirty", "forty", "fifty", "few",
)  # fmt: skip


def _gap(token: dict[str, Any]) -> tuple[int, int] | None:
    """(fewest, most) tokens a gap token stands for; None if the token is not a gap.
    A gap is {"IS_SENT_START": false, "OP": "{0,12}"}, or any token: {} or {"OP": "?"}."""
    if not set(token) <= {"IS_SENT_START", "OP"} or token.get("IS_SENT_START", False):
        return None
    op = token.get("OP")
    if op is None:
        return (1, 1)
    if op == "?":
        return (0, 1)
    if isinstance(op, str) and op.startswith("{") and op.endswith("}") and "," in op:
        low, high = op[1:-1].split(",")
        return (int(low or 0), int(high))
    return None


def _is_gap(token: dict[str, Any]) -> bool:
    return _gap(token) is not None


def _choices(token: dict[str, Any]) -> list[str] | None:
    """The lemmas a token may be, or None if it is not a plain lemma or number token."""
    attrs = set(token) - {"OP", "IS_SENT_START"}
    if attrs == {"LIKE_NUM"} and token["LIKE_NUM"] is True:
        return list(_NUMBERS)
    if attrs != {"LEMMA"}:
        return None
    value = token["LEMMA"]
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and set(value) == {"IN"}:
        return list(dict.fromkeys(str(v) for v in value["IN"]))
    return None


def expand_lemmas(pattern: list[dict[str, Any]]) -> list[tuple[str, ...]] | None:
    """The lemma sequences a pattern of lemmas, sets of lemmas, numbers and optional tokens
    stands for; None if it uses anything else, or stands for too many."""
    sequences: list[tuple[str, ...]] = [()]
    for token in pattern:
        op = token.get("OP")
        choices = _choices(token)
        if choices is None or op not in (None, "?"):
            return None
        grown = [(*seq, choice) for seq in sequences for choice in choices]
        if op == "?":
            grown += sequences
        if len(grown) > _MAX_EXPANSION:
            return None
        sequences = grown
    return [seq for seq in dict.fromkeys(sequences) if seq]


def _segments(
    pattern: list[dict[str, Any]],
) -> tuple[list[list[dict[str, Any]]], list[tuple[int, int]]]:
    """A pattern cut at its gaps: the pieces, and each gap's (fewest, most) tokens. Gap tokens
    next to each other make one gap."""
    pieces: list[list[dict[str, Any]]] = [[]]
    gaps: list[tuple[int, int]] = []
    for token in pattern:
        gap = _gap(token)
        if gap is None:
            pieces[-1].append(token)
        elif pieces[-1] or not gaps:
            gaps.append(gap)
            pieces.append([])
        else:
            low, high = gaps[-1]
            gaps[-1] = (low + gap[0], high + gap[1])
    return pieces, gaps


def _anchor(pattern: list[dict[str, Any]]) -> frozenset[str] | None:
    """Words of which a doc must contain one for the pattern to match: those of its required
    token with the fewest choices, preferring words that are not everywhere ("cut" to "be").
    None if no required token names its words."""
    best: frozenset[str] | None = None

    def rank(words: frozenset[str]) -> tuple[bool, int]:
        return (any(w in STOP_WORDS for w in words), len(words))

    for token in pattern:
        if token.get("OP") not in (None, "+"):
            continue
        for attr in ("LEMMA", "LOWER", "ORTH", "NORM"):
            value = token.get(attr)
            if isinstance(value, str):
                words = frozenset({value.lower()})
            elif isinstance(value, dict) and isinstance(value.get("IN"), list):
                words = frozenset(str(v).lower() for v in value["IN"])
            else:
                continue
            if best is None or rank(words) < rank(best):
                best = words
    return best


@dataclass(frozen=True)
class _Gapped:
    """A pattern with gaps, matched as pieces by the PhraseMatcher and joined in `find`."""

    info: _Info
    gaps: tuple[tuple[int, int], ...]


class _Joining(NamedTuple):
    """A pattern with gaps, the phrase keys of each of its pieces, and the set of those keys
    when each piece has one (None when equal patterns pooled several keys for a piece)."""

    gapped: _Gapped
    keys: tuple[tuple[int, ...], ...]
    single: frozenset[int] | None


class _SentenceOf:
    """The sentence of a token, numbered from 0, from the doc's SENT_START column (a sentence
    starts where it is 1): found by bisecting the sentence starts, as few tokens are asked
    about."""

    def __init__(self, sent_starts: list[int]) -> None:
        self._starts: list[int] = []
        i = -1
        while True:
            try:
                i = sent_starts.index(1, i + 1)
            except ValueError:
                break
            self._starts.append(i)

    def __getitem__(self, i: int) -> int:
        return bisect.bisect_right(self._starts, i)


def _join(
    matches: list[list[tuple[int, int]]],
    gaps: tuple[tuple[int, int], ...],
    sentence: _SentenceOf,
) -> list[tuple[int, int, set[int]]]:
    """Join the matched pieces of a pattern with gaps: each piece must start within its gap's
    bounds after the previous one ends, in the same sentence. Returns (start, end, gap tokens).
    """
    chains: list[tuple[int, int, set[int]]] = [(start, end, set()) for start, end in matches[0]]
    for (fewest, most), following in zip(gaps, matches[1:], strict=True):
        following = sorted(following)
        starts = [start for start, _ in following]
        joined: list[tuple[int, int, set[int]]] = []
        for start, end, filled in chains:
            first = bisect.bisect_left(starts, end + fewest)
            last = bisect.bisect_right(starts, end + most)
            for next_start, next_end in following[first:last]:
                if sentence[start] == sentence[next_end - 1]:
                    joined.append((start, next_end, filled | set(range(end, next_start))))
        chains = joined
        if not chains:
            break
    return chains


def extents_inside_longer(extents: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (start, end) extents that lie inside a strictly longer one of the set.

    An extent lies inside a longer one exactly when an extent that starts before it, or at
    the same token and ends later, ends at or after its end: one sweep over the extents, by
    start and then longest first, finds them.
    """
    inside: set[tuple[int, int]] = set()
    furthest = -1
    for start, end in sorted(extents, key=_by_start_longest_first):
        if furthest >= end:
            inside.add((start, end))
        elif end > furthest:
            furthest = end
    return inside


def _by_start_longest_first(extent: tuple[int, int]) -> tuple[int, int]:
    return (extent[0], -extent[1])


def _matches_of(
    keys: tuple[int, ...], piece_matches: dict[int, list[tuple[int, int]]]
) -> list[tuple[int, int]]:
    """The matches of a piece, which has one phrase key or (pooled) several."""
    if len(keys) == 1:
        return piece_matches.get(keys[0], [])
    return [extent for key in keys for extent in piece_matches.get(key, ())]


def _keep_longest(spans: list[_Found]) -> list[_Found]:
    """Drop every match that lies inside a strictly longer match of the same layer. The
    matches kept are in the order longest first, then by start."""
    if len(spans) <= 1:
        return spans
    ordered = sorted(set(spans), key=lambda s: (s[0] - s[1], s[0]))
    inside = extents_inside_longer({(s[0], s[1]) for s in ordered})
    if not inside:
        return ordered
    return [s for s in ordered if (s[0], s[1]) not in inside]


class ConcernRuler:
    """Adds a span per concern mention to `doc.spans[spans_key]`."""

    def __init__(
        self,
        nlp: Language,
        name: str = "frontdoor_concern_ruler",
        *,
        spans_key: str = DEFAULT_SPANS_KEY,
        phrase_matcher_attr: str = "LEMMA",
        validate: bool = False,
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.phrase_matcher_attr = phrase_matcher_attr
        self.validate = validate
        self.clear()

    def clear(self) -> None:
        self._files: list[PatternFile] = []
        # match id -> (what the pattern says, the positions of its gap tokens)
        self._pattern_info: dict[int, tuple[_Info, frozenset[int]]] = {}
        self.phrase_matcher = PhraseMatcher(
            self.nlp.vocab, attr=self.phrase_matcher_attr, validate=self.validate
        )
        # Patterns of exact spellings ("DA", "SEND"), where case tells a code from a word.
        self.exact_matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH", validate=self.validate)
        # Patterns with gaps are matched piece by piece. Pieces that stand for the same word
        # sequences share one phrase key ("mum", "dad"... is a piece of a dozen patterns), so
        # the PhraseMatcher reports each place once, not once per pattern. Patterns that are
        # equal share one _Gapped, so that `find` can key them by identity.
        self._gapped: dict[_Gapped, _Gapped] = {}
        # the pattern -> for each of its pieces, the phrase keys (hashes) that match it
        self._piece_keys: dict[_Gapped, list[set[int]]] = {}
        # the word sequences of a piece -> its phrase key; a phrase key -> how many sequences
        self._piece_key_of: dict[frozenset[tuple[str, ...]], int] = {}
        self._piece_sizes: dict[int, int] = {}
        # phrase key of a pattern's rarest piece -> the patterns that may join where that
        # key matched
        self._joins: dict[int, list[_Joining]] = {}
        self._token_matchers: list[Matcher] = []
        self._by_anchor: dict[int, list[int]] = {}
        self._unanchored: list[int] = []
        self._placements: dict[_Info, tuple[tuple[str, str, str], ...]] = {}
        # match id of a whole pattern (not a piece) -> where its matches go
        self._placed_by_id: dict[int, tuple[tuple[str, str, str], ...]] = {}

    def __len__(self) -> int:
        return sum(len(f.entries) for f in self._files)

    @property
    def versions(self) -> dict[str, int]:
        """The version of each pattern file loaded, by file name."""
        return {f.name: f.version for f in self._files}

    @property
    def patterns(self) -> list[dict[str, Any]]:
        return [entry for f in self._files for entry in f.entries]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(sorted({str(p["label"]) for p in self.patterns} - {IGNORE_LABEL}))

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]] | None = None,
        *,
        nlp: Language | None = None,
        pattern_paths: list[str] | None = None,
    ) -> None:
        """Load the pattern files: the packaged ones unless the paths of others are given."""
        self.set_pattern_files(
            [PatternFile.read(Path(path)) for path in pattern_paths]
            if pattern_paths
            else [read_pattern_file(CATEGORY_PATTERNS), read_pattern_file(RISK_INDICATOR_PATTERNS)]
        )

    def set_pattern_files(self, pattern_files: Sequence[PatternFile]) -> None:
        self.clear()
        for pattern_file in pattern_files:
            self.add_pattern_file(pattern_file)

    def add_pattern_file(self, pattern_file: PatternFile) -> None:
        labels = {str(entry["label"]) for entry in pattern_file.entries}
        file_layers = (
            tuple(sorted({_layer_of(label) for label in labels if label != IGNORE_LABEL}))
            or _LAYERS
        )
        phrase_keys: list[str] = []
        phrase_texts: list[str] = []
        for number, entry in enumerate(pattern_file.entries, start=2):
            label = str(entry["label"])
            layers = file_layers if label == IGNORE_LABEL else (_layer_of(label),)
            pattern_id = str(entry.get("id", f"{pattern_file.name}:{number}"))
            key = f"{label}|{pattern_id}"
            info: _Info = (label, pattern_id, layers, pattern_file.implies.get(label, ""))
            pattern = entry["pattern"]
            if isinstance(pattern, str):
                self._register(key, info)
                for variant in _phrase_variants(pattern):
                    phrase_keys.append(key)
                    phrase_texts.append(variant)
            elif isinstance(pattern, list):
                expanded = pattern_file.expand_word_lists(pattern)
                self._add_token_pattern(key, expanded, info)
            else:
                raise ValueError(f"{pattern_file.name}, line {number}: bad pattern")
        # Phrase patterns go through the components before this one (the lemmatiser) so that
        # they are compared on the same LEMMA as the text; this one and later are disabled.
        names = self.nlp.pipe_names
        later = names[names.index(self.name) :] if self.name in names else []
        with self.nlp.select_pipes(disable=later):
            for key, doc in zip(phrase_keys, self.nlp.pipe(phrase_texts), strict=True):
                self.phrase_matcher.add(key, [doc])
        self._files.append(pattern_file)
        self._index_joins()

    def _register(self, key: str, info: _Info, gap_positions: frozenset[int] = frozenset()) -> None:
        """Record what the matches of a whole pattern (or one variant of it) stand for."""
        match_id = self.nlp.vocab.strings.add(key)
        self._pattern_info[match_id] = (info, gap_positions)
        self._placed_by_id[match_id] = self._placed(info)

    def _piece_key(self, sequences: list[tuple[str, ...]]) -> int:
        """The phrase key matching these word sequences, added on first use."""
        content = frozenset(sequences)
        key = self._piece_key_of.get(content)
        if key is None:
            name = f"{self.name}|piece{len(self._piece_key_of)}"
            key = self._piece_key_of[content] = self.nlp.vocab.strings.add(name)
            self._piece_sizes[key] = len(content)
            self._add_sequences(name, sequences)
        return key

    def _index_joins(self) -> None:
        """Index each pattern with gaps under the phrase keys of its piece with the fewest
        word sequences (the rarest, as a rule): a doc without that piece cannot join it."""
        self._joins = {}
        for gapped, piece_keys in self._piece_keys.items():
            keys = tuple(tuple(sorted(each)) for each in piece_keys)
            rarest = min(keys, key=lambda each: sum(self._piece_sizes[k] for k in each))
            # One key a piece, as a rule: then a set of them tells at once whether each matched.
            single = frozenset(k for (k,) in keys) if all(len(each) == 1 for each in keys) else None
            for key in rarest:
                self._joins.setdefault(key, []).append(_Joining(gapped, keys, single))

    def _add_token_pattern(self, key: str, pattern: list[dict[str, Any]], info: _Info) -> None:
        orths = [token.get("ORTH") for token in pattern]
        if all(
            set(token) == {"ORTH"} and isinstance(o, str)
            for token, o in zip(pattern, orths, strict=True)
        ):
            self._register(key, info)
            self.exact_matcher.add(key, [Doc(self.nlp.vocab, words=[str(o) for o in orths])])
            return
        pieces, gaps = _segments(pattern)
        expanded = [expand_lemmas(piece) for piece in pieces]
        if all(sequences for sequences in expanded):
            if not gaps:
                self._register(key, info)
                self._add_sequences(key, expanded[0] or [])
                return
            gapped = _Gapped(info=info, gaps=tuple(gaps))
            gapped = self._gapped.setdefault(gapped, gapped)
            # Equal patterns (the same code and id) pool their pieces' keys, piece by piece.
            piece_keys = self._piece_keys.setdefault(gapped, [set() for _ in expanded])
            for keys, sequences in zip(piece_keys, expanded, strict=True):
                keys.add(self._piece_key(sequences or []))
            return
        self._add_to_matcher(key, pattern, info)

    def _add_sequences(self, key: str, sequences: list[tuple[str, ...]]) -> None:
        vocab = self.nlp.vocab
        docs = [Doc(vocab, words=list(seq), lemmas=list(seq)) for seq in sequences]
        self.phrase_matcher.add(key, docs)

    def _add_to_matcher(self, key: str, pattern: list[dict[str, Any]], info: _Info) -> None:
        matcher = Matcher(self.nlp.vocab, validate=self.validate)
        # Each variant has a key of its own, so that a match's alignments can be read against
        # that variant's gap positions.
        for n, variant in enumerate(split_on_first_word(pattern)):
            variant_key = f"{key}|{n}"
            self._register(variant_key, info, _gap_positions(variant))
            matcher.add(variant_key, [variant])
        index = len(self._token_matchers)
        self._token_matchers.append(matcher)
        anchor = _anchor(pattern)
        if anchor is None:
            self._unanchored.append(index)
        else:
            for word in anchor:
                self._by_anchor.setdefault(self.nlp.vocab.strings.add(word), []).append(index)

    def __call__(self, doc: Doc) -> Doc:
        mentions, gap_tokens = self.find(doc)
        doc.spans[self.spans_key] = mentions
        doc.spans[gaps_key(self.spans_key)] = [Span(doc, i, i + 1) for i in sorted(gap_tokens)]
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def find(self, doc: Doc) -> tuple[list[Span], set[int]]:
        """The mentions in a doc, and the tokens that filled gaps in the patterns they match."""
        chosen, gap_tokens = self.match(doc)
        spans = [
            Span(doc, start, end, label=label, span_id=pid) for start, end, label, pid in chosen
        ]
        return spans, gap_tokens

    def match(
        self, doc: Doc, sent_starts: list[int] | None = None
    ) -> tuple[list[_Found], set[int]]:
        """What `find` finds, as (start, end, code, pattern id) in order of start, end and
        code, without making spans of them (which costs calls into spaCy). `sent_starts` is the
        doc's SENT_START column (1 where a sentence starts), if the caller has it."""
        if len(doc) == 0:
            return [], set()
        layers: dict[str, list[_Found]] = {layer: [] for layer in _LAYERS}
        gaps_of: dict[tuple[int, int, str], set[int]] = {}

        def found(start: int, end: int, info: _Info) -> None:
            for layer, label, pattern_id in self._placed(info):
                layers[layer].append((start, end, label, pattern_id))

        phrase_matches = self.phrase_matcher(doc)
        if len(self.exact_matcher):
            phrase_matches += self.exact_matcher(doc)
        placed_by_id = self._placed_by_id
        # phrase key of a piece -> its matches (start, end)
        piece_matches: dict[int, list[tuple[int, int]]] = {}
        for match_id, start, end in phrase_matches:
            placed = placed_by_id.get(match_id)
            if placed is None:  # a piece of a pattern with gaps
                extents = piece_matches.get(match_id)
                if extents is None:
                    piece_matches[match_id] = [(start, end)]
                else:
                    extents.append((start, end))
                continue
            for layer_name, label, pattern_id in placed:
                layers[layer_name].append((start, end, label, pattern_id))
        # A pattern joins only if each of its pieces matched; most docs have a first piece
        # ("baby") without the rest ("bruise").
        joinable = self._joinable(piece_matches) if piece_matches else []
        if joinable:
            if sent_starts is None:
                sent_starts = doc.to_array(SENT_START).tolist()
            sentence = _SentenceOf(sent_starts)
            for gapped, matches in joinable:
                for start, end, filled in _join(matches, gapped.gaps, sentence):
                    found(start, end, gapped.info)
                    for code in (gapped.info[0], gapped.info[3]):
                        gaps_of.setdefault((start, end, code), set()).update(filled)
        for match_id, start, end, alignments in self._matcher_matches(doc):
            info, gap_positions = self._pattern_info[match_id]
            found(start, end, info)
            if gap_positions:
                filled = {start + i for i, p in enumerate(alignments) if p in gap_positions}
                for code in (info[0], info[3]):
                    gaps_of.setdefault((start, end, code), set()).update(filled)
        seen: set[tuple[int, int, str]] = set()
        chosen: list[_Found] = []
        gap_tokens: set[int] = set()
        for layer in layers.values():
            for start, end, label, pattern_id in _keep_longest(layer):
                if label == IGNORE_LABEL or (start, end, label) in seen:
                    continue
                seen.add((start, end, label))
                chosen.append((start, end, label, pattern_id))
                gap_tokens.update(gaps_of.get((start, end, label), ()))
        chosen.sort(key=lambda c: (c[0], c[1], c[2]))
        return chosen, gap_tokens

    def _joinable(
        self, piece_matches: dict[int, list[tuple[int, int]]]
    ) -> list[tuple[_Gapped, list[list[tuple[int, int]]]]]:
        """The patterns with gaps each of whose pieces matched, with the matches of each."""
        joinable: list[tuple[_Gapped, list[list[tuple[int, int]]]]] = []
        tried: set[int] = set()
        matched = piece_matches.keys()
        for key in piece_matches:
            for joining in self._joins.get(key, ()):
                if joining.single is not None:
                    if not matched >= joining.single:
                        continue
                    matches = [piece_matches[k] for (k,) in joining.keys]
                else:
                    if id(joining) in tried:
                        continue
                    tried.add(id(joining))
                    matches = [_matches_of(keys, piece_matches) for keys in joining.keys]
                    if not all(matches):
                        continue
                joinable.append((joining.gapped, matches))
        return joinable

    def _placed(self, info: _Info) -> tuple[tuple[str, str, str], ...]:
        """(layer, code, pattern id) for each layer a match of the pattern goes in."""
        placed = self._placements.get(info)
        if placed is None:
            label, pattern_id, match_layers, implied = info
            placed = tuple((layer, label, pattern_id) for layer in match_layers)
            if implied:
                placed += ((_layer_of(implied), implied, pattern_id),)
            self._placements[info] = placed
        return placed

    def _matcher_matches(self, doc: Doc) -> list[tuple[int, int, int, list[int]]]:
        if not self._token_matchers:
            return []
        words = {int(w) for w in doc.to_array([LEMMA, LOWER]).ravel().tolist()}
        wanted = set(self._unanchored)
        for word in words:
            wanted.update(self._by_anchor.get(word, ()))
        matches: list[tuple[int, int, int, list[int]]] = []
        for index in sorted(wanted):
            found = self._token_matchers[index](doc, with_alignments=True)
            matches.extend(cast(list[tuple[int, int, int, list[int]]], found))
        return [m for m in matches if m[1] != m[2]]

    def _to_json(self) -> dict[str, Any]:
        return {"files": [f.to_json() for f in self._files]}

    def _from_json(self, data: dict[str, Any]) -> None:
        self.set_pattern_files([PatternFile.from_json(f) for f in data["files"]])

    def to_bytes(self, *, exclude: Iterable[str] = SimpleFrozenList()) -> bytes:
        return srsly.msgpack_dumps(self._to_json())  # type: ignore[no-any-return]

    def from_bytes(
        self, bytes_data: bytes, *, exclude: Iterable[str] = SimpleFrozenList()
    ) -> ConcernRuler:
        self._from_json(srsly.msgpack_loads(bytes_data))
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = SimpleFrozenList()) -> None:
        """Write each pattern file, as loaded, and a list of them in load order."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for pattern_file in self._files:
            pattern_file.write(path / pattern_file.name)
        srsly.write_json(path / _CFG, {"files": [f.name for f in self._files]})

    def from_disk(
        self, path: str | Path, *, exclude: Iterable[str] = SimpleFrozenList()
    ) -> ConcernRuler:
        path = Path(path)
        names = srsly.read_json(path / _CFG)["files"]
        self.set_pattern_files([PatternFile.read(path / name) for name in names])
        return self


@Language.factory(
    "frontdoor_concern_ruler",
    default_config={
        "spans_key": DEFAULT_SPANS_KEY,
        "phrase_matcher_attr": "LEMMA",
        "validate": False,
    },
)
def make_concern_ruler(
    nlp: Language, name: str, spans_key: str, phrase_matcher_attr: str, validate: bool
) -> ConcernRuler:
    return ConcernRuler(
        nlp,
        name,
        spans_key=spans_key,
        phrase_matcher_attr=phrase_matcher_attr,
        validate=validate,
    )
