"""The codes of taxonomy.yaml that the NLP can output, in taxonomy order.

They are repeated here rather than read from taxonomy.yaml at run time so that the package has
no settings or files to find at import time; a test checks that the two lists agree.
"""

from typing import Final

CATEGORY_CODES: Final[tuple[str, ...]] = (
    "physical_abuse",
    "emotional_abuse",
    "sexual_abuse",
    "neglect",
    "domestic_abuse",
    "child_sexual_exploitation",
    "child_criminal_exploitation",
    "trafficking",
    "missing",
    "child_mental_health",
    "child_substance_misuse",
    "parental_mental_health",
    "parental_substance_misuse",
    "homelessness",
    "anti_social_behaviour",
    "youth_offending",
    "radicalisation",
    "fgm",
    "honour_based_abuse",
    "private_fostering",
    "unaccompanied_child",
    "child_disability",
)

RISK_INDICATOR_CODES: Final[tuple[str, ...]] = (
    "immediate_danger",
    "serious_injury",
    "injury_non_mobile_baby",
    "sexual_abuse_disclosure",
    "weapon",
    "strangulation",
    "child_alone",
    "suicide_risk",
    "missing_now",
    "fgm_imminent",
)

QUALIFIERS: Final[tuple[str, ...]] = ("negated", "possible", "historical", "other_experiencer")

# A pattern with this label marks words that look like a concern but are not one ("panic
# attack" is not an assault, "Miss Smith" is not missing). It wins the overlap with what it
# contains and is then dropped, so nothing is reported for it.
IGNORE_LABEL: Final = "IGNORE"

CODE_ORDER: Final[dict[str, int]] = {
    code: i for i, code in enumerate(CATEGORY_CODES + RISK_INDICATOR_CODES)
}


def is_category(code: str) -> bool:
    return code in _CATEGORY_SET


def is_risk_indicator(code: str) -> bool:
    return code in _RISK_SET


_CATEGORY_SET: Final = frozenset(CATEGORY_CODES)
_RISK_SET: Final = frozenset(RISK_INDICATOR_CODES)
