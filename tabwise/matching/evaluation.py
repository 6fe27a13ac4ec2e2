"""A seeded synthetic population to measure the matching engine: listed persons, evasive re-applications, look-alikes.

`make_corpus(seed)` builds listed persons (Faker en_US and es_MX names, US addresses, identity history: earlier
addresses and phones, maiden names) and three kinds of queries, each written the way another business would type
it (upper case or not, accents or not, phones, dates and SSNs in varied formats, ZIP+4, units inside the street):

- evasions of one listed person, each kind alone and combined (the issue's story: first and middle name, another
  SSN, new phone, new address, another state's licence), which must be found;
- look-alikes of one listed person (spouse, roommate, father and son, twins, a namesake in the same town), which
  must not be;
- unrelated people, who must match nobody.

`evaluate(corpus, key)` screens every query against an `Index` of the listed persons and counts, per kind, how many
reached each band. The tests and the benchmark share it; thresholds were chosen on seed 1 and are tested on others.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial

from faker import Faker
from nicknames import NickNamer

from tabwise.matching import hypocorisms
from tabwise.matching.blocking import Index
from tabwise.matching.compare import BAND_POSSIBLE, BAND_STRONG, compare
from tabwise.matching.encoding import encode
from tabwise.matching.frequencies import Frequencies
from tabwise.matching.normalise import fold, name_words
from tabwise.matching.records import Address, DriverLicence, PersonName, PersonRecord

NAME_EVASIONS = ("nickname", "middle_name", "first_middle", "double_surname", "maiden_married", "typo")
DOB_EVASIONS = ("dob_transposed", "dob_day_month")
IDENTIFIER_EVASIONS = ("ssn_different", "ssn_last4", "new_phone", "new_address", "other_state_licence")
EVASIONS = (*NAME_EVASIONS, *DOB_EVASIONS, *IDENTIFIER_EVASIONS, "story", "combined", "combined_dob")
LOOKALIKES = ("spouse", "roommate", "father_son", "twins", "namesake_same_city")
UNRELATED = "unrelated"

STATES = ("TX", "CA", "AZ", "NM", "FL", "IL", "GA", "NC", "OK", "CO", "NV", "TN", "OH", "MI", "WA", "NY")
EMAIL_DOMAINS = ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com")
EMPLOYERS = (
    "Main Street Auto",
    "Quick Lube Express",
    "Precision Collision",
    "Rodriguez Body Shop",
    "AAA Transmission",
    "Big O Tires",
    "Valley Diesel Repair",
    "Sunset Auto Service",
    "Hernandez Mechanic Shop",
    "City Fleet Maintenance",
)


@dataclass
class Person:
    """A listed person: what business A holds about them (identity history included)."""

    person_id: str
    record: PersonRecord
    sex: str  # "m" / "f"
    spanish: bool
    surnames: tuple[str, ...]  # the current name's surnames: two for a Spanish double surname


@dataclass
class Query:
    query_id: str
    kind: str  # an evasion kind, a look-alike kind, or "unrelated"
    record: PersonRecord
    target: str | None  # the listed person it is (evasions) or resembles (look-alikes)
    detail: str = ""  # the evasions combined

    @property
    def group(self) -> str:
        if self.kind in LOOKALIKES:
            return "lookalike"
        return UNRELATED if self.kind == UNRELATED else "evasion"


@dataclass
class Corpus:
    seed: int
    listed: list[Person]
    queries: list[Query]


# --- people -----------------------------------------------------------------------------------------------------


class _Maker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible synthetic people, not secrets
        self.en = Faker("en_US")
        self.es = Faker("es_MX")
        self.en.seed_instance(seed)
        self.es.seed_instance(seed + 1)
        self.nicknames = NickNamer()
        self.counter = 0

    def first_name(self, sex: str, spanish: bool) -> str:
        faker = self.es if spanish else self.en
        while True:
            name = faker.first_name_male() if sex == "m" else faker.first_name_female()
            if " " not in name:  # "José Luis" is first + middle; built below
                return name

    def surname(self, spanish: bool) -> str:
        return (self.es if spanish else self.en).last_name()

    def ssn(self) -> str:
        area = self.rng.choice([n for n in range(1, 900) if n != 666])
        return f"{area:03d}-{self.rng.randint(1, 99):02d}-{self.rng.randint(1, 9999):04d}"

    def phone(self) -> str:
        area = self.rng.choice((210, 214, 312, 405, 480, 505, 512, 602, 713, 817, 915, 956, 305, 404, 702, 919))
        exchange, line = self.rng.randint(200, 999), self.rng.randint(0, 9999)
        return f"({area}) {exchange}-{line:04d}"

    def address(self, state: str | None = None) -> Address:
        return Address(
            street=self.en.street_address(),
            city=self.en.city(),
            state=state or self.rng.choice(STATES),
            zip=self.en.zipcode(),
        )

    def licence(self, state: str) -> DriverLicence:
        number = self.rng.choice(string.ascii_uppercase) + "".join(self.rng.choices(string.digits, k=7))
        return DriverLicence(number=number, state=state)

    def email(self, first: str, last: str) -> str:
        local = f"{fold(first)}.{fold(last).replace(' ', '')}{self.rng.randint(1, 999)}"
        return f"{local}@{self.rng.choice(EMAIL_DOMAINS)}"

    def dob(self, low: int = 1952, high: int = 2004) -> date:
        start = date(low, 1, 1)
        return start + timedelta(days=self.rng.randint(0, (date(high, 12, 31) - start).days))

    def person(self, *, sex: str | None = None, spanish: bool | None = None) -> Person:
        self.counter += 1
        sex = sex or self.rng.choice("mf")
        spanish = self.rng.random() < 0.4 if spanish is None else spanish
        first = self.first_name(sex, spanish)
        middle = self.first_name(sex, spanish) if self.rng.random() < 0.7 else ""
        if middle and hypocorisms.are_related(fold(middle), fold(first)):
            middle = ""
        surnames: tuple[str, ...] = (self.surname(spanish),)
        if spanish and self.rng.random() < 0.5:
            surnames = (*surnames, self.surname(True))
        last = " ".join(surnames)
        names = [PersonName(first, middle, last)]
        if sex == "f" and self.rng.random() < 0.3:  # married: the maiden name stays in the history
            names.insert(0, PersonName(first, middle, self.surname(spanish)))
        address = self.address()
        addresses = [address] + ([self.address()] if self.rng.random() < 0.2 else [])
        phones = [self.phone()] + ([self.phone()] if self.rng.random() < 0.15 else [])
        record = PersonRecord(
            names=list(names),
            date_of_birth=self.dob(),
            ssn=self.ssn(),
            licences=[self.licence(address.state)] if self.rng.random() < 0.8 else [],
            phones=phones,
            emails=[self.email(first, last)] if self.rng.random() < 0.6 else [],
            addresses=addresses,
            employers=[self.rng.choice(EMPLOYERS)] if self.rng.random() < 0.5 else [],
        )
        return Person(f"p{self.counter}", record, sex, spanish, surnames)

    # --- how another business types the same facts -----------------------------------------------------------

    def typed(self, record: PersonRecord) -> PersonRecord:
        rng = self.rng
        upper = rng.random() < 0.3
        plain = rng.random() < 0.5

        def name_text(text: str) -> str:
            text = fold(text) if plain else text
            return text.upper() if upper else (text.title() if plain else text)

        names: list[PersonName | str] = []
        for name in record.parsed_names():
            typed_name = PersonName(name_text(name.first), name_text(name.middle), name_text(name.last), name.suffix)
            if rng.random() < 0.15 and not typed_name.suffix:  # one full-name string, for nameparser
                names.append(" ".join(part for part in (typed_name.first, typed_name.middle, typed_name.last) if part))
            else:
                names.append(typed_name)
        dob = record.date_of_birth
        if isinstance(dob, date):
            dob = rng.choice(
                (dob.isoformat(), dob.strftime("%m/%d/%Y"), dob.strftime("%m-%d-%Y"), dob.strftime("%b %d, %Y"))
            )
        return replace(
            record,
            names=names,
            date_of_birth=dob,
            ssn=record.ssn.replace("-", "") if rng.random() < 0.5 else record.ssn,
            phones=[self._phone_text(phone) for phone in record.phones],
            emails=[email.upper() if upper else email for email in record.emails],
            addresses=[self._address_text(address, upper) for address in record.addresses],
            employers=[employer.upper() if upper else employer for employer in record.employers],
        )

    def _phone_text(self, phone: str) -> str:
        digits = "".join(char for char in phone if char.isdigit())[-10:]
        if len(digits) != 10:
            return phone
        return self.rng.choice(
            (phone, digits, f"{digits[:3]}.{digits[3:6]}.{digits[6:]}", f"+1 {digits[:3]} {digits[3:6]} {digits[6:]}")
        )

    def _address_text(self, address: Address, upper: bool) -> Address:
        street = address.street
        if self.rng.random() < 0.4:
            street = street.replace("Apt. ", "#").replace("Suite ", "Ste ")
        if self.rng.random() < 0.3:
            for long, short in ((" Street", " St"), (" Avenue", " Ave"), (" Drive", " Dr"), (" Road", " Rd")):
                street = street.replace(long, short)
        zip_code = address.zip + f"-{self.rng.randint(1, 9999):04d}" if self.rng.random() < 0.3 else address.zip
        if upper:
            return Address(street.upper(), address.city.upper(), address.state, zip_code)
        return Address(street, address.city, address.state, zip_code)


# --- evasions ---------------------------------------------------------------------------------------------------


def _current(record: PersonRecord) -> PersonName:
    return record.parsed_names()[-1]


def _applicant(record: PersonRecord, name: PersonName) -> PersonRecord:
    """What the skip gives the next business: one name, his current contact points."""
    return replace(
        record,
        names=[name],
        phones=record.phones[-1:],
        addresses=record.addresses[:1],
        emails=record.emails[:1],
        employers=record.employers[:1],
    )


def _nickname_of(maker: _Maker, first: str) -> str | None:
    word = fold(first)
    options = set(maker.nicknames.nicknames_of(word))
    options |= {nick for nick, formals in hypocorisms.SPANISH.items() if word in formals}
    options = {nick for nick in options if len(nick) > 2 and nick != word}
    return maker.rng.choice(sorted(options)).title() if options else None


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    position = rng.randrange(1, len(word) - 1)
    action = rng.choice(("substitute", "delete", "insert", "transpose"))
    letter = rng.choice(string.ascii_lowercase)
    if action == "substitute":
        return word[:position] + letter + word[position + 1 :]
    if action == "delete":
        return word[:position] + word[position + 1 :]
    if action == "insert":
        return word[:position] + letter + word[position:]
    return word[: position - 1] + word[position] + word[position - 1] + word[position + 1 :]


def _dob_change(rng: random.Random, dob: date, kind: str) -> date | None:
    if kind == "dob_day_month":
        if dob.day > 12 or dob.day == dob.month:
            return None
        return date(dob.year, dob.day, dob.month)
    digits = dob.strftime("%Y%m%d")
    for _ in range(20):
        i = rng.choice((2, 4, 6))  # the year's last two digits, the month's, the day's
        swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
        try:
            changed = date(int(swapped[:4]), int(swapped[4:6]), int(swapped[6:]))
        except ValueError:
            continue
        if changed != dob and 1900 < changed.year <= 2010:
            return changed
    return None


def _evade(maker: _Maker, person: Person, kind: str, record: PersonRecord) -> PersonRecord | None:
    """Apply one evasion to `record` (an applicant built from `person`); None when it does not apply."""
    rng = maker.rng
    name = _current(record)
    if kind == "nickname":
        nick = _nickname_of(maker, name.first)
        return replace(record, names=[replace(name, first=nick)]) if nick else None
    if kind == "middle_name":
        return replace(record, names=[replace(name, first=name.middle, middle="")]) if name.middle else None
    if kind == "first_middle":
        return replace(record, names=[PersonName(name.first, "", name.middle)]) if name.middle else None
    if kind == "double_surname":
        if len(person.surnames) > 1:
            return replace(record, names=[replace(name, last=rng.choice(person.surnames))])
        return replace(record, names=[replace(name, last=f"{name.last}-{maker.surname(person.spanish)}")])
    if kind == "maiden_married":
        listed_names = person.record.parsed_names()
        if len(listed_names) < 2:
            return None
        return replace(record, names=[listed_names[0]])  # the maiden name, from the listed history
    if kind == "typo":
        if rng.random() < 0.5:
            return replace(record, names=[replace(name, first=_typo(rng, name.first))])
        parts = name.last.split()
        parts[0] = _typo(rng, parts[0])
        return replace(record, names=[replace(name, last=" ".join(parts))])
    if kind in DOB_EVASIONS:
        assert isinstance(record.date_of_birth, date)
        changed = _dob_change(rng, record.date_of_birth, kind)
        return replace(record, date_of_birth=changed) if changed else None
    if kind == "ssn_different":
        return replace(record, ssn=maker.ssn())
    if kind == "ssn_last4":
        return replace(record, ssn=record.ssn[-4:])
    if kind == "new_phone":
        return replace(record, phones=[maker.phone()])
    if kind == "new_address":
        return replace(record, addresses=[maker.address()], emails=[], employers=[])
    if kind == "other_state_licence":
        state = rng.choice([state for state in STATES if not record.licences or state != record.licences[0].state])
        return replace(record, licences=[maker.licence(state)])
    raise ValueError(kind)


def _story(maker: _Maker, person: Person, record: PersonRecord) -> PersonRecord | None:
    """The issue's mechanic: first and middle name, another SSN, new phone, new address two states away."""
    name = _current(record)
    if not name.middle:
        return None
    far_state = maker.rng.choice(STATES)
    return replace(
        record,
        names=[PersonName(name.first, "", name.middle)],
        ssn=maker.ssn(),
        phones=[maker.phone()],
        addresses=[maker.address(far_state)],
        licences=[maker.licence(far_state)],
        emails=[],
        employers=[maker.rng.choice(EMPLOYERS)],
    )


