"""ConText-style qualifiers for concern mentions: negated, possible, historical, and who the
mention is about.

ConText (Harkema et al., 2009) marks a finding as negated, hypothetical or historical when a
trigger phrase ("no evidence of", "may", "in 2019") has it in scope: a trigger looks forward or
backward, within its sentence, up to a few tokens, until a terminating word ("but", "however").
The rules live in `nlp/patterns/context.jsonl` (versioned, loaded in `initialize`, saved with
the pipeline). What referrals need beyond the clinical original:

- An adult's denial is not a negation. "Dad denies hitting him" reports an allegation, so
  "deny" is deliberately not a trigger.
- Double negatives cancel: "I can't say there are no concerns about neglect" has two negation
  triggers chained in front of the mention, and is not negated. Triggers separated by another
  mention are not chained: in "no bruising, no marks" both are negated.
- A trigger inside a mention belongs to it ("no food", "not eating" are concerns).
- Pseudo-triggers stop look-alikes: "no doubt", "not only", "no one feeds them", and the
  contrast in "her brother, not her, self-harms".
- "no longer" marks a mention both negated and historical: it was so, it is not now.
- Who it is about: for codes that expect a subject (the child's or a parent's mental health
  and substance use, offending, disability...), the nearest person before the mention in its
  clause (a pronoun resolved to the nearest earlier person of its gender) decides. "Mum
  self-harms" becomes parental_mental_health; "his brother self-harms" stays
  child_mental_health, marked other_experiencer; "dad was arrested" is not the child's
  offending and is dropped.

The mentions are rewritten into `doc.spans["concerns"]` (a code may change), and each
qualifier has its own span group, `doc.spans["concerns_negated"]` and so on, holding the
mentions it applies to. (Span extensions are keyed by offsets alone, so one phrase carrying two
codes, such as "suicidal" for child_mental_health and suicide_risk, could not be qualified
apart.)
"""

from __future__ import annotations

import bisect
import datetime as dt
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple

import srsly
from spacy.attrs import LEMMA, ORTH, SENT_START, SHAPE
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import SimpleFrozenList

from nlp.codes import QUALIFIERS
from nlp.components.concern_ruler import (
    DEFAULT_SPANS_KEY,
    expand_lemmas,
    extents_inside_longer,
    gaps_key,
    split_on_first_word,
)
from nlp.patterns import CONTEXT_RULES, PatternFile, read_pattern_file

Direction = Literal["forward", "backward", "both"]
Kind = Literal["child", "parent", "adult", "sibling", "peer"]

_TRIGGER_KINDS: Final = frozenset({"negated", "possible", "historical", "terminate", "pseudo"})
_DEFAULT_SCOPE: Final[dict[str, int]] = {"negated": 7, "possible": 8, "historical": 10}

