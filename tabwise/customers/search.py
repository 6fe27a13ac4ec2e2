"""Quick search: find a customer as the clerk types, by any part of a current or earlier name, the last digits of
a phone in any format, a plate, a VIN (or its last digits), a customer number or an account number.

Each customer's searchable values are kept as `SearchKey` rows (upper-case ASCII letters and digits), rebuilt by
`refresh_keys` in the transaction of every service that changes them, and by `rebuild_keys` (the
`rebuild_search_keys` command) for data loaded another way. Phone numbers and VINs are also stored reversed behind
`#`, so "ends with 0199" is the prefix "#9910". A search is then a few prefix scans of the (business, value)
index, whatever the number of customers: on PostgreSQL `value LIKE 'SMI%'` on a varchar_pattern_ops index, on
SQLite the equivalent range `'SMI' <= value < 'SMI\\x7f'` on its byte-ordered index.

Other apps add values through `customers.panels.SearchProvider` (the ledger: account numbers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import OrderBy

from tabwise.customers import panels
from tabwise.customers.models import Customer, EarlierName, Phone, SearchKey, Vehicle
from tabwise.customers.parsing import fold

MARK = "#"  # before a reversed value (phone digits, VIN): the last characters become a prefix
MIN_CHARACTERS = 2  # one letter matches a twentieth of everyone: nothing useful to show
MAX_VALUE = 64
BATCH = 500
PHONE_LIKE = re.compile(r"[\d\s().+/-]+")
Kind = SearchKey.Kind


def normalise(text: str) -> str:
    """Upper-case ASCII letters and digits only: "O'Brien" -> "OBRIEN", "ABC-1234" -> "ABC1234"."""
    return re.sub(r"[^A-Z0-9]", "", fold(text))[:MAX_VALUE]


def tokens(text: str) -> list[str]:
    """The words of a name or a query, normalised; an apostrophe joins ("O'Brien" is one word), anything else
    separates ("Garcia-Lopez" is two)."""
    folded = fold(text).replace("'", "").replace("\u2019", "")
    words = [word[:MAX_VALUE] for word in re.split(r"[^A-Z0-9]+", folded) if word]
    return list(dict.fromkeys(words))


def reversed_key(value: str) -> str:
    return (MARK + value[::-1])[:MAX_VALUE]


# --- building the keys -------------------------------------------------------------------------------------------


def _name_keys(kind: str, *names: str) -> list[tuple[str, str]]:
    keys = []
    for name in names:
        words = tokens(name)
        keys += [(kind, word) for word in words]
        if len(words) > 1:  # "de la Cruz" is also found as "delacruz"
            keys.append((kind, "".join(words)[:MAX_VALUE]))
    return keys


def number_keys(number: str) -> list[tuple[str, str]]:
    return [(Kind.NUMBER, normalise(number))]


def name_keys(*names: str, earlier: bool = False) -> list[tuple[str, str]]:
    """The keys of a current (or `earlier`) name's parts: each word, and a name of several words joined."""
    return _name_keys(Kind.EARLIER_NAME if earlier else Kind.NAME, *names)


def phone_keys(e164: str, *, current: bool) -> list[tuple[str, str]]:
    return [(Kind.PHONE if current else Kind.OLD_PHONE, reversed_key(re.sub(r"\D", "", e164)))]


def vehicle_keys(plate: str, vin: str) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = [(Kind.PLATE, normalise(plate))] if plate else []
    if vin:
        keys += [(Kind.VIN, normalise(vin)), (Kind.VIN, reversed_key(normalise(vin)))]
    return keys