def _combined(
    maker: _Maker, person: Person, record: PersonRecord, *, with_dob: bool
) -> tuple[PersonRecord, str] | None:
    """The story with any name evasion: one name evasion, every identifier new (SSN, phone, address, licence),
    and with `with_dob` a slip in the date of birth as well: only the name (evaded) and the date are left."""
    rng = maker.rng
    kinds = [rng.choice(NAME_EVASIONS)]
    if with_dob:
        kinds.append(rng.choice(DOB_EVASIONS))
    kinds += ["ssn_different", "new_phone", "new_address", "other_state_licence"]
    for kind in kinds:
        changed = _evade(maker, person, kind, record)
        if changed is None:
            return None
        record = changed
    return record, "+".join(kinds)


# --- look-alikes --------------------------------------------------------------------------------------------------


def _unrelated_first(maker: _Maker, sex: str, spanish: bool, others: list[str]) -> str:
    taken = [word for other in others for word in name_words(other)]
    while True:
        candidate = maker.first_name(sex, spanish)
        if not any(hypocorisms.are_related(fold(candidate), word) for word in taken):
            return candidate


def _lookalike(maker: _Maker, person: Person, kind: str) -> PersonRecord | None:
    rng = maker.rng
    listed = person.record
    name = _current(listed)
    dob = listed.date_of_birth
    assert isinstance(dob, date)
    other = maker.person(spanish=person.spanish).record  # a fresh identity to borrow the rest from
    # what a household shares: the address, and the home phone more often than not
    other = replace(other, addresses=listed.addresses[:1], phones=listed.phones[:1] if rng.random() < 0.7 else [])
    if kind == "spouse":
        sex = "f" if person.sex == "m" else "m"
        first = _unrelated_first(maker, sex, person.spanish, [name.first, name.middle])
        spouse_dob = dob + timedelta(days=rng.choice((-1, 1)) * rng.randint(200, 3000))
        return replace(other, names=[PersonName(first, "", name.last)], date_of_birth=spouse_dob)
    if kind == "roommate":
        roommate_dob = dob + timedelta(days=rng.choice((-1, 1)) * rng.randint(100, 4000))
        return replace(other, date_of_birth=roommate_dob)
    if kind == "father_son":
        gap = timedelta(days=rng.randint(20 * 365, 40 * 365))
        older = rng.random() < 0.5  # the applicant is the father of the listed son, or his son
        relative_dob = dob - gap if older else dob + gap
        if relative_dob.year > 2008:
            relative_dob, older = dob - gap, True
        suffix = rng.choice(("Sr.", "")) if older else "Jr."
        employers = listed.employers if rng.random() < 0.3 else other.employers
        return replace(
            other,
            names=[PersonName(name.first, name.middle, name.last, suffix)],
            date_of_birth=relative_dob,
            employers=employers,
        )
    if kind == "twins":
        sex = rng.choice("mf")
        first = _unrelated_first(maker, sex, person.spanish, [name.first, name.middle])
        return replace(other, names=[PersonName(first, "", name.last)], date_of_birth=dob)
    if kind == "namesake_same_city":
        address = replace(maker.address(), city=listed.addresses[0].city, state=listed.addresses[0].state)
        return replace(
            other, names=[PersonName(name.first, "", name.last)], addresses=[address], phones=[maker.phone()]
        )
    raise ValueError(kind)


