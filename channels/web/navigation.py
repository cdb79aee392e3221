"""Which page comes next, which came before, and which pages a referrer may open.

The web form is one question per page with the question's key in the address, so the browser's
own history can go anywhere. These rules keep the conversation in `forms.flow` in charge: a page
can be opened only if it has been answered or is the next one to answer.
"""

from __future__ import annotations

from forms import flow
from forms.flow import FlowState

FIRST_QUESTION = "immediate_danger"


def may_visit(state: FlowState, key: str) -> bool:
    """Answered questions can be revisited; of the rest, only the one being asked now."""
    if flow.step_for(key, state.answers) is None:
        return False
    if key in state.answers:
        return True
    current = flow.current_step(state)
    return current is not None and current.key == key


def after_answer(state: FlowState, key: str, *, changing: bool) -> str | None:
    """The key to ask after `key` was answered, or None when it is time to check answers.

    Walking forward after going back shows each answered page in turn, as paper would. Changing
    from the check-answers page returns there at once, unless the new answer opened questions
    that still need answering (another child, a reason for consent).
    """
    if not changing:
        keys = [step.key for step in flow.steps(state.answers)]
        if key in keys:
            following = keys[keys.index(key) + 1 : keys.index(key) + 2]
            if following and following[0] in state.answers:
                return following[0]
    current = flow.current_step(state)
    return None if current is None else current.key


def before(state: FlowState, key: str) -> str | None:
    """The question before `key`, or None for the first question (its back link is the start)."""
    return flow.previous_key(state, key)
