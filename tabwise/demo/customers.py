"""Step 4: about 2,000 realistic customers with phones, emails, addresses, SMS consent and (for the shop) vehicles,
and their identity history (`demo.identities`: moves, new numbers, birth names, aliases, employers, licences, SSNs).

Phone numbers use the region's real area codes with the 555 exchange, and emails use reserved example domains,
so no demo message can ever reach a real person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import phonenumbers

from tabwise.core import audit, bulk
from tabwise.core.models import Sequence as NumberSequence
from tabwise.core.tenancy import TenantModel, business_scope
from tabwise.customers import search, vin
from tabwise.customers.models import Address, Customer, EarlierName, Email, Phone, SearchKey, Vehicle
from tabwise.demo import data, identities, vehicles
from tabwise.demo.behaviour import status_for
from tabwise.demo.businesses import BUSINESSES, REFERENCE_YEAR, DemoBusiness, split_customers
from tabwise.demo.run import DemoRun
from tabwise.notifications.models import SmsConsent
from tabwise.tenants.models import Business
from tabwise.users.models import Level, User

CHUNK = 1000  # rows per bulk_create (each also writes its history rows)

T = TypeVar("T")


def create_customers(run: DemoRun) -> None:
    """Customers with phones, emails, addresses, SMS consent and (for the shop) vehicles, per business."""
    makers: dict[Business.Kind, Callable[[_Builder, int], None]] = {
        Business.Kind.TOOL_DISTRIBUTOR: _mechanics,
        Business.Kind.AUTO_SERVICE: _shop_customers,
        Business.Kind.WHOLESALER: _wholesale_customers,
    }
    for spec, count in zip(BUSINESSES, split_customers(run.customer_total), strict=True):
        run.say(f"{spec.name}: {count:,} customers...")
        builder = _Builder(run, spec)
        makers[spec.kind](builder, count)
        builder.save()


# --- building customers ----------------------------------------------------------------------------------------


@dataclass
class _Draft:
    """One customer before it is saved, with its contact points and vehicles."""

    customer: Customer
    male: bool | None = None  # a person's, as drawn (the identity history gives some women a birth name)
    phones: list[Phone] = field(default_factory=list)
    emails: list[Email] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    vehicles: list[Vehicle] = field(default_factory=list)
    family_main: _Draft | None = None  # a spouse who buys on the partner's account


@dataclass(frozen=True)
class _Home:
    street: str
    line2: str
    city: str
    state: str
    zip_code: str
    landline: str  # "" when the household has none


@dataclass(frozen=True)
class _Name:
    first: str
    middle: str
    last: str
    hispanic: bool
    male: bool


_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
_PLATE_FORMATS = {"OH": "LLLDDDD", "MI": "LLLDDDD", "KY": "DDDLLL", "IN": "DDDLLL"}
_PLATE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def e164(raw: str) -> str:
    number = phonenumbers.parse(raw, "US")
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"not a valid US number: {raw}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_FAKER_TYPOS = {"Jos": "José", "José Manuél": "José Manuel", "Rodríquez": "Rodríguez"}


def _fix(name: str) -> str:
    return _FAKER_TYPOS.get(name, name)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


class _Builder:
    """Draws one business's customers from its own seeded streams and saves them in bulk."""

    def __init__(self, run: DemoRun, spec: DemoBusiness) -> None:
        self.run = run
        self.spec = spec
        self.region = spec.region
        self.business = run.businesses[spec.slug]
        self.users = run.users[spec.slug]
        self.rng = run.rng(spec.slug, "customers")
        self.en = run.faker("en_US", spec.slug, "customers")
        self.es = run.faker("es_MX", spec.slug, "customers")
        self.drafts: list[_Draft] = []
        self._used_numbers = {spec.phone, spec.sms_number}
        self._used_emails: set[str] = set()
        self._used_plates: set[str] = set()
        self._used_companies: set[str] = set()

    # -- small draws --

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def weighted(self, pairs: Sequence[tuple[T, int]]) -> T:
        return self.rng.choices([item for item, _ in pairs], weights=[weight for _, weight in pairs])[0]

    def phone_number(self) -> str:
        """A new number in the region: a real area code, the 555 exchange (never a real subscriber)."""
        while True:
            line = self.rng.randrange(120, 10_000)
            if line == 1212:  # directory assistance
                continue
            number = e164(f"+1{self.weighted(self.region.area_codes)}555{line:04d}")
            if number not in self._used_numbers:
                self._used_numbers.add(number)
                return number

    def email(self, first: str, last: str, domain: str | None = None) -> str:
        first_part, last_part = _ascii(first) or "info", _ascii(last) or "mail"
        rng = self.rng
        patterns = [
            f"{first_part}.{last_part}",
            f"{first_part}{last_part}",
            f"{first_part[0]}{last_part}",
            f"{first_part}.{last_part}{rng.randint(1, 99)}",
            f"{first_part}{last_part}{rng.randint(60, 99)}",
            f"{last_part}{first_part[0]}",
            f"{first_part}_{last_part}",
        ]
        local = rng.choice(patterns)
        while True:
            address = f"{local}@{domain or rng.choice(_EMAIL_DOMAINS)}"
            if address not in self._used_emails:
                self._used_emails.add(address)
                return address
            local = f"{local}{rng.randint(1, 9)}"

    def name(self, *, male: bool, hispanic: bool | None = None, last: str | None = None) -> _Name:
        if hispanic is None:
            hispanic = self.chance(self.region.hispanic_share)
        faker = self.es if hispanic else self.en
        first = _fix(faker.first_name_male() if male else faker.first_name_female())
        draw = self.rng.random()
        middle = ""
        if draw < 0.45 and " " not in first:  # "José Luis" already has two names
            middle = _fix(faker.first_name_male() if male else faker.first_name_female()).split()[0]
            middle = middle if draw < 0.30 else middle[0]  # a full middle name or just the initial
        return _Name(first=first, middle=middle, last=last or _fix(faker.last_name()), hispanic=hispanic, male=male)

    def home(self, *, landline: float = 0.12) -> _Home:
        place = self.weighted([(p, p.weight) for p in self.region.places])
        return _Home(
            street=f"{self.en.building_number()} {self.en.street_name()}",
            line2=self.en.secondary_address() if self.chance(0.10) else "",
            city=place.city,
            state=self.region.state,
            zip_code=self.rng.choice(place.zips),
            landline=self.phone_number() if self.chance(landline) else "",
        )

    def date_of_birth(self, age_from: int, age_to: int) -> date:
        start = date(REFERENCE_YEAR - age_to - 1, 1, 1)
        return start + timedelta(days=self.rng.randrange((age_to - age_from + 1) * 365))

    def credit_limit(self, low: int, high: int, step: int) -> Decimal:
        steps = (high - low) // step
        return Decimal(low + step * int(self.rng.triangular(0, steps + 1, steps / 4))).quantize(Decimal("0.01"))

    def language(self, name: _Name) -> str:
        return "es" if name.hispanic and self.chance(0.55) else "en"

    def company_name(self, places: Sequence[str], kinds: Sequence[str]) -> str:
        rng = self.rng
        while True:
            kind = rng.choice(kinds)
            form = rng.random()
            if form < 0.6:
                name = f"{rng.choice(places)} {kind}{rng.choice(data.COMPANY_ENDINGS)}"
            elif form < 0.8:
                name = f"{self.en.last_name()} {kind}{rng.choice(data.COMPANY_ENDINGS)}"
            elif form < 0.9:
                name = f"{_fix(self.es.last_name())} {kind}{rng.choice(data.COMPANY_ENDINGS)}"
            else:
                name = f"{self.en.last_name()} & Sons {kind}"
            if name not in self._used_companies:
                self._used_companies.add(name)
                return name

    # -- customers --

    def person(
        self,
        name: _Name,
        *,
        suffix: str = "",
        date_of_birth: date | None,
        home: _Home | None,
        language: str,
        employer: str = "",
        is_ar: bool = True,
        credit_limit: Decimal = Decimal("0.00"),
        rep: User | None = None,
        mobile: float = 0.95,
        email: float = 0.8,
    ) -> _Draft:
        draft = self._draft(
            Customer(
                business=self.business,
                kind=Customer.Kind.PERSON,
                first_name=name.first,
                middle_name=name.middle,
                last_name=name.last,
                suffix=suffix,
                date_of_birth=date_of_birth,
                employer=employer,
                is_ar=is_ar,
                credit_limit=credit_limit,
                preferred_language=language,
                assigned_rep=rep,
                notes=self.rng.choice(data.CUSTOMER_NOTES) if is_ar and self.chance(0.05) else "",
            )
        )
        draft.male = name.male
        if self.chance(mobile):
            self.add_phone(draft, self.phone_number(), Phone.Type.MOBILE)
        if home is not None:
            self.add_address(draft, home)
            if home.landline:
                self.add_phone(draft, home.landline, Phone.Type.HOME)
        if self.chance(email):
            self.add_email(draft, self.email(name.first, name.last))
        return draft

    def company(
        self, company_name: str, *, credit_limit: Decimal, rep: User | None, mobile: float = 0.6
    ) -> tuple[_Draft, _Name]:
        contact = self.name(male=self.chance(0.7))
        draft = self._draft(
            Customer(
                business=self.business,
                kind=Customer.Kind.COMPANY,
                company_name=company_name,
                first_name=contact.first,
                last_name=contact.last,
                is_ar=True,
                credit_limit=credit_limit,
                preferred_language=self.language(contact),
                assigned_rep=rep,
            )
        )
        self.add_phone(draft, self.phone_number(), Phone.Type.WORK)
        if self.chance(mobile):
            self.add_phone(draft, self.phone_number(), Phone.Type.MOBILE)
        domain = _ascii(re.sub(r"\b(LLC|Inc|Co)\b\.?", "", company_name)) + ".example"
        if self.chance(0.92):
            local = self.rng.choice(["ap", "accounts", "office", "service", _ascii(contact.first)])
            self.add_email(draft, self._company_email(local, domain))
        home = self.home(landline=0)
        suite = f"Suite {self.rng.randint(1, 30) * 10}" if self.chance(0.3) else ""
        self.add_address(draft, _Home(home.street, suite, home.city, home.state, home.zip_code, ""))
        return draft, contact

    def _company_email(self, local: str, domain: str) -> str:
        address = f"{local}@{domain}"
        while address in self._used_emails:
            address = f"{local}{self.rng.randint(1, 9)}@{domain}"
        self._used_emails.add(address)
        return address

    def _draft(self, customer: Customer) -> _Draft:
        draft = _Draft(customer)
        self.drafts.append(draft)
        return draft

    def add_phone(self, draft: _Draft, number: str, type_: str) -> None:
        draft.phones.append(
            Phone(
                business=self.business, customer=draft.customer, number=number, type=type_, is_primary=not draft.phones
            )
        )

    def add_email(self, draft: _Draft, address: str) -> None:
        draft.emails.append(
            Email(business=self.business, customer=draft.customer, address=address, is_primary=not draft.emails)
        )

    def add_address(self, draft: _Draft, home: _Home) -> None:
        draft.addresses.append(
            Address(
                business=self.business,
                customer=draft.customer,
                street=home.street,
                line2=home.line2,
                city=home.city,
                state=home.state,
                zip_code=home.zip_code,
                is_primary=not draft.addresses,
            )
        )

    def add_vehicle(self, draft: _Draft, *, fleet: bool = False) -> None:
        model = self.weighted([(m, m.weight) for m in (vehicles.FLEET if fleet else vehicles.CARS)])
        low, high = max(model.first_year, 2008 if not fleet else 2014), model.last_year
        year = min(high, max(low, round(self.rng.triangular(low, high, high - 4))))
        age = max(REFERENCE_YEAR - year, 0)
        per_year = self.rng.gauss(22_000 if fleet else 12_000, 3_000)
        state = self.region.state
        if not fleet and self.region.neighbour_states and self.chance(0.07):
            state = self.rng.choice(self.region.neighbour_states)
        number = vehicles.make_vin(self.rng, model, year)
        decoded = vin.decode(number)  # what the vehicle form fills in from a typed VIN
        draft.vehicles.append(
            Vehicle(
                business=self.business,
                customer=draft.customer,
                vin=number,
                manufacturer=decoded.manufacturer,
                country=decoded.country,
                plate=self.plate(state),
                plate_state=state,
                year=year,
                make=model.make,
                model=model.model,
                mileage=max(int(age * per_year) + self.rng.randint(500, 9_000), 1_000),
                is_fleet=fleet,
                is_active=fleet or self.chance(0.93),
            )
        )

    def plate(self, state: str) -> str:
        while True:
            plate = "".join(
                self.rng.choice(_PLATE_LETTERS) if c == "L" else str(self.rng.randrange(10))
                for c in _PLATE_FORMATS.get(state, "LLLDDDD")
            )
            if plate not in self._used_plates:
                self._used_plates.add(plate)
                return plate

    # -- numbering, status and saving --

    def save(self) -> None:
        """Number the customers in a shuffled order (households rarely open accounts together), then save all."""
        run, rng = self.run, self.rng
        rng.shuffle(self.drafts)
        number = self.spec.first_number - 1
        for draft in self.drafts:
            number += 2 if rng.random() < 0.06 else 1  # a few numbers were used by accounts since deleted
            customer = draft.customer
            customer.number = str(number)
            customer.status = status_for(customer.number, run.seed, is_ar=customer.is_ar)
        consents = self._sms_consents()
        history = identities.draw(self)  # its own streams; ended phones and addresses join the drafts
        with business_scope(self.business):
            customers = [d.customer for d in self.drafts]
            _bulk(Customer, customers)
            members = []
            for draft in self.drafts:
                if draft.family_main is not None:
                    draft.customer.family_main = draft.family_main.customer
                    draft.customer.family_relationship = Customer.Relationship.SPOUSE
                    members.append(draft.customer)
            Customer.objects.bulk_update(members, ["family_main", "family_relationship"])
            for model, rows in (
                (Phone, [p for d in self.drafts for p in d.phones]),
                (Email, [e for d in self.drafts for e in d.emails]),
                (Address, [a for d in self.drafts for a in d.addresses]),
                (Vehicle, [v for d in self.drafts for v in d.vehicles]),
                (SmsConsent, consents),
            ):
                _bulk(model, rows)
            identities.insert(history)
            _insert_search_keys(self.drafts, history)
            if self.drafts:
                NumberSequence.objects.create(name="customer_number", last_value=number)
            audit.record_event(event_type="DEMO_DATA_CREATED", payload={"seed": run.seed, "customers": len(customers)})
        run.customers[self.spec.slug] = sorted(customers, key=lambda c: int(c.number))
        summary = run.summary_of(self.spec.slug)
        summary.customers = len(customers)
        summary.phones = sum(len(d.phones) for d in self.drafts)
        summary.emails = sum(len(d.emails) for d in self.drafts)
        summary.addresses = sum(len(d.addresses) for d in self.drafts)
        summary.vehicles = sum(len(d.vehicles) for d in self.drafts)
        summary.sms_consents = len(consents)

    def _sms_consents(self) -> list[SmsConsent]:
        """Consent for about 70% of mobile numbers, given in the last two and a half years; a few later opted out."""
        zone = ZoneInfo(self.spec.time_zone)
        consents = []
        for draft in self.drafts:
            for phone in draft.phones:
                if phone.type != Phone.Type.MOBILE or not self.chance(0.70):
                    continue
                days_ago = self.rng.randint(2, 900)
                local = datetime.combine(
                    self.run.today - timedelta(days=days_ago),
                    time(self.rng.randint(8, 19), self.rng.randrange(60)),
                    tzinfo=zone,
                )
                opted_out = local + timedelta(days=self.rng.randint(1, days_ago - 1)) if self.chance(0.04) else None
                consents.append(
                    SmsConsent(
                        business=self.business,
                        number=phone.number,
                        consented_at=local,
                        consent_source=self.rng.choice(data.SMS_CONSENT_SOURCES),
                        opted_out_at=opted_out,
                    )
                )
        return consents