# --- the corpus -----------------------------------------------------------------------------------------------


def _evade_applicant(maker: _Maker, kind: str, person: Person) -> PersonRecord | None:
    return _evade(maker, person, kind, _applicant(person.record, _current(person.record)))


def _lookalike_of(maker: _Maker, kind: str, person: Person) -> PersonRecord | None:
    return _lookalike(maker, person, kind)


def make_corpus(seed: int, *, listed: int = 600, per_kind: int = 40, unrelated: int = 200) -> Corpus:
    maker = _Maker(seed)
    people = [maker.person() for _ in range(listed)]
    queries: list[Query] = []

    def add(kind: str, build: Callable[[Person], tuple[PersonRecord, str] | PersonRecord | None]) -> None:
        made, attempts = 0, 0
        while made < per_kind and attempts < per_kind * 50:
            attempts += 1
            person = maker.rng.choice(people)
            built = build(person)
            if built is None:
                continue
            record, detail = built if isinstance(built, tuple) else (built, "")
            made += 1
            queries.append(Query(f"{kind}-{made}", kind, maker.typed(record), person.person_id, detail))

    def applicant(person: Person) -> PersonRecord:
        return _applicant(person.record, _current(person.record))

    for kind in (*NAME_EVASIONS, *DOB_EVASIONS, *IDENTIFIER_EVASIONS):
        add(kind, partial(_evade_applicant, maker, kind))
    add("story", lambda person: _story(maker, person, applicant(person)))
    add("combined", lambda person: _combined(maker, person, applicant(person), with_dob=False))
    add("combined_dob", lambda person: _combined(maker, person, applicant(person), with_dob=True))
    for kind in LOOKALIKES:
        add(kind, partial(_lookalike_of, maker, kind))
    for number in range(unrelated):
        queries.append(Query(f"unrelated-{number}", UNRELATED, maker.typed(maker.person().record), None))
    return Corpus(seed, people, queries)


