"""Which spellings are given names at all, and which sex each is usually given to.

A given name one letter away from a recorded one is either a typo of it (Anfrew for Andrew,
Kylb for Kyle) or another name: a brother's or sister's (Elsie for Ellie, Kylie for Kyle). The
difference is whether the spelling is a name people are called. given_names.txt lists names
from many communities; the nicknames table (nicknames.txt) counts as well.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from workers.matching import nicknames
from workers.matching.normalise import PLACEHOLDER_GIVEN_NAMES

_SEXES = frozenset({"f", "m"})


@cache
def _table() -> dict[str, frozenset[str]]:
    """Each known given name and the sexes it is usually given to (empty when not recorded)."""
    table: dict[str, frozenset[str]] = dict.fromkeys(nicknames.all_names(), frozenset())
    text = resources.files(__package__).joinpath("given_names.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, sexes = line.strip().partition(" ")
        table[name] = frozenset(sexes) & _SEXES
    return table


def is_known(name: str) -> bool:
    """Whether a (normalised) spelling is a given name people are called."""
    return name in _table()


def usual_sexes(name: str) -> frozenset[str]:
    """The sexes ("f", "m" or both) a name is usually given to; empty when the name is not known
    or its sex is not recorded."""
    return _table().get(name, frozenset())


def of_other_sex(a: str, b: str) -> bool:
    """Two names usually given to different sexes (Kyle and Kylie, Louis and Louise): however
    alike they are spelt, they are two names, as a brother's and a sister's may be."""
    first, second = usual_sexes(a), usual_sexes(b)
    return bool(first) and bool(second) and first.isdisjoint(second)


def one_is_a_typo(a: str, b: str) -> bool:
    """Exactly one of two spellings is a known name: the other is a typo of it rather than
    another name. When both are names (Ellie and Elsie) they may be two people; when neither is,
    nothing says which is the name (a rare name and a sister's, spelt alike)."""
    return is_known(a) != is_known(b)


def are_two_names(a: str, b: str) -> bool:
    """Two different spellings that are both names people are called (Harry, George): when
    nothing else relates them, two people's names. "Baby" and "Unknown" are in the lists people
    are named from but stand in for a name on a record, so they do not count."""
    return (
        a != b
        and is_known(a)
        and is_known(b)
        and a not in PLACEHOLDER_GIVEN_NAMES
        and b not in PLACEHOLDER_GIVEN_NAMES
    )
