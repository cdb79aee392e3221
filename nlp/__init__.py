"""Categories of concern, risk indicators and details from the free text of a referral.

    from nlp import extract
    extraction = extract("mum's new partner grabbed him by the throat last night")
    extraction.categories        # ["physical_abuse", "domestic_abuse"]
    extraction.risk_indicators   # ["strangulation"]
    extraction.to_dict()         # the `frontdoor nlp extract` JSON, less its "id"

`extract(text)` is the one entry point; the spaCy pipeline behind it is built on first use
and kept for the life of the process (`load_pipeline()` builds it up front, e.g. in a worker
before it forks). Codes are those of taxonomy.yaml (`nlp.codes`).

`Extraction.to_dict()` gives:

    {"categories": [code, ...],          # taxonomy order; codes with a mention not negated
     "risk_indicators": [code, ...],     # likewise
     "mentions": [{"code", "start", "end", "text",
                   "negated", "possible", "historical", "other_experiencer"}, ...],
     "entities": {
        "dates_of_birth": [{"value": "2015-04-03", "text", "start", "end"}],  # ISO dates
        "ages":           [{"value": 7, "unit": "years"|"months"|"weeks"|"days",
                            "text", "start", "end"}],                        # 0-18 years
        "postcodes":      [{"value": "LS1 4AP", "text", "start", "end"}],
        "phones":         [{"value": "+447700900123", "text", "start", "end"}],  # E.164
        "emails":         [{"value": "sam@example.org", "text", "start", "end"}],
        "names":          [{"value": "Mark Jones", "role": "father", "text", "start", "end"}],
        "schools":        [{"value": "Riverside Primary", "text", "start", "end"}]}}

Every "start"/"end" is a character offset into the text passed to `extract`, and "text" is
`text[start:end]`. A name's role is one of referrer, child, mother, father, stepmother,
stepfather, grandmother, grandfather, brother, sister, uncle, aunt, carer, partner, other.
`Extraction.from_dict()` reads the same JSON back (an "id" key is ignored).
"""

from nlp.extraction import Age, Detail, Entities, Extraction, Mention, Name
from nlp.pipeline import MAX_CHARS, build_pipeline, extract, load_pipeline

__all__ = [
    "MAX_CHARS",
    "Age",
    "Detail",
    "Entities",
    "Extraction",
    "Mention",
    "Name",
    "build_pipeline",
    "extract",
    "load_pipeline",
]
