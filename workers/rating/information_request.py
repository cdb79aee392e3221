"""Whether a contact only asks the hub for information or advice (a Blue contact).

Other agencies ask the front door things that are not concerns: is this family known, who is
the allocated social worker, the contact details of a health visitor, a form. The words of
asking are enough to tell; whether a concern is described too is the NLP's to say (a request
that also describes a bruise is not Blue).
"""

from __future__ import annotations

import re

_ASKING = re.compile(
    r"\b(?:"
    r"request(?:ing|s)?\s+(?:for\s+)?(?:any\s+)?(?:information|details|advice|the\s+contact)"
    r"|information\s+request"
    r"|(?:could|can|would)\s+you\s+(?:please\s+)?(?:tell|let|send|confirm|advise|share|check)"
    r"|are\s+you\s+able\s+to\s+(?:tell|share|confirm|send|advise)"
    r"|(?:do|does)\s+(?:you|the\s+hub|mash)\s+(?:hold|have)\s+any\s+(?:information|details|records)"
    r"|(?:is|are)\s+(?:this|the)\s+(?:family|child|children)\s+known"
    r"|whether\s+(?:the|this)\s+(?:\w+\s+){0,3}(?:family|child|children)\s+(?:is|are|has|have)"
    r"|(?:has|have)\s+an?\s+allocated\s+social\s+worker"
    r"|(?:seeking|asking\s+for|looking\s+for)\s+(?:some\s+)?(?:advice|information|guidance)"
    r")",
    re.IGNORECASE,
)


def asks_for_information(text: str | None) -> bool:
    return bool(text and _ASKING.search(text))