# Person words, by lemma: what kind of person, and the pronoun gender they agree with.
_PERSONS: Final[dict[str, tuple[Kind, str]]] = {
    **{w: ("parent", "f") for w in ("mum", "mother", "stepmum", "stepmother", "grandmother",
                                     "grandma", "nan", "nana", "gran", "granny", "wife")},
    **{w: ("parent", "m") for w in ("dad", "father", "stepdad", "stepfather", "grandfather",
                                     "grandad", "granddad", "grandpa", "husband")},
    **{w: ("parent", "n") for w in ("parent", "carer", "guardian", "grandparent", "partner",
                                     "adult")},
    **{w: ("adult", "m") for w in ("uncle", "man", "male")},
    **{w: ("adult", "f") for w in ("aunt", "auntie", "woman", "lady", "female")},
    **{w: ("adult", "n") for w in ("neighbour", "lodger", "stranger", "teacher", "suspect",
                                    "offender")},
    **{w: ("parent", "n") for w in ("ex",)},
    **{w: ("child", "m") for w in ("son", "boy", "grandson", "nephew")},
    **{w: ("child", "f") for w in ("daughter", "girl", "granddaughter", "niece")},
    **{w: ("child", "n") for w in ("child", "kid", "baby", "infant", "toddler", "teenager",
                                    "teen", "yp", "pupil", "student")},
    **{w: ("sibling", "m") for w in ("brother", "stepbrother")},
    **{w: ("sibling", "f") for w in ("sister", "stepsister")},
    **{w: ("sibling", "n") for w in ("sibling", "cousin", "twin")},
    **{w: ("peer", "m") for w in ("boyfriend",)},
    **{w: ("peer", "f") for w in ("girlfriend",)},
    **{w: ("peer", "n") for w in ("friend", "classmate", "peer", "mate")},
}  # fmt: skip
_PRONOUNS: Final[dict[str, str]] = {
    "he": "m", "him": "m", "his": "m", "himself": "m",
    "she": "f", "her": "f", "hers": "f", "herself": "f",
    "they": "n", "them": "n", "their": "n", "themselves": "n",
}  # fmt: skip
_PARENT_OWNERS: Final = frozenset({"mum", "mother", "dad", "father", "parent", "nan", "gran"})
_TITLES: Final[dict[str, str]] = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "dr": "n"}
# Between a person and a pronoun, these make the pronoun someone else ("Mum says she...").
_REPORTING: Final = frozenset(
    {"say", "tell", "report", "explain", "worry", "think", "believe", "state", "disclose",
     "mention", "inform", "concern", "fear", "know", "feel", "ask", "describe", "notice",
     "see", "hear", "suspect", "scared", "worried", "concerned", "afraid", "that"}
)  # fmt: skip
_CLAUSE_BREAKS: Final = frozenset(
    {
        "but",
        "however",
        "because",
        "cos",
        "although",
        "though",
        "whereas",
        ";",
        "so",
        "while",
        "that",
        "whilst",
        "if",
        "when",
    }
)
_PREPOSITIONS: Final = frozenset({"by", "of", "on", "from", "in", "with", "for", "both", "the"})
_FIRST_PERSON: Final = frozenset({"i", "me", "my", "myself", "we", "us", "our"})
_OBJECT_PREPOSITIONS: Final = frozenset(
    {"of", "with", "for", "to", "from", "by", "about", "at", "towards", "against", "on"}
)
# Words inside a noun phrase, between a preposition and its person: "of a 3 week old baby".
_NOUN_PHRASE: Final = frozenset(
    {"a", "an", "the", "her", "his", "their", "my", "our", "your", "'s", "week", "weeks",
     "month", "months", "year", "years", "old", "young", "little", "new", "older", "younger",
     "baby", "teenage", "both", "two", "three", "own"}
)  # fmt: skip
_SUBJECTS: Final = frozenset({"he", "she", "they", "i", "we", "it", "there"}) | frozenset(_PERSONS)
# A comma before one of these opens a new clause about someone else: "Mum rang, her daughter ran
# off" is about the daughter, not about mum.
_CLAUSE_OPENERS: Final = _SUBJECTS | frozenset({"her", "his", "their", "my", "our", "your"})
_EXPERIENCER_WINDOW: Final = 10
# Past this many distinct words, the caches of what they are start again.
_CACHE_LIMIT: Final = 200_000
_ANTECEDENT_WINDOW: Final = 40


@dataclass(frozen=True)
class _Action:
    """What to do with a mention whose experiencer is of a given kind."""

    code: str | None  # the code it becomes; None drops the mention
    other_experiencer: bool


def _pair(child_code: str, parent_code: str) -> dict[str, dict[Kind, _Action]]:
    return {
        child_code: {
            "parent": _Action(parent_code, False),
            "adult": _Action(parent_code, True),
            "sibling": _Action(child_code, True),
            "peer": _Action(child_code, True),
        },
        parent_code: {
            "child": _Action(child_code, False),
            "sibling": _Action(child_code, True),
            "peer": _Action(child_code, True),
            "adult": _Action(parent_code, True),
        },
    }


def _about_child(code: str, *, adults: _Action) -> dict[str, dict[Kind, _Action]]:
    others = _Action(code, True)
    return {code: {"parent": adults, "adult": adults, "sibling": others, "peer": others}}


_DROP: Final = _Action(None, False)
# Codes that expect a subject, and what other experiencers turn them into.
_POLICY: Final[dict[str, dict[Kind, _Action]]] = {
    **_pair("child_mental_health", "parental_mental_health"),
    **_pair("child_substance_misuse", "parental_substance_misuse"),
    **_about_child("youth_offending", adults=_DROP),
    **_about_child("anti_social_behaviour", adults=_DROP),
    **_about_child("child_disability", adults=_DROP),
    **_about_child("suicide_risk", adults=_Action("suicide_risk", True)),
    **_about_child("missing", adults=_DROP),
    **_about_child("missing_now", adults=_DROP),
    **_about_child("child_criminal_exploitation", adults=_Action("child_criminal_exploitation",
                                                                   True)),
}  # fmt: skip


