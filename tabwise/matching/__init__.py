"""Tabwise's one person-matching engine: skip-network screening, duplicate customers, duplicates on import.

    features = encode(record, key)              # keyed tokens and Bloom filters, no plaintext
    result = compare(features, other)           # score (log2 odds), band, agreed/disagreed kinds, explanation
    keys = blocking_keys(features)              # which pairs are worth comparing
    index = Index(); index.add(id, features); index.screen(applicant)

docs/decisions/0009-person-matching-engine.md explains the design, the privacy model and the thresholds.
"""

from tabwise.matching.blocking import Hit, Index, blocking_keys
from tabwise.matching.compare import BAND_NONE, BAND_POSSIBLE, BAND_STRONG, KINDS, MatchResult, compare
from tabwise.matching.encoding import encode, key_id
from tabwise.matching.features import PersonFeatures
from tabwise.matching.frequencies import Frequencies
from tabwise.matching.records import Address, DriverLicence, PersonName, PersonRecord
from tabwise.matching.weights import POSSIBLE_THRESHOLD, STRONG_THRESHOLD

__all__ = [
    "BAND_NONE",
    "BAND_POSSIBLE",
    "BAND_STRONG",
    "KINDS",
    "POSSIBLE_THRESHOLD",
    "STRONG_THRESHOLD",
    "Address",
    "DriverLicence",
    "Frequencies",
    "Hit",
    "Index",
    "MatchResult",
    "PersonFeatures",
    "PersonName",
    "PersonRecord",
    "blocking_keys",
    "compare",
    "encode",
    "key_id",
]
