"""The demo customers' identity history: moves, new numbers, birth names, aliases, employers, licences and SSNs,
all searchable, none of it disturbing what the earlier steps drew."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from tabwise.core import tenancy
from tabwise.customers import crypto, parsing, selectors
from tabwise.customers.models import Address, Customer, EarlierName, Employer, IdentityDocument, Phone, SearchKey
from tabwise.demo import generator
from tabwise.tenants.models import Business

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 1)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        generator.generate(seed=11, customers=400, today=TODAY)
        yield
        with tenancy.all_businesses():
            generator.remove_demo_data()


def test_demo_people_have_identity_history(demo):
    with tenancy.all_businesses():
        assert Phone.objects.filter(valid_to__isnull=False).count() > 10
        assert Address.objects.filter(valid_to__isnull=False).count() > 10
        kinds = Counter(EarlierName.objects.values_list("kind", flat=True))
        assert kinds["birth"] > 5 and kinds["alias"] > 0
        assert Employer.objects.filter(valid_to__isnull=False).exists()
        assert set(IdentityDocument.objects.values_list("kind", flat=True)) == {"licence", "ssn"}
        for number, state in IdentityDocument.objects.filter(kind="licence").values_list("number", "state"):
            assert parsing.normalise_licence(number, state) == number
        for document in IdentityDocument.objects.filter(kind="ssn")[:50]:
            assert parsing.parse_tax_id(crypto.decrypt(document.secret))[1][-4:] == document.last4
        assert not Customer.objects.exclude(pk__in=SearchKey.objects.values("customer_id")).exists()


def test_a_married_customer_is_found_by_her_birth_name(demo):
    business = Business.objects.get(slug="main-street-auto")
    with tenancy.business_scope(business):
        birth = EarlierName.objects.filter(kind="birth").select_related("customer").first()
        assert birth is not None
        hits = selectors.quick_search(birth.last_name)
        assert birth.customer in [hit.customer for hit in hits]
        assert "earlier name" in next(hit.matched for hit in hits if hit.customer == birth.customer)