class _Trigger(NamedTuple):
    # A named tuple rather than a frozen dataclass: a doc has dozens, and a frozen
    # dataclass costs several times as much to make.
    start: int
    end: int
    kind: str
    direction: Direction
    scope: int


# A trigger made from a tuple without the Python-level __new__ of a named tuple.
_new_trigger: Final = partial(tuple.__new__, _Trigger)
_NO_TRIGGERS: Final[tuple[list[_Trigger], list[_Trigger]]] = ([], [])


@dataclass(slots=True)
class _Qualified:
    index: int  # which of the mentions given to `qualify` it is
    label: str  # the code found
    start: int  # the mention's tokens
    end: int
    code: str  # the code reported, which the experiencer may change
    negated: bool = False
    possible: bool = False
    historical: bool = False
    other_experiencer: bool = False


def qualifier_key(qualifier: str, spans_key: str = DEFAULT_SPANS_KEY) -> str:
    """The span group holding the mentions a qualifier applies to."""
    return f"{spans_key}_{qualifier}"


class ContextQualifier:
    """Qualifies the mentions in `doc.spans[spans_key]`."""

    def __init__(
        self,
        nlp: Language,
        name: str = "frontdoor_context",
        *,
        spans_key: str = DEFAULT_SPANS_KEY,
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.clear()

    def clear(self) -> None:
        self._rules: PatternFile = PatternFile(name=CONTEXT_RULES, version=0, entries=[])
        self._rule_of: dict[int, dict[str, Any]] = {}
        # match id -> (kind, direction, scope) of its rule, read from the rule on first use
        self._specs: dict[int, tuple[str, Direction, int]] = {}
        # What `_Words` reads, cached (and bounded, like the lemmatiser's caches): the string of
        # a lemma's hash, and what a word (by its ORTH hash) is.
        self._texts: dict[int, str] = {}
        self._word_info: dict[int, _WordInfo] = {}
        self.matcher = Matcher(self.nlp.vocab)
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        strings = self.nlp.vocab.strings
        self._joiners = {strings.add(w) for w in ("and", ",")}
        self._subjects = {strings.add(w) for w in _SUBJECTS | set(_PRONOUNS)}
        self._year_shape = strings.add("dddd")
        # The most tokens a match of the Matcher's rules spans (None: no bound).
        self._reach: int | None = 0

    @property
    def version(self) -> int:
        return self._rules.version

    @property
    def rules(self) -> list[dict[str, Any]]:
        return list(self._rules.entries)

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]] | None = None,
        *,
        nlp: Language | None = None,
        rules_path: str | None = None,
    ) -> None:
        """Load the ConText rules: the packaged ones unless the path of others is given."""
        self.set_rules(
            PatternFile.read(Path(rules_path)) if rules_path else read_pattern_file(CONTEXT_RULES)
        )

    def set_rules(self, rules: PatternFile) -> None:
        self.clear()
        literals: list[tuple[str, str]] = []
        for number, rule in enumerate(rules.entries, start=2):
            kind = rule.get("qualifier")
            if kind not in _TRIGGER_KINDS:
                raise ValueError(f"{rules.name}, line {number}: unknown qualifier {kind!r}")
            key = f"context|{number}"
            self._rule_of[self.nlp.vocab.strings.add(key)] = rule
            if "literal" in rule:
                literals.append((key, str(rule["literal"])))
                continue
            pattern = rules.expand_word_lists(rule["pattern"])
            sequences = expand_lemmas(pattern)
            if sequences:
                # Lemmas only: as phrases, which cost nothing per extra rule.
                vocab = self.nlp.vocab
                docs = [Doc(vocab, words=list(seq), lemmas=list(seq)) for seq in sequences]
                self.phrase_matcher.add(key, docs)
            else:
                self.matcher.add(key, split_on_first_word(pattern))
                reach = _most_tokens(pattern)
                self._reach = (
                    None if reach is None or self._reach is None else max(self._reach, reach)
                )
        names = self.nlp.pipe_names
        later = names[names.index(self.name) :] if self.name in names else []
        with self.nlp.select_pipes(disable=later):
            texts = [text for _, text in literals]
            for (key, _), doc in zip(literals, self.nlp.pipe(texts), strict=True):
                self.phrase_matcher.add(key, [doc])
        self._rules = rules

    def __call__(self, doc: Doc) -> Doc:
        mentions = list(doc.spans.get(self.spans_key, []))
        qualified: list[_Qualified] = []
        if mentions:
            gap_tokens = {span.start for span in doc.spans.get(gaps_key(self.spans_key), [])}
            # Span attributes are read once: each read of one costs a call into spaCy.
            found = [(mention.start, mention.end, mention.label_) for mention in mentions]
            qualified = self.qualify(doc, found, gap_tokens)
        # A mention whose code is unchanged keeps its span; a relabelled one gets a new one.
        spans = [
            mentions[q.index]
            if q.code == q.label
            else Span(doc, q.start, q.end, label=q.code, span_id=mentions[q.index].id_)
            for q in qualified
        ]
        doc.spans[self.spans_key] = spans
        for qualifier in QUALIFIERS:
            doc.spans[qualifier_key(qualifier, self.spans_key)] = [
                span for q, span in zip(qualified, spans, strict=True) if getattr(q, qualifier)
            ]
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    # -- finding triggers --------------------------------------------------------------------

    def _triggers(
        self,
        doc: Doc,
        tokens: TokenColumns,
        extents: Sequence[tuple[int, int]],
        gap_tokens: set[int],
    ) -> list[_Trigger]:
        found: list[_Trigger] = []
        matches = list(self.phrase_matcher(doc))
        if len(self.matcher):
            # The only token rules left to the Matcher name a year ("in 2019").
            years = _positions(tokens.shapes, self._year_shape, len(tokens.shapes))
            if years:
                matches += self._year_matches(doc, years)
        specs = self._specs
        for match_id, start, end in matches:
            spec = specs.get(match_id)
            if spec is None:
                spec = specs[match_id] = self._spec(match_id)
            kind, direction, scope = spec
            if kind == "historical" and not self._is_past_year(doc, tokens, start, end):
                continue
            found.append(_new_trigger((start, end, kind, direction, scope)))
        # "and" or a comma opening a new clause ("..., and dad hits him") ends a scope.
        lemmas = tokens.lemmas
        joiners = [
            i for joiner in self._joiners for i in _positions(lemmas, joiner, len(lemmas) - 1)
        ]
        subjects = self._subjects
        for i in sorted(joiners):
            if lemmas[i + 1] in subjects:
                found.append(_Trigger(i, i + 1, "terminate", "both", 0))
        found = _keep_longest_triggers(found)
        blocked: set[int] = set()
        for trigger in found:
            if trigger.kind == "pseudo":
                blocked.update(range(trigger.start, trigger.end))
        for start, end in extents:
            blocked.update(range(start, end))
        blocked -= gap_tokens
        return [
            t
            for t in found
            if t.kind != "pseudo"
            and (t.kind == "terminate" or blocked.isdisjoint(range(t.start, t.end)))
        ]

    def _year_matches(self, doc: Doc, years: list[int]) -> list[tuple[int, int, int]]:
        """The Matcher's matches in a doc with year-shaped tokens at `years` (ascending). Each
        match holds a year, so it lies within the longest rule's reach of one: the Matcher runs
        on that stretch of the doc only, which is most often a few tokens."""
        reach = self._reach
        if reach is None:
            return self.matcher(doc)
        low, high = max(0, years[0] - reach + 1), min(len(doc), years[-1] + reach)
        if low == 0 and high == len(doc):
            return self.matcher(doc)
        # A span's matches are numbered from its start.
        return [(key, start + low, end + low) for key, start, end in self.matcher(doc[low:high])]

    def _is_past_year(self, doc: Doc, tokens: TokenColumns, start: int, end: int) -> bool:
        """A historical trigger naming a year counts only for a past one ("in 2019"). A
        token shaped like a year that is not one in figures ("²⁰¹⁹") is not a past year."""
        shapes, orths, strings = tokens.shapes, tokens.orths, doc.vocab.strings
        this_year = dt.date.today().year
        for i in range(start, end):
            if shapes[i] == self._year_shape:
                text = strings[orths[i]]
                if not (text.isdecimal() and 1900 <= int(text) < this_year):
                    return False
        return True

    def _spec(self, match_id: int) -> tuple[str, Direction, int]:
        rule = self._rule_of[match_id]
        kind = str(rule["qualifier"])
        direction: Direction = rule.get("direction", "forward")
        return kind, direction, int(rule.get("max_scope", _DEFAULT_SCOPE.get(kind, 0)))

    # -- qualifying mentions ----------------------------------------------------------------

    def qualify(
        self,
        doc: Doc,
        mentions: Sequence[tuple[int, int, str]],
        gap_tokens: set[int],
        tokens: TokenColumns | None = None,
    ) -> list[_Qualified]:
        """The mentions (start, end, code) of a doc qualified, in order of start, end and
        code. `gap_tokens` are the tokens that filled gaps in the patterns they match, and
        `tokens` the doc's token columns if the caller has them."""
        if tokens is None:
            tokens = TokenColumns.of(doc)
        sentences = _Sentences(tokens.sent_starts)
        extents = [(start, end) for start, end, _ in mentions]
        # Per sentence, the triggers that end in it too: its terminators and the others.
        by_sentence: dict[int, tuple[list[_Trigger], list[_Trigger]]] = {}
        for trigger in self._triggers(doc, tokens, extents, gap_tokens):
            sent_start = sentences.start_of(trigger.start)
            if sentences.start_of(max(trigger.end - 1, trigger.start)) != sent_start:
                continue
            terminators, others = by_sentence.setdefault(sent_start, ([], []))
            (terminators if trigger.kind == "terminate" else others).append(trigger)
        mention_starts = sorted({start for start, _ in extents})
        words: _Words | None = None  # read from the doc only if a mention needs it
        result: list[_Qualified] = []
        for index, (start, end, label) in enumerate(mentions):
            item = _Qualified(index, label, start, end, label)
            terminators, others = by_sentence.get(sentences.start_of(start), _NO_TRIGGERS)
            in_scope = [t for t in others if _reaches(t, start, end, terminators)]
            if in_scope:
                negations = sorted(
                    (t for t in in_scope if t.kind == "negated"), key=lambda t: t.start
                )
                item.negated = _chain_length(negations, start, mention_starts) % 2 == 1
                item.possible = any(t.kind == "possible" for t in in_scope)
                item.historical = any(t.kind == "historical" for t in in_scope)
            policy = _POLICY.get(item.code)
            if policy is not None:
                if words is None:
                    words = self._words(doc, tokens)
                kind = _experiencer(words, start, end, sentences)
                action = policy.get(kind) if kind is not None else None
                if action is not None:
                    if action.code is None:
                        continue
                    item.code = action.code
                    item.other_experiencer = action.other_experiencer
            result.append(item)
        return _dedupe(result)

    def _words(self, doc: Doc, tokens: TokenColumns) -> _Words:
        if len(self._word_info) >= _CACHE_LIMIT:
            self._word_info.clear()
        if len(self._texts) >= _CACHE_LIMIT:
            self._texts.clear()
        return _Words(doc, tokens, self._word_info, self._texts)

    # -- serialisation ----------------------------------------------------------------------

    def to_bytes(self, *, exclude: Iterable[str] = SimpleFrozenList()) -> bytes:
        return srsly.msgpack_dumps(self._rules.to_json())  # type: ignore[no-any-return]

    def from_bytes(
        self, bytes_data: bytes, *, exclude: Iterable[str] = SimpleFrozenList()
    ) -> ContextQualifier:
        self.set_rules(PatternFile.from_json(srsly.msgpack_loads(bytes_data)))
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = SimpleFrozenList()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self._rules.write(path / CONTEXT_RULES)

    def from_disk(
        self, path: str | Path, *, exclude: Iterable[str] = SimpleFrozenList()
    ) -> ContextQualifier:
        self.set_rules(PatternFile.read(Path(path) / CONTEXT_RULES))
        return self


