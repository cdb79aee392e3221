"""Property tests: whatever a person types, the question flow answers kindly and never breaks."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms import flow
from forms.api_payload import read_payload
from forms.flow import FlowState
from forms.referral import build_referral
from forms.summary import summarise

ANYTHING = st.one_of(
    st.text(max_size=300),
    st.integers(),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=20), max_size=5),
    st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=4),
)


@given(
    st.lists(
        st.one_of(ANYTHING, st.sampled_from(["BACK", "yes", "no", "1", "2", "school", "3/4/2015"])),
        max_size=60,
    )
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_sequence_of_replies_leaves_a_consistent_conversation(replies):
    state = FlowState()
    for raw in replies:
        if raw == "BACK":
            flow.back(state)
            continue
        result = flow.answer(state, raw)
        assert result.ok or (isinstance(result.error, str) and result.error)
    # Whatever happened, every derived view still works.
    build_referral(state)
    summarise(state)
    restored = FlowState.from_dict(state.to_dict())
    assert flow.current_step(restored) == flow.current_step(state)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=15), children, max_size=6)
    ),
    max_leaves=30,
)


@given(JSONISH)
@settings(max_examples=300, deadline=None)
def test_any_json_body_is_either_a_referral_or_field_errors(payload):
    result = read_payload(payload)
    if not result.errors:
        assert flow.is_complete(result.state)
    else:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.errors.items())


@given(
    st.sampled_from(
        ["immediate_danger", "referrer_type", "child.0.name", "child.0.date_of_birth", "consent"]
    ),
    ANYTHING,
)
def test_prefill_with_rubbish_never_raises_and_never_stores_an_invalid_value(key, raw):
    state = FlowState()
    flow.prefill(state, {key: raw})
    if key in state.answers:
        step = flow.step_for(key, state.answers)
        assert (
            step is None
            or step.question.parse(state.answers[key], state.answers) == state.answers[key]
        )
