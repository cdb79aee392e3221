from hypothesis import given
from hypothesis import strategies as st

from intake import references


def test_references_are_eight_characters_without_confusable_letters():
    for _ in range(200):
        ref = references.new_reference()
        assert len(ref) == 9 and ref[4] == "-"
        assert not set(ref) & set("01OIL")
        assert references.normalise(ref) == ref


@given(st.integers(min_value=0, max_value=7), st.sampled_from(references.ALPHABET))
def test_any_single_mistyped_character_is_caught(position, replacement):
    ref = references.new_reference().replace("-", "")
    if ref[position] == replacement:
        return
    typo = ref[:position] + replacement + ref[position + 1 :]
    assert references.normalise(typo) is None


def test_references_are_read_whatever_the_case_and_spacing():
    ref = references.new_reference()
    assert references.normalise(ref.lower().replace("-", " ")) == ref