def _most_tokens(pattern: list[dict[str, Any]]) -> int | None:
    """The most tokens a match of a token pattern can span; None if there is no bound."""
    total = 0
    for token in pattern:
        op = token.get("OP")
        if op in (None, "?", "!", "1"):
            total += 1
        elif isinstance(op, str) and re.fullmatch(r"\{(\d*,)?\d+\}", op):
            total += int(op[1:-1].split(",")[-1])
        else:
            return None
    return total


def _keep_longest_triggers(triggers: list[_Trigger]) -> list[_Trigger]:
    """Longest trigger wins ("no longer" over "no"); equal extents are all kept. The triggers
    kept are in the order longest first, then by start."""
    ordered = sorted(triggers, key=_longest_first)
    inside = extents_inside_longer({(t.start, t.end) for t in triggers})
    if not inside:
        return ordered
    return [t for t in ordered if (t.start, t.end) not in inside]


def _longest_first(trigger: _Trigger) -> tuple[int, int]:
    return (trigger.start - trigger.end, trigger.start)


class TokenColumns(NamedTuple):
    """The token attributes the component reads, as hashes (1 for a sentence start, as
    Token.is_sent_start reads it), a list for each."""

    orths: list[int]
    lemmas: list[int]
    sent_starts: list[int]
    shapes: list[int]

    @classmethod
    def of(cls, doc: Doc) -> TokenColumns:
        # From one `to_array` (each call costs a call into spaCy per token and attribute), as
        # lists of Python ints: looking a value up in a numpy column (`x in array`) compares
        # it with every row through numpy's slow path for 64-bit hashes.
        orths, lemmas, sent_starts, shapes = doc.to_array(
            [ORTH, LEMMA, SENT_START, SHAPE]
        ).T.tolist()
        return cls(orths, lemmas, sent_starts, shapes)