def _bulk(model: type[TenantModel], rows: list[Any]) -> None:
    for start in range(0, len(rows), CHUNK):
        model.objects.bulk_create(rows[start : start + CHUNK])


def _insert_search_keys(drafts: list[_Draft], history: identities.IdentityRows) -> None:
    """The quick-search keys of the new customers, built from the drafts in memory (what `search.refresh_keys`
    would read back) and inserted in one go (derived data: no history)."""
    earlier: dict[int, list[EarlierName]] = {}
    for name in history.names:
        earlier.setdefault(name.customer.pk, []).append(name)
    rows = []
    for draft in drafts:
        c = draft.customer
        keys = [
            *search.number_keys(c.number),
            *search.name_keys(c.first_name, c.middle_name, c.last_name, c.company_name),
        ]
        for name in earlier.get(c.pk, []):
            keys += search.name_keys(name.first_name, name.middle_name, name.last_name, name.company_name, earlier=True)
        for phone in draft.phones:
            keys += search.phone_keys(phone.number, current=phone.valid_to is None)
        for vehicle in draft.vehicles:
            keys += search.vehicle_keys(vehicle.plate, vehicle.vin)
        rows += [(c.business_id, c.pk, kind, value) for value, kind in search.ranked(keys).items()]
    bulk.insert(SearchKey, ("business_id", "customer_id", "kind", "value"), rows)


