"""Whether a contact only asks the hub for information or advice (a Blue contact).

Other agencies ask the front door things that are not concerns: is this family known, who is
the allocated social worker, the contact details of a health visitor, a form. The words of
asking are enough to tell; whether a concern is described too is the NLP's to say (a request
that also describes a bruise is not Blue).
"""

from __future__ import annotations

import re

# A formal request says what it is ("Request for information: CAFCASS requests…").
_FORMAL_REQUEST = re.compile(
    r"\b(?:request(?:ing|s)?\s+(?:for\s+)?(?:any\s+)?(?:information|details|advice|the\s+contact)"
    r"|information\s+request)",
    re.IGNORECASE,
)
# A question ("is this family known?") is a request only when the referrer also says there is no
# concern: "Is this family known? Dad was arrested last night" is a concern the NLP may miss, and
# Blue means no MASH checks at all.
_QUESTION = re.compile(
    r"\b(?:"
    r"(?:could|can|would)\s+you\s+(?:please\s+)?(?:tell|let|send|confirm|advise|share|check)"
    r"|are\s+you\s+able\s+to\s+(?:tell|share|confirm|send|advise)"
    r"|(?:do|does)\s+(?:you|the\s+hub|mash)\s+(?:hold|have)\s+any\s+(?:information|details|records)"
    r"|(?:is|are)\s+(?:this|the)\s+(?:family|child|children)\s+known"
    r"|whether\s+(?:the|this)\s+(?:\w+\s+){0,3}(?:family|child|children)\s+(?:is|are|has|have)"
    r"|(?:has|have)\s+an?\s+allocated\s+social\s+worker"
    r"|(?:seeking|asking\s+for|looking\s+for)\s+(?:some\s+)?(?:advice|information|guidance)"
    r")",
    re.IGNORECASE,
)
_NO_CONCERN = re.compile(
    r"\bno\s+(?:safeguarding\s+|child\s+protection\s+|welfare\s+)?concerns?\b"
    r"|\bnot\s+a\s+(?:safeguarding\s+)?(?:concern|referral)\b"
    r"|\bthere\s+(?:is|are)\s+no\s+(?:worries|concerns?)\b",
    re.IGNORECASE,
)


def asks_for_information(text: str | None) -> bool:
    if not text:
        return False
    if _FORMAL_REQUEST.search(text):
        return True
    return bool(_QUESTION.search(text) and _NO_CONCERN.search(text))