def _positions(values: list[int], value: int, stop: int) -> list[int]:
    """Where `value` is in values[:stop], found by list.index (no Python code per item)."""
    found: list[int] = []
    i = -1
    while True:
        try:
            i = values.index(value, i + 1, stop)
        except ValueError:
            return found
        found.append(i)


class _Sentences:
    """Sentence bounds by token, from the doc's sentence starts. The first token always starts
    a sentence. A token's sentence is found by bisecting the starts, which costs less than
    listing every token's sentence: few tokens are asked about."""

    def __init__(self, sent_starts: list[int]) -> None:
        n = len(sent_starts)
        self._starts = [0, *(i for i in _positions(sent_starts, 1, n) if i)] if n else []
        self._n = n

    def start_of(self, i: int) -> int:
        return self._starts[bisect.bisect_right(self._starts, i) - 1]

    def end_of(self, i: int) -> int:
        following = bisect.bisect_right(self._starts, i)
        return self._starts[following] if following < len(self._starts) else self._n


class _WordInfo(NamedTuple):
    """What a word is, as the Token attributes of the same names say (from its lexeme)."""

    lower: str
    is_title: bool
    is_alpha: bool
    is_stop: bool
    is_punct: bool
    like_num: bool


def _word_info(doc: Doc, orth: int, cache: dict[int, _WordInfo]) -> _WordInfo:
    lexeme = doc.vocab[orth]
    info = cache[orth] = _WordInfo(
        lexeme.lower_,
        lexeme.is_title,
        lexeme.is_alpha,
        lexeme.is_stop,
        lexeme.is_punct,
        lexeme.like_num,
    )
    return info