# --- the three businesses' customers ---------------------------------------------------------------------------


def _mechanics(builder: _Builder, count: int) -> None:
    """The tool truck's customers: mechanics at ~40 shops on the route; some fathers and sons, some brothers."""
    rng = builder.rng
    shops: list[tuple[str, str, int]] = []  # (name, phone, size)
    names: set[str] = set()
    while len(shops) < data.SHOP_COUNT:
        shop_name = f"{rng.choice(data.SHOP_PLACES)} {rng.choice(data.SHOP_KINDS)}"
        if shop_name not in names:
            names.add(shop_name)
            shops.append((shop_name, builder.phone_number(), rng.choice([1, 2, 2, 3, 3, 4, 6, 9])))
    rep = builder.users[Level.FIELD]

    def mechanic(
        name: _Name, *, age: tuple[int, int], home: _Home | None, suffix: str = "", language: str = "en"
    ) -> _Draft:
        shop = builder.weighted([(s, s[2]) for s in shops])
        employed = not builder.chance(0.03)
        draft = builder.person(
            name,
            suffix=suffix,
            date_of_birth=builder.date_of_birth(*age),
            home=home,
            language=language,
            employer=shop[0] if employed else "",
            credit_limit=builder.credit_limit(1500, 10_000, 500),
            rep=rep,
            mobile=0.97,
            email=0.75,
        )
        if employed and builder.chance(0.15):
            builder.add_phone(draft, shop[1], Phone.Type.WORK)
        return draft

    made = 0
    while made < count:
        left = count - made
        draw = rng.random()
        if left >= 2 and (made == 0 or draw < 0.05):  # father and son, Sr. and Jr.
            father = builder.name(male=True)
            son = _Name(father.first, father.middle if builder.chance(0.5) else "", father.last, father.hispanic, True)
            language = builder.language(father)
            home = builder.home()
            father_age = rng.randint(46, 66)
            mechanic(father, age=(father_age, father_age), home=home, suffix="Sr.", language=language)
            son_age = max(19, father_age - rng.randint(20, 30))
            son_home = home if builder.chance(0.45) else builder.home()
            mechanic(son, age=(son_age, son_age), home=son_home, suffix="Jr.", language=language)
            made += 2
        elif left >= 2 and draw < 0.08:  # brothers under one roof
            first = builder.name(male=True)
            second = builder.name(male=True, hispanic=first.hispanic, last=first.last)
            home, language = builder.home(), builder.language(first)
            age = rng.randint(24, 45)
            mechanic(first, age=(age, age + 2), home=home, language=language)
            mechanic(second, age=(age - 4, age), home=home, language=language)
            made += 2
        else:
            name = builder.name(male=builder.chance(0.93))
            suffix = rng.choice(["Jr.", "Jr.", "III"]) if name.male and builder.chance(0.03) else ""
            maybe_home = builder.home() if builder.chance(0.97) else None
            mechanic(name, age=(19, 64), home=maybe_home, suffix=suffix, language=builder.language(name))
            made += 1


