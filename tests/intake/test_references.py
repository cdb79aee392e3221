from hypothesis import given
from hypothesis import strategies as st

from intake import references


def test_references_are_eight_characters_without_confusable_letters():
    for _ in range(200):
        ref = references.new_reference()
        assert len(ref) == 9 and ref[4] == "-"
        assert not set(ref) & set("01OILZ")
        assert references.normalise(ref) == ref


BODIES = st.text(alphabet=references.ALPHABET, min_size=7, max_size=7)


@given(BODIES, st.integers(min_value=0, max_value=7), st.sampled_from(references.ALPHABET))
def test_any_single_mistyped_character_is_caught(body, position, replacement):
    ref = body + references.check_character(body)
    if ref[position] == replacement:
        return
    typo = ref[:position] + replacement + ref[position + 1 :]
    assert references.normalise(typo) is None


def test_references_are_read_whatever_the_case_and_spacing():
    ref = references.new_reference()
    assert references.normalise(ref.lower().replace("-", " ")) == ref


@given(BODIES, st.integers(min_value=0, max_value=6))
def test_swapping_two_neighbours_is_caught_unless_they_are_the_same(body, position):
    ref = body + references.check_character(body)
    swapped = ref[:position] + ref[position + 1] + ref[position] + ref[position + 2 :]
    if swapped != ref and {ref[position], ref[position + 1]} != {"2", "Y"}:
        # Luhn mod N misses only the one pair whose doubled values wrap onto each other.
        assert references.normalise(swapped) is None
