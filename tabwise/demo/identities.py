"""Step 4, second part: the identity history of the demo customers, as a real file of them would have it.

People moved (an ended address, the new one in use since the move), changed their mobile number (the old one ended),
married (a birth name kept as an earlier name), go by a nickname (an alias), changed jobs (an ended employer). Most
people have a driver's license in their state's format, and most on account an SSN: random numbers in the SSN's
valid ranges, encrypted like any other. Companies have none.

Everything draws from its own random streams (`run.rng(slug, "identity")`), so the customers, phones and addresses
drawn before stay exactly as they were; new phone numbers and addresses follow the same rules as theirs (555
exchange, the region's real towns and ZIPs). Nothing here calls a service: the rows go in with the customers'.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from tabwise.core import bulk
from tabwise.customers import crypto
from tabwise.customers.models import Address, Customer, EarlierName, Employer, IdentityDocument, Phone
from tabwise.customers.parsing import normalised_street
from tabwise.demo.businesses import REFERENCE_YEAR

if TYPE_CHECKING:
    from faker import Faker

    from tabwise.demo.customers import _Builder, _Draft

# Nicknames people go by (an alias on file): first names the demo's fakers draw, English and Spanish.
NICKNAMES = {
    "William": "Bill", "Robert": "Bob", "Richard": "Rick", "James": "Jim", "Michael": "Mike", "Thomas": "Tom",
    "Joseph": "Joe", "Charles": "Chuck", "Christopher": "Chris", "Daniel": "Dan", "Matthew": "Matt",
    "Anthony": "Tony", "Edward": "Ed", "Steven": "Steve", "Kenneth": "Ken", "Timothy": "Tim", "Ronald": "Ron",
    "Elizabeth": "Liz", "Jennifer": "Jen", "Katherine": "Kate", "Margaret": "Peggy", "Patricia": "Patty",
    "José": "Pepe", "Francisco": "Paco", "Jesús": "Chuy", "Guadalupe": "Lupe", "Alejandro": "Alex",
    "Eduardo": "Lalo", "Ignacio": "Nacho", "Roberto": "Beto", "Alberto": "Beto", "Enrique": "Kike",
}  # fmt: skip
POSITIONS = ("Mechanic", "Lead technician", "Diesel technician", "Body technician", "Service writer", "Apprentice")
OFFICE_POSITIONS = ("Nurse", "Clerk", "Engineer", "Teacher", "Analyst", "Technician", "Manager", "Driver")


@dataclass
class IdentityRows:
    """What one business's identity history adds, saved by `customers._Builder.save`."""

    names: list[EarlierName] = field(default_factory=list)
    employers: list[Employer] = field(default_factory=list)
    documents: list[IdentityDocument] = field(default_factory=list)


def _ssn(rng: random.Random, used: set[str]) -> str:
    while True:
        area = rng.choice([rng.randint(1, 665), rng.randint(667, 899)])
        digits = f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"
        if digits not in used:
            used.add(digits)
            return digits


def _licence(rng: random.Random, state: str, last_name: str) -> str:
    """A number in the state's format (see customers.parsing.LICENCE_FORMATS)."""
    letter = (last_name[:1] or "X").upper()
    letter = letter if "A" <= letter <= "Z" else "X"

    def digits(n: int) -> str:
        return "".join(str(rng.randrange(10)) for _ in range(n))

    formats = {
        "IL": lambda: letter + digits(11),
        "IN": lambda: digits(10),
        "OH": lambda: rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") + rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") + digits(6),
        "KY": lambda: letter + digits(8),
        "MI": lambda: letter + digits(12),
        "TX": lambda: digits(8),
        "LA": lambda: digits(9),
    }
    return formats.get(state, lambda: digits(9))()


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 1)))