def _text(doc: Doc, key: int, cache: dict[int, str]) -> str:
    text = cache[key] = doc.vocab.strings[key]
    return text


_LOWER_OF: Final = operator.attrgetter("lower")


class _Words:
    """What the experiencer rules read of each token, for the whole doc at once: a Token
    object made for every look at a word costs more than the rules. What a word is comes from
    caches keyed by hash, so each distinct word is looked up in spaCy once."""

    def __init__(
        self,
        doc: Doc,
        tokens: TokenColumns,
        word_info: dict[int, _WordInfo],
        texts: dict[int, str],
    ) -> None:
        orths, lemmas = tokens.orths, tokens.lemmas
        self.n = len(orths)
        # map() over the caches: no Python code runs per token; a miss is filled in after.
        try:
            self.info: list[_WordInfo] = list(map(word_info.__getitem__, orths))
        except KeyError:
            self.info = [word_info.get(orth) or _word_info(doc, orth, word_info) for orth in orths]
        self.lower: list[str] = list(map(_LOWER_OF, self.info))
        try:
            self.lemma: list[str] = list(map(texts.__getitem__, lemmas))
        except KeyError:
            self.lemma = [texts.get(lemma) or _text(doc, lemma, texts) for lemma in lemmas]
        self.sent_start: list[int] = tokens.sent_starts  # 1 for a sentence start


def _reaches(trigger: _Trigger, start: int, end: int, terminators: Sequence[_Trigger]) -> bool:
    """Whether a trigger has the mention of tokens start to end in its scope."""
    if start <= trigger.start and trigger.end <= end:
        return True  # in a gap of the mention's pattern: triggers elsewhere in it were dropped
    if trigger.end <= start and trigger.direction in ("forward", "both"):
        gap_start, gap_end = trigger.end, start
    elif trigger.start >= end and trigger.direction in ("backward", "both"):
        gap_start, gap_end = end, trigger.start
    else:
        return False
    if gap_end - gap_start > trigger.scope:
        return False
    return not any(gap_start <= t.start and t.end <= gap_end for t in terminators)


