"""Finding existing person records for the people on a contact.

Pure matching (no database): normalise → blocking keys → field comparisons → Fellegi-Sunter
scoring → ranked candidates; `link_files` runs it over two CSVs. The database side (`index`,
`family`, `history`) stores the person index with its blocking keys and the proposed matches.
"""

from workers.matching.candidates import Candidate, rank
from workers.matching.compare import Level
from workers.matching.link import LinkSummary, link_files
from workers.matching.person import Person, QueryPerson, prepare, query_from_contact_person
from workers.matching.records_csv import RecordsFileError, RefusedRow
from workers.matching.scoring import MATCH, POSSIBLE, Bands, FieldResult, Score, Weights

__all__ = [
    "MATCH",
    "POSSIBLE",
    "Bands",
    "Candidate",
    "FieldResult",
    "Level",
    "LinkSummary",
    "Person",
    "QueryPerson",
    "RecordsFileError",
    "RefusedRow",
    "Score",
    "Weights",
    "link_files",
    "prepare",
    "query_from_contact_person",
    "rank",
]
