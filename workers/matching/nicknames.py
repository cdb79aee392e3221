"""Given names that stand for one another (Bill and William), from the nicknames.txt table."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def _table() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(formal names each name belongs to, members of each formal name's group)."""
    groups: dict[str, set[str]] = {}
    members: dict[str, set[str]] = {}
    text = resources.files(__package__).joinpath("nicknames.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        formal, _, variants = line.partition(":")
        names = [formal.strip()] + [v.strip() for v in variants.split(",") if v.strip()]
        members.setdefault(names[0], set()).update(names)
        for name in names:
            groups.setdefault(name, set()).add(names[0])
    return (
        {name: frozenset(found) for name, found in groups.items()},
        {formal: frozenset(found) for formal, found in members.items()},
    )


def groups_of(name: str) -> frozenset[str]:
    """The formal names a (normalised) given name belongs to; itself when it is in no group."""
    return _table()[0].get(name, frozenset({name}))


def canonical(name: str) -> str:
    """One formal name to file a given name under for blocking (Bill → william).

    A formal name is filed under itself; a short form with several formal names (Alex) under the
    first alphabetically. blocking_names() lets a query reach every filing its name could have.
    """
    groups = groups_of(name)
    return name if name in groups else min(groups)


def blocking_names(name: str) -> frozenset[str]:
    """Every canonical() filing under which a record for this person's given name may be kept."""
    members = _table()[1]
    found = {canonical(name)}
    for formal in groups_of(name):
        found.update(canonical(member) for member in members.get(formal, ()))
    return frozenset(found)


def all_names() -> frozenset[str]:
    """Every name in the table, formal names and short forms alike."""
    return frozenset(_table()[0])


def are_equivalent(a: str, b: str) -> bool:
    return a == b or not groups_of(a).isdisjoint(groups_of(b))