# --- evaluation -------------------------------------------------------------------------------------------------


@dataclass
class KindCount:
    kind: str
    group: str
    queries: int = 0
    strong: int = 0  # the target (or, for unrelated, anyone) at band strong
    possible: int = 0  # ... at possible or better
    other_hits: int = 0  # listed persons other than the target at possible or better

    @property
    def rate(self) -> float:
        """Recall for evasions; false-positive rate for look-alikes and unrelated people."""
        return self.possible / self.queries if self.queries else 0.0


@dataclass
class Evaluation:
    counts: dict[str, KindCount] = field(default_factory=dict)
    pairs_compared: int = 0
    blocking_misses: int = 0  # queries that match their target when compared but share no blocking key with it

    def rate(self, group: str) -> float:
        selected = [count for count in self.counts.values() if count.group == group]
        queries = sum(count.queries for count in selected)
        return sum(count.possible for count in selected) / queries if queries else 0.0

    def false_hits(self) -> int:
        """Queries matched to a listed person they are not (any kind)."""
        return sum(count.other_hits for count in self.counts.values())

    def table(self) -> str:
        lines = [
            f"{'kind':<22} {'group':<10} {'queries':>7} {'strong':>7} {'possible+':>9} {'rate':>6} {'wrong hits':>10}",
        ]
        for count in self.counts.values():
            lines.append(
                f"{count.kind:<22} {count.group:<10} {count.queries:>7} {count.strong:>7} {count.possible:>9} "
                f"{count.rate:>6.2f} {count.other_hits:>10}"
            )
        evasions = [count for count in self.counts.values() if count.group == "evasion"]
        others = [count for count in self.counts.values() if count.group != "evasion"]
        found = sum(count.possible for count in evasions)
        alerted = sum(count.possible for count in others)
        lines += [
            "",
            f"{'confusion':<22} {'matched':>9} {'not matched':>12}",
            f"{'same person (evasion)':<22} {found:>9} {sum(c.queries for c in evasions) - found:>12}",
            f"{'someone else':<22} {alerted:>9} {sum(c.queries for c in others) - alerted:>12}",
            "",
        ]
        lines.append(
            f"evasion recall {self.rate('evasion'):.3f}; look-alike false positives {self.rate('lookalike'):.3f}; "
            f"unrelated false positives {self.rate(UNRELATED):.3f}; wrong hits {self.false_hits()}; "
            f"{self.pairs_compared:,} pairs compared; {self.blocking_misses} matches lost to blocking"
        )
        return "\n".join(lines)


