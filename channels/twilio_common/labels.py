"""Short names for each answer, for reading answers back in a text or on the phone.

The web form's check-answers page shows each question in full; an SMS summary of 30 answers
needs a few words each to fit in a handful of texts, and on the phone the question in full is
too long to listen to thirty times.
"""

from __future__ import annotations

from forms.questions import Group, question_for_key

_TOP_LEVEL = {
    "immediate_danger": "Child in danger now",
    "referrer_type": "You are",
    "anonymous": "Stay anonymous",
    "referrer_name": "Your name",
    "referrer_role": "Your role",
    "referrer_organisation": "Your organisation",
    "referrer_phone": "Your phone",
    "referrer_email": "Your email",
    "feedback_by": "Hear back by",
    "household_known": "Know who the child lives with",
    "concern": "What happened",
    "concern_when": "When",
    "how_known": "How you know",
    "fears": "What you fear",
    "child_said": "What the child said",
    "home_concerns": "Worries at home",
    "consent": "Parents know and agree",
    "consent_reason": "Why not",
    "consent_reason_detail": "More about why",
    "other_agencies": "Other services",
}

_CHILD = {
    "name": "name",
    "age_known": "age known",
    "date_of_birth": "date of birth",
    "age": "age",
    "expected_date": "due date",
    "gender": "sex or gender",
    "address": "address",
    "postcode": "postcode",
    "school": "school or nursery",
    "language": "home language",
    "disability": "disability or needs",
    "more": "another child too",
}

_HOUSEHOLD = {
    "name": "name",
    "relationship": "relationship to child",
    "more": "anyone else at home",
}


def short_label(key: str) -> str:
    """A few words naming the answer: "Your name", "Child 1 date of birth", "Person 2 at home:
    relationship to child"."""
    question, index = question_for_key(key)
    number = (index or 0) + 1
    if question.group is Group.CHILD:
        return f"Child {number} {_CHILD.get(question.id, question.id)}"
    if question.group is Group.HOUSEHOLD:
        return f"Person {number} at home: {_HOUSEHOLD.get(question.id, question.id)}"
    return _TOP_LEVEL.get(question.id, question.prompt)
