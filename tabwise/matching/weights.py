"""The comparison levels' weights, the bands' thresholds, and where each number comes from.

Fellegi-Sunter: for each field, the comparison falls into one level; the level's weight is log2(m / u), where m is
the probability of that level when the two records are the same person and u when they are two different people.
The score is the sum of the weights (log2 of the likelihood ratio, "bits"), adjusted for the dependencies named in
compare.py (households). The m values below are set for the skip network's population, where the same person is
often trying not to be recognised (so m of agreement is lower, and of disagreement higher, than in clean
deduplication); u values come from the size of each value space or the census shares. Where a computed weight
would be larger than the field can bear (shared phones, twins' birthdays), it is capped, and the cap is named.
"""

from __future__ import annotations

import math


def bits(m: float, u: float) -> float:
    return math.log2(m / u)


# --- names ------------------------------------------------------------------------------------------------------
# Exact agreement on a name word: m = 0.85; u = the word's census share (frequency-aware). Its weight is
# log2(0.85) + bits_of_share, between the floor and the cap: a cap, because a name is the easiest field to copy
# from a relative and the cheapest to make up.
M_GIVEN_EXACT = 0.85
GIVEN_FLOOR, GIVEN_CAP = 2.0, 8.0
# Nickname or hypocorism (Bill / William, Pepe / José): m = 0.15 (people who give another form of their name);
# u = the share of the more common of the two.
M_GIVEN_NICKNAME = 0.15
# Going by the middle name (first name of one = middle name of the other): m = 0.05.
M_GIVEN_CROSS = 0.05
# A slip in the first name (same first letter, and one letter apart by the deletion tokens, or Bloom filter Dice
# >= DICE_TYPO, or the same metaphone code and Dice >= DICE_PHONETIC): m = 0.05 (typos), u = 0.003 (a name one
# slip from another with the same first letter: Walker / Walter): 4.1 bits. Names of the other sex
# never count as slips: Daniel and Daniela, Mario and Maria are twins' names, not typos; nor do names with
# another first letter (Jason and Mason).
GIVEN_FUZZY = bits(0.05, 0.003)
# Given names present on both sides and unrelated: m = 0.02 (an alias not in the history), u = 0.95.
GIVEN_DISAGREE = bits(0.02, 0.95)
# Middle names on both sides. The same (or a nickname of it): m = 0.6 (a middle name is recorded the same way more
# often than not), u = its census share; capped at MIDDLE_CAP because first and middle names are chosen together
# (Michael James, Maria Guadalupe) and their agreements are not independent. Different: m = 0.3, u = 0.97.
M_MIDDLE_AGREE = 0.6
MIDDLE_CAP = 3.0
MIDDLE_DISAGREE = bits(0.3, 0.97)

M_SURNAME_EXACT = 0.85
SURNAME_FLOOR, SURNAME_CAP = 2.0, 12.0
# One part of a double or hyphenated surname (García López / García; Smith-Jones / Jones): m = 0.1.
M_SURNAME_PART = 0.1
# Misspelt surname: as for given names.
SURNAME_FUZZY = bits(0.05, 0.003)
# First and middle name given as first and last ("John Michael" for John Michael Smith): the surname of one is a
# middle name of the other. m = 0.05, u = the word's census share as a surname; capped.
M_SURNAME_MIDDLE = 0.05
SURNAME_MIDDLE_CAP = 6.0
# Surnames present and unrelated after history, parts, slips and middle names are considered: m = 0.01 (a new
# married name the history does not hold), u = 0.99.
SURNAME_DISAGREE = bits(0.01, 0.99)
# Jr. against Sr. (or II against III) on agreeing names: a father and his son. m = 0.005, u (given agreeing names,
# where suffixes are written at all) = 0.3.
SUFFIX_CONFLICT = bits(0.005, 0.3)

