"""Answers to the flow's questions, gathered from an email, most trustworthy first.

For a new referral: the fields the referrer labelled, then the sender's address and signature,
then whatever `nlp` finds in the free text. For a reply: the numbered answers to our numbered
questions, then labelled fields, then `nlp`. Nothing overwrites what the referrer wrote, and
every value is checked by its question, so a guess that does not parse is simply asked.
"""

from __future__ import annotations

import re
from typing import Any

from channels.email.labelled import read_labelled
from channels.email.parse import ParsedEmail
from channels.email.questions import (
    Applied,
    Asked,
    apply_answer,
    apply_values,
    numbered_answers,
)
from channels.email.reply_text import Body
from channels.email.signature import referrer_from_signature
from forms.choices import is_professional, referrer_choices
from forms.flow import FlowState
from forms.prefill import answers_from_extraction
from forms.questions import TOP_LEVEL, match_choice
from nlp import extract

# Inferred rather than written as an answer: the signature, the sender's domain, the NLP.
INFERRED = "nlp"
# Fewer words than this is a covering note ("Please see attached"), not a description of what
# happened, so the concern question is asked instead.
MIN_CONCERN_WORDS = 8
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening)|to whom it may concern)\b.{0,60}$",
    re.IGNORECASE,
)
# Mail domains that say which kind of organisation the sender works for.
_DOMAIN_TYPES = (
    (".sch.uk", "school"),
    ("police.uk", "police"),
    ("pnn.police.uk", "police"),
    ("nhs.net", "other_health"),
    ("nhs.uk", "other_health"),
)


def answers_from_new_email(state: FlowState, parsed: ParsedEmail, body: Body) -> Applied:
    labelled = read_labelled(body.new_text)
    applied = apply_values(state, labelled.values, source="referrer")
    if parsed.from_address:
        applied.merge(
            apply_values(
                state, {"referrer_email": parsed.from_address}, source="referrer", overwrite=False
            )
        )
    signature = referrer_from_signature(body.signature, parsed.from_name)
    applied.merge(apply_values(state, signature, source=INFERRED, overwrite=False))
    applied.merge(_infer_referrer_type(state, parsed.from_address))
    concern = concern_text(body.new_text, labelled.used_lines)
    if concern and "concern" not in state.answers:
        applied.merge(apply_values(state, {"concern": concern}, source="referrer"))
    applied.merge(nlp_answers(state, body.new_text))
    applied.merge(_feedback_by_email(state))
    return applied


def answers_from_reply(state: FlowState, body: Body, asked: list[Asked]) -> Applied:
    applied = Applied()
    numbered = numbered_answers(body.inline_text, asked)
    if not numbered and len(asked) == 1 and body.new_text:
        # One question asked: the whole reply is its answer.
        numbered = {asked[0].key: body.new_text}
    for key, raw in numbered.items():
        applied.merge(apply_answer(state, key, raw))
    labelled = read_labelled(body.new_text)
    applied.merge(apply_values(state, labelled.values, source="referrer", overwrite=False))
    applied.merge(nlp_answers(state, body.new_text))
    applied.merge(_infer_referrer_type(state, ""))
    applied.merge(_feedback_by_email(state))
    return applied


def nlp_answers(state: FlowState, text: str) -> Applied:
    if not text.strip():
        return Applied()
    values = answers_from_extraction(extract(text), text)
    # In an email the referrer's address is the sender and their phone is in the signature; a
    # number or address in the text (a forwarded message's, a parent's) is someone else's.
    for key in ("referrer_phone", "referrer_email"):
        values.pop(key, None)
    # Only pre-filling: a guess that fails its question is asked, not reported as a problem.
    applied = apply_values(state, values, source=INFERRED, overwrite=False)
    applied.errors.clear()
    return applied


def concern_text(text: str, labelled_lines: set[int]) -> str:
    """The free text of the email, less labelled fields and the greeting, as the concern."""
    lines = [line for number, line in enumerate(text.split("\n")) if number not in labelled_lines]
    while lines and (not lines[0].strip() or _GREETING.match(lines[0])):
        lines.pop(0)
    concern = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if len(concern.split()) < MIN_CONCERN_WORDS:
        return ""
    limit = TOP_LEVEL["concern"].max_length
    # The whole text is kept in contact.raw_text; the answer has the question's limit.
    return concern[:limit]


def _infer_referrer_type(state: FlowState, sender: str) -> Applied:
    if "referrer_type" in state.answers:
        return Applied()
    described = " ".join(
        str(state.answers.get(key) or "") for key in ("referrer_organisation", "referrer_role")
    ).lower()
    found = match_choice(referrer_choices(), described) if described.strip() else None
    if not is_professional(found):
        # Only a professional's organisation or role says who they are; anything else is asked.
        domain = sender.rsplit("@", 1)[-1]
        found = next((kind for suffix, kind in _DOMAIN_TYPES if domain.endswith(suffix)), None)
    if found is None:
        return Applied()
    return apply_values(state, {"referrer_type": found}, source=INFERRED, overwrite=False)


def _feedback_by_email(state: FlowState) -> Applied:
    """They wrote to us by email, so that is how we tell them what happens, unless they said."""
    answers = state.answers
    if "feedback_by" in answers or not answers.get("referrer_email"):
        return Applied()
    if answers.get("anonymous") is True:
        return Applied()
    return apply_values(state, {"feedback_by": "email"}, source=INFERRED)


def describe_sources(applied: Applied) -> dict[str, Any]:
    """Counts of answers by where they came from, for the contact's timeline (no values)."""
    counts: dict[str, int] = {}
    for source in applied.sources.values():
        counts[source] = counts.get(source, 0) + 1
    return counts
