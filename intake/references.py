"""Contact references: short, speakable over the phone, and resistant to typos.

Eight characters from an alphabet without 0/O, 1/I/L and 2/Z (read aloud or handwritten they get
confused), shown as `ABCD-EFGH`. The last character is a Luhn mod N check character, which catches
every single mistyped character and almost every swap of two neighbours. Luhn mod N needs an even
alphabet size (doubling must be a permutation), which is one more reason the alphabet has 30.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXY"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
BODY_LENGTH = 7


def check_character(body: str) -> str:
    n = len(ALPHABET)
    total = 0
    factor = 2
    for ch in reversed(body):
        addend = factor * _INDEX[ch]
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def new_reference() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    code = body + check_character(body)
    return f"{code[:4]}-{code[4:]}"


def normalise(text: str) -> str | None:
    """Read a reference as typed or spoken ("abcd efgh", "ABCD-EFGH"); None if it is not valid."""
    compact = re.sub(r"[\s\-_.]", "", text.upper())
    if len(compact) != BODY_LENGTH + 1 or any(ch not in _INDEX for ch in compact):
        return None
    if check_character(compact[:-1]) != compact[-1]:
        return None
    return f"{compact[:4]}-{compact[4:]}"


REFERENCE_PATTERN = re.compile(r"\b[2-9A-HJKMNP-Y]{4}-?[2-9A-HJKMNP-Y]{4}\b")