def _shop_customers(builder: _Builder, count: int) -> None:
    """The shop's customers: local households with 1-3 vehicles (some on house accounts) and a few fleets."""
    rng = builder.rng
    fleets = count // 70 if count >= 140 else (1 if count >= 8 else 0)
    for _ in range(fleets):
        fleet_name = builder.company_name(data.FLEET_PLACES, data.FLEET_TRADES)
        draft, _contact = builder.company(
            fleet_name,
            credit_limit=builder.credit_limit(5_000, 15_000, 1_000),
            rep=builder.users[Level.MANAGER],
            mobile=0.7,
        )
        for _vehicle in range(rng.randint(5, 15)):
            builder.add_vehicle(draft, fleet=True)

    def resident(
        name: _Name, *, age: tuple[int, int], home: _Home, suffix: str = "", language: str = "en", vehicles: int = 0
    ) -> _Draft:
        is_ar = builder.chance(0.35)
        draft = builder.person(
            name,
            suffix=suffix,
            date_of_birth=builder.date_of_birth(*age),
            home=home,
            language=language,
            employer=rng.choice(data.DAYTON_EMPLOYERS) if builder.chance(0.3) else "",
            is_ar=is_ar,
            credit_limit=builder.credit_limit(500, 2_500, 250) if is_ar else Decimal("0.00"),
            mobile=0.92,
        )
        for _vehicle in range(vehicles or builder.weighted([(1, 55), (2, 30), (3, 15)])):
            builder.add_vehicle(draft)
        return draft

    made = fleets
    while made < count:
        left = count - made
        draw = rng.random()
        if left >= 2 and (made == fleets or draw < 0.14):  # spouses: one address, one last name, a landline
            husband = builder.name(male=True)
            wife = builder.name(male=False, hispanic=husband.hispanic, last=husband.last)
            home, language = builder.home(landline=0.35), builder.language(husband)
            age = rng.randint(26, 78)
            his = resident(husband, age=(age, age + 3), home=home, language=language, vehicles=rng.randint(1, 2))
            hers = resident(wife, age=(age - 4, age + 1), home=home, language=language, vehicles=rng.randint(1, 2))
            # One of them has a house account and the other not: the other buys on it, as a family member.
            if his.customer.is_ar != hers.customer.is_ar:
                main, member = (his, hers) if his.customer.is_ar else (hers, his)
                member.family_main = main
            made += 2
        elif left >= 2 and (made == fleets + 2 or draw < 0.18):  # father and son
            father = builder.name(male=True)
            son = _Name(father.first, father.middle, father.last, father.hispanic, True)
            home, language = builder.home(landline=0.3), builder.language(father)
            father_age = rng.randint(50, 80)
            resident(father, age=(father_age, father_age), home=home, suffix="Sr.", language=language)
            son_age = max(18, father_age - rng.randint(20, 32))
            son_home = home if builder.chance(0.3) else builder.home()
            resident(son, age=(son_age, son_age), home=son_home, suffix="Jr.", language=language)
            made += 2
        else:
            name = builder.name(male=builder.chance(0.5))
            suffix = rng.choice(["Jr.", "III"]) if name.male and builder.chance(0.02) else ""
            resident(
                name, age=(18, 85), home=builder.home(landline=0.15), suffix=suffix, language=builder.language(name)
            )
            made += 1


def _wholesale_customers(builder: _Builder, count: int) -> None:
    """The wholesaler's customers: repair shops, fleets and yards on net 30, and a few independent mechanics."""
    users = builder.users
    for _ in range(count):
        if builder.chance(0.85):
            name = builder.company_name(data.WHOLESALE_PLACES, data.WHOLESALE_KINDS)
            rep = users[Level.FIELD] if builder.chance(0.6) else users[Level.MANAGER]
            builder.company(name, credit_limit=builder.credit_limit(5_000, 50_000, 2_500), rep=rep)
        else:
            person = builder.name(male=builder.chance(0.9))
            builder.person(
                person,
                date_of_birth=builder.date_of_birth(23, 66),
                home=builder.home(landline=0.05),
                language=builder.language(person),
                credit_limit=builder.credit_limit(1_000, 5_000, 500),
                rep=users[Level.FIELD],
            )
