"""factory_boy factories for the shared world: businesses, users at each level, customers.

Factories for tenant rows create them inside the business given (default: the current business in scope).
"""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from tabwise.core import tenancy
from tabwise.customers.models import Address, Customer, Email, Phone, Vehicle
from tabwise.tenants.models import Business
from tabwise.users.models import User

PASSWORD = "correct horse battery staple"


class BusinessFactory(DjangoModelFactory):
    class Meta:
        model = Business

    name = factory.Sequence(lambda n: f"Business {n}")
    slug = factory.Sequence(lambda n: f"business-{n}")
    kind = Business.Kind.TOOL_DISTRIBUTOR
    time_zone = "America/Chicago"
    city = "Springfield"
    state = "IL"
    phone = factory.Sequence(lambda n: f"+1217555{n % 10000:04d}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    business = factory.SubFactory(BusinessFactory)
    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"User{n}")
    level = 3
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class TenantFactory(DjangoModelFactory):
    """Creates the row in `business` (a factory argument), else in the business in scope."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class: Any, *args: Any, business: Business | None = None, **kwargs: Any) -> Any:
        business = business or tenancy.current_business()
        if business is None:
            raise tenancy.NoBusinessInScope("pass business= or create inside business_scope()")
        with tenancy.business_scope(business):
            return super()._create(model_class, *args, **kwargs)


class CustomerFactory(TenantFactory):
    class Meta:
        model = Customer

    number = factory.Sequence(lambda n: str(1000 + n))
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    employer = "Main Street Auto"

    @classmethod
    def _after_postgeneration(cls, instance: Any, create: bool, results: Any = None) -> None:
        super()._after_postgeneration(instance, create, results)
        if create:  # the quick search reads search keys, which the services keep; factories bypass them
            from tabwise.customers import search

            with tenancy.business_scope(instance.business):
                search.refresh_keys([instance.pk])


class PhoneFactory(TenantFactory):
    class Meta:
        model = Phone

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"+1312555{n % 10000:04d}")
    type = Phone.Type.MOBILE

    @classmethod
    def _after_postgeneration(cls, instance: Any, create: bool, results: Any = None) -> None:
        super()._after_postgeneration(instance, create, results)
        if create:  # the quick search reads search keys, which the services keep; factories bypass them
            from tabwise.customers import search

            with tenancy.business_scope(instance.business):
                search.refresh_keys([instance.customer_id])


class EmailFactory(TenantFactory):
    class Meta:
        model = Email

    customer = factory.SubFactory(CustomerFactory)
    address = factory.Sequence(lambda n: f"customer{n}@example.com")


class AddressFactory(TenantFactory):
    class Meta:
        model = Address

    customer = factory.SubFactory(CustomerFactory)
    street = "100 Main St"
    city = "Springfield"
    state = "IL"
    zip_code = "62701"


class VehicleFactory(TenantFactory):
    class Meta:
        model = Vehicle

    customer = factory.SubFactory(CustomerFactory)
    vin = "1HGCM82633A004352"
    plate = factory.Sequence(lambda n: f"TW{n:05d}")
    plate_state = "IL"
    year = 2019
    make = "Honda"
    model = "Accord"

    @classmethod
    def _after_postgeneration(cls, instance: Any, create: bool, results: Any = None) -> None:
        super()._after_postgeneration(instance, create, results)
        if create:  # the quick search reads search keys, which the services keep; factories bypass them
            from tabwise.customers import search

            with tenancy.business_scope(instance.business):
                search.refresh_keys([instance.customer_id])