def _chain_length(negations: list[_Trigger], start: int, mention_starts: list[int]) -> int:
    """How many negations apply together: the nearest, and those chained before it with no
    other mention in between (a double negative); a negation after the mention counts once."""
    if not negations:
        return 0
    before = [t for t in negations if t.end <= start]
    if not before:
        return 1
    chain = [before[-1]]
    for trigger in reversed(before[:-1]):
        if trigger.end > chain[-1].start:
            continue  # overlapping phrasings of one negation ("there is no" + "no evidence")
        # Is another mention between this trigger and the chain? Then it negates that one.
        next_mention = bisect.bisect_left(mention_starts, trigger.end)
        if next_mention < len(mention_starts) and mention_starts[next_mention] < chain[-1].start:
            break
        chain.append(trigger)
    return len(chain)


def _person_at(words: _Words, i: int) -> tuple[Kind, str] | None:
    """The kind and gender of the person the i-th token names, if it names one."""
    lemma = words.lemma[i]
    person = _PERSONS.get(lemma)
    if person is not None:
        kind, gender = person
        if kind == "peer" and _owned_by_parent(words, i):
            return "parent", gender
        if kind == "adult" and _said_young(words, i):
            return "child", gender  # "a 16 year old young man", "15 year old male"
        return person
    if lemma in _PRONOUNS:
        return None
    info = words.info[i]
    if info.is_title and info.is_alpha and not info.is_stop and words.sent_start[i] != 1:
        # A name. "Dad (Mark Jones)", "Mr Daniel Hughes": whoever the role or title says.
        for j in range(i - 1, max(-1, i - 4), -1):
            title = words.lower[j].rstrip(".")
            if title in _TITLES:
                return "parent", _TITLES[title]
            if words.lemma[j] in _PERSONS:
                return _PERSONS[words.lemma[j]]
            if not (words.info[j].is_title or words.info[j].is_punct):
                break
        if words.lower[i] not in _TITLES:
            # Otherwise a first name: in referrals children are named, adults go by their role.
            return "child", "n"
    return None


def _said_young(words: _Words, i: int) -> bool:
    before = words.lower[max(0, i - 3) : i]
    return "young" in before or "old" in before or any(t.endswith("yo") for t in before)


def _owned_by_parent(words: _Words, i: int) -> bool:
    """ "mum's boyfriend" is a parent figure; "her boyfriend" is the young person's."""
    lemma, lower = words.lemma, words.lower
    if i >= 1 and lemma[i - 1] in _PARENT_OWNERS and lower[i - 1].endswith("s"):
        return True  # "mums bf", written without the apostrophe
    return i >= 2 and lower[i - 1] in {"'s", "s"} and lemma[i - 2] in _PARENT_OWNERS


def _resolve_pronoun(words: _Words, pronoun: int, sentences: _Sentences) -> Kind:
    """The kind of person a pronoun refers to: in its own sentence, the nearest earlier
    person of its gender, unless a reporting verb stands between ("Mum says she is cutting
    herself"); in an earlier sentence, that sentence's first person, if of its gender ("Mum
    drinks. She passes out."); otherwise the child, since a referral is about a child."""
    gender = _PRONOUNS[words.lemma[pronoun]]
    sent_start = sentences.start_of(pronoun)
    reported = False
    for i in range(pronoun - 1, max(-1, pronoun - _ANTECEDENT_WINDOW), -1):
        if i < sent_start:
            first = _first_person(words, sentences.start_of(i), i + 1)
            agrees = first is not None and (gender == "n" or first[1] in (gender, "n"))
            if first is not None and agrees and first[0] in ("parent", "adult"):
                return first[0]
            return "child"
        if words.lemma[i] in _REPORTING:
            reported = True
            continue
        person = _person_at(words, i)
        if person is None or (gender != "n" and person[1] not in (gender, "n")):
            continue
        if reported and person[0] in ("parent", "adult"):
            return "child"
        return person[0]
    return "child"