class _History:
    """One business's identity history, drawn from the streams of its own purpose."""

    def __init__(self, builder: _Builder) -> None:
        self.builder = builder
        self.business = builder.business
        self.rng = builder.run.rng(builder.spec.slug, "identity")
        self.faker: Faker = builder.run.faker("en_US", builder.spec.slug, "identity")
        self.faker_es: Faker = builder.run.faker("es_MX", builder.spec.slug, "identity")
        self.today = builder.run.today
        self.rows = IdentityRows()
        self._ssns: set[str] = set()

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def phone_number(self) -> str:
        """A number like the builder's (the region's area codes, the 555 exchange), never one already used."""
        from tabwise.demo.customers import e164

        codes = self.builder.region.area_codes
        while True:
            line = self.rng.randrange(120, 10_000)
            code = self.rng.choices([c for c, _ in codes], weights=[w for _, w in codes])[0]
            number = e164(f"+1{code}555{line:04d}")
            if line != 1212 and number not in self.builder._used_numbers:
                self.builder._used_numbers.add(number)
                return number

    def old_address(self, draft: _Draft, moved_on: date) -> Address:
        place = self.rng.choices(self.builder.region.places, weights=[p.weight for p in self.builder.region.places])[0]
        street = f"{self.faker.building_number()} {self.faker.street_name()}"
        house, street_name, unit = normalised_street(street)
        return Address(
            business=self.business,
            customer=draft.customer,
            street=street,
            city=place.city,
            state=self.builder.region.state,
            zip_code=self.rng.choice(place.zips),
            house_number=house,
            street_name=street_name,
            unit=unit,
            is_primary=False,
            valid_from=_day_between(self.rng, moved_on - timedelta(days=3650), moved_on - timedelta(days=200)),
            valid_to=moved_on,
        )

    def person(self, draft: _Draft) -> None:
        customer = draft.customer
        rng = self.rng
        since = date(REFERENCE_YEAR - 4, 1, 1)
        if draft.addresses and self.chance(0.18):  # moved in the last few years
            moved_on = _day_between(rng, since, self.today - timedelta(days=30))
            draft.addresses[0].valid_from = moved_on
            draft.addresses.append(self.old_address(draft, moved_on))
        mobiles = [p for p in draft.phones if p.type == Phone.Type.MOBILE]
        if mobiles and self.chance(0.14):  # a new mobile number; the old one is kept, ended
            changed_on = _day_between(rng, since, self.today - timedelta(days=14))
            mobiles[0].valid_from = changed_on
            draft.phones.append(
                Phone(
                    business=self.business,
                    customer=customer,
                    number=self.phone_number(),
                    type=Phone.Type.MOBILE,
                    valid_to=changed_on,
                )
            )
        self.names(draft)
        self.employers(draft)
        self.documents(customer)

    def names(self, draft: _Draft) -> None:
        customer = draft.customer
        born = customer.date_of_birth
        if born is not None and born.year <= REFERENCE_YEAR - 24 and draft.male is False and self.chance(0.3):
            married_on = _day_between(self.rng, date(born.year + 20, 1, 1), self.today - timedelta(days=60))
            faker = self.faker_es if self.rng.random() < self.builder.region.hispanic_share else self.faker
            maiden = faker.last_name()
            self.rows.names.append(
                EarlierName(
                    business=self.business,
                    customer=customer,
                    kind=EarlierName.Kind.BIRTH,
                    first_name=customer.first_name,
                    middle_name=customer.middle_name,
                    last_name=maiden,
                    valid_from=born,
                    valid_to=married_on,
                )
            )
        nickname = NICKNAMES.get(customer.first_name)
        if nickname and self.chance(0.25):
            self.rows.names.append(
                EarlierName(
                    business=self.business,
                    customer=customer,
                    kind=EarlierName.Kind.ALIAS,
                    first_name=nickname,
                    last_name=customer.last_name,
                    suffix=customer.suffix,
                    note="Goes by it at the shop",
                )
            )

    def employers(self, draft: _Draft) -> None:
        customer = draft.customer
        if not customer.employer:
            return
        mechanic = self.builder.spec.slug == "ridgeline-tools"
        position = self.rng.choice(POSITIONS if mechanic else OFFICE_POSITIONS)
        started = _day_between(self.rng, date(REFERENCE_YEAR - 12, 1, 1), self.today - timedelta(days=90))
        self.rows.employers.append(
            Employer(
                business=self.business,
                customer=customer,
                name=customer.employer,
                position=position,
                valid_from=started,
            )
        )
        if mechanic and self.chance(0.2):  # the shop before this one
            from tabwise.demo import data

            before = f"{self.rng.choice(data.SHOP_PLACES)} {self.rng.choice(data.SHOP_KINDS)}"
            if before != customer.employer:
                self.rows.employers.append(
                    Employer(
                        business=self.business,
                        customer=customer,
                        name=before,
                        position=self.rng.choice(POSITIONS),
                        valid_from=started - timedelta(days=self.rng.randint(400, 2500)),
                        valid_to=started,
                    )
                )

    def documents(self, customer: Customer) -> None:
        if self.chance(0.8):
            state = self.builder.region.state
            if self.builder.region.neighbour_states and self.chance(0.05):
                state = self.rng.choice(self.builder.region.neighbour_states)
            self.rows.documents.append(
                IdentityDocument(
                    business=self.business,
                    customer=customer,
                    kind=IdentityDocument.Kind.DRIVERS_LICENCE,
                    number=_licence(self.rng, state, customer.last_name),
                    state=state,
                    expires_on=_day_between(
                        self.rng, self.today + timedelta(days=30), self.today + timedelta(days=2000)
                    ),
                )
            )
        if customer.is_ar and self.chance(0.85):
            digits = _ssn(self.rng, self._ssns)
            self.rows.documents.append(
                IdentityDocument(
                    business=self.business,
                    customer=customer,
                    kind=IdentityDocument.Kind.SSN,
                    secret=crypto.encrypt(digits),
                    digest=crypto.digest(digits),
                    last4=digits[-4:],
                )
            )


def insert(rows: IdentityRows) -> None:
    """Earlier names, employers and documents of customers just saved: one fast insert per table and, as for the
    ledger's rows (decision 0004), no "created by the demo" history row; later real changes write history as usual."""
    bulk.insert(
        EarlierName,
        ("business_id", "customer_id", "kind", "first_name", "middle_name", "last_name", "suffix", "note",
         "valid_from", "valid_to"),
        [(n.business_id, n.customer.pk, n.kind, n.first_name, n.middle_name, n.last_name, n.suffix, n.note,
          n.valid_from, n.valid_to) for n in rows.names],
    )  # fmt: skip
    bulk.insert(
        Employer,
        ("business_id", "customer_id", "name", "position", "valid_from", "valid_to"),
        [(e.business_id, e.customer.pk, e.name, e.position, e.valid_from, e.valid_to) for e in rows.employers],
    )
    bulk.insert(
        IdentityDocument,
        ("business_id", "customer_id", "kind", "number", "state", "expires_on", "secret", "digest", "last4"),
        [(d.business_id, d.customer.pk, d.kind, d.number, d.state, d.expires_on, d.secret, d.digest, d.last4)
         for d in rows.documents],
    )  # fmt: skip


def draw(builder: _Builder) -> IdentityRows:
    """The identity history of the builder's people (contact points are added to their drafts in place)."""
    history = _History(builder)
    for draft in builder.drafts:
        if draft.customer.kind == Customer.Kind.PERSON:
            history.person(draft)
        elif draft.customer.employer:
            history.employers(draft)
    return history.rows