def _keys_by_customer(ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    keys: dict[int, list[tuple[str, str]]] = {pk: [] for pk in ids}
    columns = ("pk", "number", "first_name", "middle_name", "last_name", "company_name")
    # A customer merged into another is found by nobody; its number is a key of the survivor (an alias).
    live = Customer.objects.filter(pk__in=ids).exclude(status=Customer.Status.MERGED)
    for pk, number, first, middle, last, company in live.values_list(*columns):
        keys[pk] += [*number_keys(number), *name_keys(first, middle, last, company)]
    for pk, number in Customer.objects.filter(merged_into_id__in=ids).values_list("merged_into_id", "number"):
        keys[pk] += number_keys(number)
    earlier = EarlierName.objects.filter(customer_id__in=ids)
    for pk, first, middle, last, company in earlier.values_list(
        "customer_id", "first_name", "middle_name", "last_name", "company_name"
    ):
        keys[pk] += name_keys(first, middle, last, company, earlier=True)
    phones = Phone.objects.filter(customer_id__in=ids).values_list("customer_id", "number", "valid_to")
    for pk, number, valid_to in phones:
        keys[pk] += phone_keys(number, current=valid_to is None)
    for pk, plate, vin in Vehicle.objects.filter(customer_id__in=ids).values_list("customer_id", "plate", "vin"):
        keys[pk] += vehicle_keys(plate, vin)
    for provider in panels.search_providers():
        for pk, raw in provider.keys(ids):
            if pk in keys and normalise(raw):
                keys[pk].append((provider.kind, normalise(raw)))
    return keys


def ranked(keys: Iterable[tuple[str, str]]) -> dict[str, str]:
    """value -> kind, one row per value: a current name wins over an earlier one, a phone over an old phone."""
    preference = [Kind.NUMBER, Kind.ACCOUNT, Kind.NAME, Kind.PHONE, Kind.PLATE, Kind.VIN, Kind.EARLIER_NAME]
    rank: dict[str, int] = {str(kind): index for index, kind in enumerate(preference)}
    chosen: dict[str, str] = {}
    for kind, value in keys:
        if value and (value not in chosen or rank.get(kind, 99) < rank.get(chosen[value], 99)):
            chosen[value] = kind
    return chosen


def refresh_keys(customer_ids: Iterable[int]) -> int:
    """Rebuild the search keys of these customers of the business in scope from their rows; the number written.

    Run inside the caller's transaction (every service that changes a name, a phone, a vehicle or a number calls
    it), so the keys change with the data or not at all.
    """
    ids = sorted(set(customer_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        by_customer = _keys_by_customer(batch)
        SearchKey.objects.filter(customer_id__in=batch).delete()
        rows = [
            SearchKey(customer_id=pk, kind=kind, value=value)
            for pk, keys in by_customer.items()
            for value, kind in ranked(keys).items()
        ]
        SearchKey.objects.bulk_create(rows, batch_size=1000)
        written += len(rows)
    return written


def rebuild_keys() -> int:
    """Rebuild the search keys of every customer of the business in scope (customers loaded another way)."""
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    return refresh_keys(ids)


# --- searching ---------------------------------------------------------------------------------------------------


class _BytewiseOrder(OrderBy):
    """ORDER BY value USING ~<~: the byte order of the varchar_pattern_ops index, so that PostgreSQL reads the first
    matches off the index and stops, instead of sorting every match (a two-letter prefix matches thousands)."""

    # The comment keeps Django's compiler happy: it finds an ordering's expression by the ASC or DESC after it.
    template = "%(expression)s USING ~<~ /* ASC */"


def _in_key_order(scan: QuerySet[SearchKey]) -> QuerySet[SearchKey]:
    if connection.vendor == "postgresql":
        return scan.order_by(_BytewiseOrder(F("value")), "customer_id")
    return scan.order_by("value", "customer_id")  # SQLite's index is in byte order already


def _prefix(value: str, field: str = "value") -> Q:
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": value})
    # SQLite compares bytes: every key character is below \x7f, so this range is exactly "starts with value".
    return Q(**{f"{field}__gte": value, f"{field}__lt": value + "\x7f"})


@dataclass(frozen=True)
class Query:
    """What a typed query is searched as: whole (`joined`), word by word (`words`), and by its last characters."""

    joined: str
    words: list[str]
    tail: str  # a reversed key, or ""


def read_query(text: str) -> Query | None:
    """None for a query too short to search."""
    text = text.strip()[:100]
    if PHONE_LIKE.fullmatch(text):  # "(312) 555-01": a phone, a customer or account number: the digits
        digits = re.sub(r"\D", "", text)
        if len(digits) < MIN_CHARACTERS:
            return None
        return Query(digits[:MAX_VALUE], [], reversed_key(digits) if len(digits) >= 4 else "")
    words = tokens(text)
    joined = "".join(words)[:MAX_VALUE]
    if len(joined) < MIN_CHARACTERS:
        return None
    tail = reversed_key(joined) if len(words) == 1 and len(joined) >= 5 and re.search(r"\d", joined) else ""
    return Query(joined, words if len(words) > 1 else [], tail)


def probes(query: Query) -> list[QuerySet[SearchKey]]:
    """The key scans a query needs, best first; a customer matches if any of them finds one of its keys.

    The whole query as a prefix ("SMI", "1042", "ABC123"), then its last characters (a phone's or a VIN's), then
    its words each starting some key of the same customer ("john smi").
    """
    found = [SearchKey.objects.filter(_prefix(query.joined))]
    if query.tail:
        found.append(SearchKey.objects.filter(_prefix(query.tail)))
    if query.words:
        # The longest word drives the scan; the others are checks on the same customer's keys.
        driver, *others = sorted(query.words, key=len, reverse=True)
        scan = SearchKey.objects.filter(_prefix(driver))
        for word in others:
            same_customer = SearchKey.objects.filter(_prefix(word), customer_id=OuterRef("customer_id"))
            scan = scan.filter(Exists(same_customer))
        found.append(scan)
    return found


def live_matches(text: str) -> list[tuple[int, str]]:
    """(customer id, kind) found by the providers' exact lookups (e.g. an account opened since the last refresh)."""
    hits = []
    for provider in panels.search_providers():
        if provider.find is not None:
            hits += [(pk, provider.kind) for pk in provider.find(text.strip())]
    return hits


def matching_customers(text: str) -> Q | None:
    """A filter on Customer for every customer the query finds (no limit); None for a query too short.

    One `pk IN (scan UNION scan ...)`: PostgreSQL reads the few matching keys off the index, then the customers by
    primary key (an OR of several IN-subqueries would test every customer of the business instead).
    """
    query = read_query(text)
    if query is None:
        return None
    scans = [scan.values("customer_id") for scan in probes(query)]
    live = [pk for pk, _kind in live_matches(text)]
    if live:
        scans.append(SearchKey.objects.filter(customer_id__in=live).values("customer_id"))
    return Q(pk__in=scans[0].union(*scans[1:]) if len(scans) > 1 else scans[0])


def best_matches(text: str, *, limit: int) -> list[tuple[int, list[str]]]:
    """Up to `limit` (customer id, kinds of the keys that matched): exact finds first (a customer, account or plate
    number typed in full, a whole name), then the scans of `probes` in their order, each in key order."""
    query = read_query(text)
    if query is None:
        return []
    exact: list[tuple[int, str]] = live_matches(text)
    rest: list[tuple[int, str]] = []
    for scan in probes(query):
        rows = _in_key_order(scan).values_list("customer_id", "kind", "value")[: limit * 4]
        for pk, kind, value in rows:
            (exact if value == query.joined else rest).append((pk, kind))
    found: dict[int, list[str]] = {}
    for pk, kind in exact + rest:
        kinds = found.setdefault(pk, [])
        if kind not in kinds:
            kinds.append(kind)
    return list(found.items())[:limit]
