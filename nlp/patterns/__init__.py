"""The pattern files of the NLP pipeline, and how they are read and written.

Each file is JSON Lines. The first line is a header, `{"version": N, "description": ...}`;
bump the version whenever the patterns change, so that a stored extraction can be traced to
the patterns that made it. Every other line is one entry (a pattern, a lexicon entry or a
ConText rule, depending on the file).

A header may also name word lists, `"word_lists": {"adult_victim": ["mum", "dad", ...]}`, which
a token pattern uses as `{"LEMMA": {"IN": "@adult_victim"}}`: the same twenty words are then
written once, not in every pattern that needs them. `expand_word_lists` swaps the names for
the lists before a pattern reaches spaCy; files are saved with the names, as written.

A header may also say which code a match implies: `"implies": {"child_alone": "neglect"}` in
the risk indicator file makes every child_alone match a neglect mention too, so a category is
never missing behind the red flag that shows it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

CATEGORY_PATTERNS = "categories.jsonl"
RISK_INDICATOR_PATTERNS = "risk_indicators.jsonl"
CONTEXT_RULES = "context.jsonl"
LEXICON = "lexicon.jsonl"


@dataclass(frozen=True)
class PatternFile:
    name: str
    version: int
    entries: list[dict[str, Any]]
    description: str = field(default="")
    word_lists: dict[str, list[str]] = field(default_factory=dict)
    implies: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, name: str, text: str) -> PatternFile:
        lines = [line for line in text.splitlines() if line.strip()]
        if not lines:
            raise ValueError(f"{name}: empty pattern file")
        header = json.loads(lines[0])
        if not isinstance(header, dict) or not isinstance(header.get("version"), int):
            raise ValueError(f"{name}: the first line must be a header with a version")
        entries: list[dict[str, Any]] = []
        for number, line in enumerate(lines[1:], start=2):
            entry = json.loads(line)
            if not isinstance(entry, dict):
                raise ValueError(f"{name}, line {number}: an entry must be a JSON object")
            entries.append(entry)
        word_lists = header.get("word_lists", {})
        if not isinstance(word_lists, dict):
            raise ValueError(f"{name}: word_lists must map names to lists of words")
        return cls(
            name=name,
            version=header["version"],
            entries=entries,
            description=str(header.get("description", "")),
            word_lists={str(k): [str(w) for w in v] for k, v in word_lists.items()},
            implies={str(k): str(v) for k, v in header.get("implies", {}).items()},
        )

    @classmethod
    def read(cls, path: Path) -> PatternFile:
        return cls.parse(path.name, path.read_text(encoding="utf-8"))

    def dumps(self) -> str:
        header: dict[str, Any] = {"version": self.version, "description": self.description}
        if self.implies:
            header["implies"] = self.implies
        if self.word_lists:
            header["word_lists"] = self.word_lists
        lines = [json.dumps(header, ensure_ascii=False)]
        lines.extend(json.dumps(entry, ensure_ascii=False) for entry in self.entries)
        return "\n".join(lines) + "\n"

    def write(self, path: Path) -> None:
        path.write_text(self.dumps(), encoding="utf-8")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "word_lists": self.word_lists,
            "implies": self.implies,
            "entries": self.entries,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PatternFile:
        return cls(
            name=str(data["name"]),
            version=int(data["version"]),
            entries=list(data["entries"]),
            description=str(data.get("description", "")),
            word_lists=dict(data.get("word_lists", {})),
            implies=dict(data.get("implies", {})),
        )

    def expand_word_lists(self, pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A token pattern with each "@name" in an IN or NOT_IN replaced by its word list."""
        return [self._expand_token(token) for token in pattern]

    def _expand_token(self, token: dict[str, Any]) -> dict[str, Any]:
        expanded: dict[str, Any] = {}
        for attr, value in token.items():
            if isinstance(value, dict):
                value = {
                    op: self._word_list(arg) if isinstance(arg, str) and op in _LIST_OPS else arg
                    for op, arg in value.items()
                }
            expanded[attr] = value
        return expanded

    def _word_list(self, reference: str) -> list[str]:
        if not reference.startswith("@") or reference[1:] not in self.word_lists:
            raise ValueError(f"{self.name}: unknown word list {reference!r}")
        return self.word_lists[reference[1:]]


_LIST_OPS = frozenset({"IN", "NOT_IN"})


def read_pattern_file(name: str) -> PatternFile:
    """One of the pattern files shipped in this package."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return PatternFile.parse(name, text)