def evaluate(corpus: Corpus, key: bytes, *, frequencies: Frequencies | None = None) -> Evaluation:
    """Screen every query of `corpus` against an Index of its listed persons, encoded under `key`."""
    index = Index()
    listed = {person.person_id: encode(person.record, key) for person in corpus.listed}
    for person_id, features in listed.items():
        index.add(person_id, features)
    result = Evaluation()
    for query in corpus.queries:
        count = result.counts.setdefault(query.kind, KindCount(query.kind, query.group))
        count.queries += 1
        features = encode(query.record, key)
        candidates = {person_id for person_id, _ in index.candidates(features)}
        result.pairs_compared += len(candidates)
        if query.target is not None and query.target not in candidates:
            result.blocking_misses += compare(features, listed[query.target], frequencies=frequencies).is_match
        hits = index.screen(features, frequencies=frequencies, min_band=BAND_POSSIBLE)
        # evasions and look-alikes: a hit on the person they are or resemble; unrelated people: a hit on anyone
        on_target = [hit for hit in hits if query.target is None or hit.record_id == query.target]
        if on_target:
            count.possible += 1
            count.strong += any(hit.result.band == BAND_STRONG for hit in on_target)
        count.other_hits += sum(1 for hit in hits if query.target is not None and hit.record_id != query.target)
    return result


__all__ = ["EVASIONS", "LOOKALIKES", "UNRELATED", "Corpus", "Evaluation", "Query", "evaluate", "make_corpus"]