def _first_person(words: _Words, start: int, end: int) -> tuple[Kind, str] | None:
    """The first person named between two tokens: a sentence's subject, as a rule."""
    for i in range(start, end):
        lemma = words.lemma[i]
        if lemma in _PRONOUNS or lemma in _FIRST_PERSON:
            continue
        person = _person_at(words, i)
        if person is not None and not _is_possessive(words, i):
            return person
    return None


def _is_possessive(words: _Words, i: int) -> bool:
    """ "Jordan's dad", "her brother": the person named next is the one meant."""
    if i + 1 >= words.n:
        return False
    if words.lower[i + 1] in {"'s", "s", "'"}:
        return True
    return words.lower[i] in {"her", "his", "their", "my"} and words.lemma[i + 1] in _PERSONS


def _is_skipped(words: _Words, i: int, lowest: int) -> bool:
    """A person who is not the subject of what follows: one reporting it ("Mum says ..."),
    or the object of a preposition ("mother of a 3 week old baby")."""
    for j in range(i + 1, min(words.n, i + 3)):
        if words.lemma[j] in _REPORTING:
            return True
    for j in range(i - 1, max(lowest - 1, i - 5), -1):
        lower = words.lower[j]
        if lower in _OBJECT_PREPOSITIONS:
            return True
        if not (lower in _NOUN_PHRASE or words.info[j].like_num or lower == "-"):
            return False
    return False


def _experiencer(words: _Words, start: int, end: int, sentences: _Sentences) -> Kind | None:
    """Who the mention of tokens start to end is about: the subject of its clause (the first
    person named, passing over possessives, reporters and objects of prepositions), else the
    nearest person before it, else one named just after it ("drug use by mum"). None when
    nobody is named, or only the speaker ("I")."""
    lemma, lower = words.lemma, words.lower
    sent_start = sentences.start_of(start)
    clause_start = sent_start
    for i in range(start - 1, sent_start - 1, -1):
        if lower[i] in _CLAUSE_BREAKS or (
            lower[i] in {"and", ","}
            and (lemma[i + 1] in _SUBJECTS or (lower[i] == "," and lemma[i + 1] in _CLAUSE_OPENERS))
            and i + 1 < start
        ):
            clause_start = i + 1
            break
    for i in range(clause_start, start):
        if i > 0 and lemma[i - 1] == "not":
            continue  # "her brother, not her, self-harms": the contrasted person is not it
        if lemma[i] in _FIRST_PERSON:
            return None
        is_pronoun = lemma[i] in _PRONOUNS
        if not is_pronoun and _person_at(words, i) is None:
            continue
        if _is_possessive(words, i) or _is_skipped(words, i, clause_start):
            continue
        if is_pronoun:
            return _resolve_pronoun(words, i, sentences)
        person = _person_at(words, i)
        return person[0] if person is not None else None
    lowest = max(sent_start, start - _EXPERIENCER_WINDOW)
    for i in range(start - 1, lowest - 1, -1):
        if lower[i] in _CLAUSE_BREAKS:
            break
        if lemma[i] in _PRONOUNS:
            return _resolve_pronoun(words, i, sentences)
        person = _person_at(words, i)
        if person is not None:
            return person[0]
    highest = min(sentences.end_of(start), end + 4)
    for i in range(end + 1, highest):
        if lower[i - 1] not in _PREPOSITIONS:
            continue
        if lemma[i] in _PRONOUNS:
            return _resolve_pronoun(words, i, sentences)
        person = _person_at(words, i)
        if person is not None:
            return person[0]
    return None


def _dedupe(items: list[_Qualified]) -> list[_Qualified]:
    """One mention per extent and code; when relabelling makes two, qualifiers are merged
    conservatively (negated only if both were)."""
    merged: dict[tuple[int, int, str], _Qualified] = {}
    for item in items:
        key = (item.start, item.end, item.code)
        existing = merged.get(key)
        if existing is None:
            merged[key] = item
            continue
        existing.negated = existing.negated and item.negated
        existing.possible = existing.possible or item.possible
        existing.historical = existing.historical and item.historical
        existing.other_experiencer = existing.other_experiencer and item.other_experiencer
    return sorted(merged.values(), key=lambda q: (q.start, q.end, q.code))


@Language.factory("frontdoor_context", default_config={"spans_key": DEFAULT_SPANS_KEY})
def make_context_qualifier(nlp: Language, name: str, spans_key: str) -> ContextQualifier:
    return ContextQualifier(nlp, name, spans_key=spans_key)
