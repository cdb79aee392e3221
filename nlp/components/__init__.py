"""Our spaCy components. Importing this package registers their factories with spaCy, which
`spacy.load` needs before it can read back a saved frontdoor pipeline."""

from nlp.components.concern_ruler import ConcernRuler
from nlp.components.context import ContextQualifier
from nlp.components.lemmas import RuleLemmatizer
from nlp.components.sentences import SentenceSplitter

__all__ = ["ConcernRuler", "ContextQualifier", "RuleLemmatizer", "SentenceSplitter"]
