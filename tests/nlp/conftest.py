from collections.abc import Callable

import pytest

import nlp
from nlp.extraction import Extraction, Mention


@pytest.fixture(scope="session")
def pipeline():
    return nlp.load_pipeline()


def mentions_of(extraction: Extraction, code: str) -> list[Mention]:
    return [m for m in extraction.mentions if m.code == code]


@pytest.fixture
def mention() -> Callable[[str, str], Mention]:
    """The single mention of a code in a text, failing the test if there is not exactly one."""

    def find(text: str, code: str) -> Mention:
        found = mentions_of(nlp.extract(text), code)
        assert len(found) == 1, f"expected one {code} mention, got {found}"
        return found[0]

    return find