# Bloom filter similarity (Dice) above which two name words with one first letter are taken as one misspelt, beyond
# the one-slip deletion tokens (two slips in a long name); with the same metaphone code the bar is lower. Bigram Dice
# alone cannot tell one slip from two in a short name ("Maria" / "Martha" is 0.62, "Sergio" / "Serigo" 0.57),
# hence the deletion tokens.
DICE_TYPO = 0.8
DICE_PHONETIC = 0.6
# A street line within one ZIP or town: a swapped or wrong letter in "123 n main st" keeps Dice above 0.75.
DICE_STREET = 0.7

# --- date of birth ---------------------------------------------------------------------------------------------
# Exact: m = 0.9, u = 1 / 25,000 (seventy years of birthdays): 14.5 bits, capped at 13 (birthdays cluster).
DOB_EXACT = min(13.0, bits(0.9, 1 / 25_000))
# Transposed digits or day and month swapped: m = 0.05, u = 12 / 25,000 (about twelve variants per date).
DOB_VARIANT = bits(0.05, 12 / 25_000)
# A one-digit slip: year and month agree, or year and day, or month and day with the years one digit apart.
# m = 0.03, u = 1/840 + 1/1,800 + 4/(365 x 70).
DOB_PARTIAL = bits(0.03, 1 / 840 + 1 / 1_800 + 4 / (365 * 70))
# Different, less than ten years apart: m = 0.01, u = 0.99.
DOB_DISAGREE = bits(0.01, 0.99)
# Ten or more years apart and no slip explains it: m = 0.001. u is high (0.6) in a random population, but this
# level is what separates a father from his son when everything else agrees, so it is held at -9.
DOB_FAR = -9.0

# --- SSN ------------------------------------------------------------------------------------------------------
# Full SSNs equal: m = 0.75 (the skip network's evaders give another number), u = 1e-8; capped at 18.
SSN_EXACT = min(18.0, bits(0.75, 1e-8))
# Two neighbouring digits swapped: m = 0.01, u = 8e-8; capped at 8.
SSN_VARIANT = 8.0
# Last four equal where one side has only the last four: m = 0.8, u = 1e-4 (12.9 bits), capped at 10.
SSN_LAST4 = 10.0
# Full SSNs present and different: m = 0.2 (another SSN is the commonest evasion), u = 1.
SSN_DISAGREE = bits(0.2, 1.0) - 1.0  # -3.3: counts against; name and birth date together still outweigh it
# Last four present and different: m = 0.15.
SSN_LAST4_DISAGREE = bits(0.15, 1.0)

# --- contact points and documents ------------------------------------------------------------------------------
# A phone in common: m = 0.45 (a new phone is an evasion), u = 1e-6; capped at 9 (households share phones).
PHONE_AGREE = 9.0
# An email in common: m = 0.4, u = 1e-7; capped at 11 (rarely shared).
EMAIL_AGREE = 11.0
# A licence in common (state and number): m = 0.5, u = 1e-8; capped at 14. Another state's licence is simply
# another licence: disagreement on phones, emails, licences and addresses weighs nothing (m ~ u ~ 1).
LICENCE_AGREE = 14.0
LICENCE_NUMBER_ONLY = 3.0  # the same number under another state: a coincidence or a slip
# An address in common (street with ZIP or city, units compatible): m = 0.4, u = 1e-5; capped at 7.
ADDRESS_AGREE = 7.0
ADDRESS_SIMILAR = 4.0  # misspelt street (Dice >= DICE_STREET) in the same ZIP or city
ADDRESS_BUILDING = 1.5  # same building, different units: neighbours as often as not
ADDRESS_LOCALITY = 0.5  # same ZIP or city only: not an identifier
# An employer in common: m = 0.3, u = 1e-3; capped at 4 (coworkers, chains).
EMPLOYER_AGREE = 4.0

# --- bands ------------------------------------------------------------------------------------------------------
# Chosen on the training corpus (evaluation.py, seed 1) and checked on another seed: every evasion kind, including
# the story (first and middle name, another SSN, new phone, new address, another state), scores above
# POSSIBLE; no look-alike does. A name with an exact birth date and nothing else against it is about 25.
POSSIBLE_THRESHOLD = 12.0
STRONG_THRESHOLD = 25.0
