"""Every route of Tabwise, web and API, with what the cross-tenant and security tests need to call it.

A route that takes an object id must have an entry in `WEB_OBJECT_ROUTES` (or the API's `API_PATH_PARAMS`), and an
API operation with a body must have an example in `API_BODIES`: a new route without one fails the tests, so no route
escapes the tenancy walk and the security matrix.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from tabwise.core import tenancy
from tabwise.core.tenancy import TenantModel
from tabwise.tenants.models import Business

# Namespaces walked by other means or not business routes: the API (walked through its OpenAPI document) and the
# operator admin (staff only; checked by test_operator_admin_refuses_business_users).
SKIPPED_NAMESPACES = {"api", "admin"}
# Routes that carry no business object: each with the reason.
NO_OBJECT_ROUTES_REASON = {
    "set_language": "switches the interface language; no business data",
}


@dataclass
class World:
    """Business A (the victim) with one of every object, and business B (the attacker)."""

    a: Business
    b: Business
    objects: dict[str, Any]


# route name -> kwargs built from business A's objects
WEB_OBJECT_ROUTES: dict[str, Callable[[World], dict[str, Any]]] = {
    "customers:detail": lambda w: {"customer_id": w.objects["customer"].pk},
    "customers:edit": lambda w: {"customer_id": w.objects["customer"].pk},
    "customers:identity": lambda w: {"customer_id": w.objects["customer"].pk},
    "customers:ssn": lambda w: {"customer_id": w.objects["customer"].pk},
    "customers:contact-end": lambda w: {
        "customer_id": w.objects["customer"].pk,
        "kind": "phone",
        "point_id": w.objects["phone"].pk,
    },
    "customers:family-add": lambda w: {"customer_id": w.objects["customer"].pk},
    "customers:family-pick": lambda w: {"customer_id": w.objects["customer"].pk},
    "customers:family-separate": lambda w: {"customer_id": w.objects["customer"].pk},
    # Vehicles (tabwise/customers/vehicle_views.py)
    "customers:vehicle-create": lambda w: {"customer_id": w.objects["customer"].pk},
    "customers:vehicle-detail": lambda w: {"vehicle_id": w.objects["vehicle"].pk},
    "customers:vehicle-edit": lambda w: {"vehicle_id": w.objects["vehicle"].pk},
    "customers:vehicle-disable": lambda w: {"vehicle_id": w.objects["vehicle"].pk},
    "customers:vehicle-enable": lambda w: {"vehicle_id": w.objects["vehicle"].pk},
    "customers:vehicle-mileage": lambda w: {"vehicle_id": w.objects["vehicle"].pk},
    "customers:vehicle-inspection": lambda w: {"vehicle_id": w.objects["vehicle"].pk},
    "users:token-revoke": lambda w: {"token_id": w.objects["api_token"].pk},
    # Receivables (tabwise/ledger/urls.py)
    "ledger:account-detail": lambda w: {"account_id": w.objects["account"].pk},
    "ledger:account-edit": lambda w: {"account_id": w.objects["account"].pk},
    "ledger:customer-receivables": lambda w: {"customer_id": w.objects["customer"].pk},
    "ledger:account-open": lambda w: {"customer_id": w.objects["customer"].pk},
    "ledger:invoice-create": lambda w: {"account_id": w.objects["account"].pk},
    "ledger:estimate-create": lambda w: {"customer_id": w.objects["customer"].pk},
    "ledger:cash-sale-create": lambda w: {"customer_id": w.objects["customer"].pk},
    "ledger:customer-invoice-create": lambda w: {"customer_id": w.objects["customer"].pk},
    "ledger:invoice-detail": lambda w: {"invoice_id": w.objects["invoice"].pk},
    "ledger:estimate-convert": lambda w: {"invoice_id": w.objects["estimate"].pk},
    "ledger:payment-create": lambda w: {"account_id": w.objects["account"].pk},
    "ledger:payment-preview": lambda w: {"account_id": w.objects["account"].pk},
    "ledger:entry-detail": lambda w: {"entry_id": w.objects["payment_entry"].pk},
    "ledger:entry-reallocate": lambda w: {"entry_id": w.objects["payment_entry"].pk},
    "ledger:charge-create": lambda w: {"account_id": w.objects["account"].pk},
    "ledger:credit-note-create": lambda w: {"account_id": w.objects["account"].pk},
    "ledger:refund-create": lambda w: {"account_id": w.objects["account"].pk},
    "ledger:write-off-create": lambda w: {"account_id": w.objects["account"].pk},
    "ledger:entry-reverse": lambda w: {"entry_id": w.objects["entry"].pk},
    "ledger:plan-create": lambda w: {"account_id": w.objects["account"].pk},
    "ledger:plan-preview": lambda w: {"account_id": w.objects["account"].pk},
    "ledger:plan-detail": lambda w: {"plan_id": w.objects["plan"].pk},
    "ledger:plan-cancel": lambda w: {"plan_id": w.objects["plan"].pk},
    # Receivables reports and statements
    "ledger:aging-items": lambda w: {"grouping": "customer", "key": str(w.objects["customer"].pk)},
    "ledger:customer-statement": lambda w: {"customer_id": w.objects["customer"].pk},
    "ledger:account-statement": lambda w: {"account_id": w.objects["account"].pk},
    # Import from another system, and exports (tabwise/ledger/views/imports.py, exports.py)
    "ledger:import-detail": lambda w: {"batch_id": w.objects["import_batch"].pk},
    "ledger:import-confirm": lambda w: {"batch_id": w.objects["import_batch"].pk},
    "ledger:import-errors": lambda w: {"batch_id": w.objects["import_batch"].pk},
    "ledger:open-items-export": lambda w: {"account_id": w.objects["account"].pk},
    "ledger:ledger-export": lambda w: {"account_id": w.objects["account"].pk},
    # Clean-up utilities (tabwise/cleanup/urls.py)
    "cleanup:run-detail": lambda w: {"run_id": w.objects["utility_run"].pk},
    "cleanup:run-start": lambda w: {"run_id": w.objects["utility_run"].pk},
    "cleanup:run-undo": lambda w: {"run_id": w.objects["utility_run"].pk},
    # The duplicate-customers queue: business A's pair
    "cleanup:duplicate-not": lambda w: {"candidate_id": w.objects["duplicate_candidate"].pk},
    "cleanup:duplicate-family": lambda w: {"candidate_id": w.objects["duplicate_candidate"].pk},
}

# API path parameter name -> the id of business A's object
API_PATH_PARAMS: dict[str, Callable[[World], Any]] = {
    "kind": lambda w: "phone",
    "point_id": lambda w: w.objects["phone"].pk,
    "customer_id": lambda w: w.objects["customer"].pk,
    "account_id": lambda w: w.objects["account"].pk,
    "invoice_id": lambda w: w.objects["invoice"].pk,
    "entry_id": lambda w: w.objects["entry"].pk,
    "plan_id": lambda w: w.objects["plan"].pk,
    "vehicle_id": lambda w: w.objects["vehicle"].pk,
}

# operation id -> a valid request body
API_BODIES: dict[str, dict[str, Any]] = {
    "create_customer": {"kind": "person", "first_name": "Wanda", "last_name": "Walker", "credit_limit": "500.00"},
    "update_customer": {"employer": "Walker Garage"},
    "add_phone": {
        "number": "+13125550123",
        "type": "mobile",
        "sms_consent": True,
        "sms_consent_source": "signed form",
    },
    "add_email": {"address": "wanda.walker@example.com"},
    "add_address": {"street": "12 Oak St", "state": "IL", "zip_code": "62701"},
    "add_employer": {"name": "Walker Garage", "position": "Mechanic", "phone": "+13125550124"},
    "add_earlier_name": {"kind": "birth", "first_name": "Wanda", "last_name": "Smith"},
    "add_licence": {"number": "A12345678901", "state": "IL"},
    "set_ssn": {"ssn": "401-23-4567"},
    "add_family_member": {"new_member": {"first_name": "Wendy", "last_name": "Walker"}, "relationship": "child"},
    "create_vehicle": {"vin": "1FTFW1ET9DFC10312", "plate": "FLT 1", "plate_state": "TX", "is_fleet": True},
    "update_vehicle": {"plate": "NEW 1", "model": "Accord"},
    "record_mileage": {"mileage": 1000, "read_on": "2019-06-01"},
    "record_inspection": {"inspected_on": "2019-06-01", "result": "passed", "kind": "State safety", "mileage": 900},
    # Ledger bodies carry fixed ids: tabwise/ledger/tests/test_api_ledger.py sends business A's real ids as business B.
    "create_account": {"customer_id": 1, "name": "Tools", "terms_days": 30, "credit_limit": "1500.00"},
    "update_account": {"terms_days": 14, "credit_limit": "2000.00", "status": "on_hold"},
    "create_invoice": {
        "account_id": 1,
        "issued_on": "2026-03-02",
        "lines": [{"description": "Torque wrench", "quantity": "1", "unit_price": "189.99", "tax_rate": "0.0825"}],
    },
    "reverse_entry": {"reason": "Raised in error"},
    "create_payment": {
        "account_id": 1,
        "amount": "25.00",
        "method": "check",
        "received_at": "2026-03-02T10:15:00-06:00",
        "reference": "1042",
        "bank_routing": "011000015",
        "bank_account": "000123456789",
        "client_reference": "walk-1",
    },
    "create_payment_batch": {
        "items": [
            {"account_id": 1, "amount": "25.00", "method": "cash", "client_reference": "walk-2"},
            {"account_id": 1, "amount": "10.00", "method": "cash", "client_reference": "walk-3"},
        ]
    },
    "create_charge": {"account_id": 1, "amount": "15.00", "category": "returned_check", "memo": "Check 1042"},
    "create_credit_note": {"account_id": 1, "amount": "20.00", "reason": "Returned a socket"},
    "create_write_off": {"account_id": 1, "approver_id": 1, "reason": "Customer moved away", "amount": "50.00"},
    "create_refund": {"account_id": 1, "amount": "5.00", "method": "cash"},
    "create_plan": {
        "account_id": 1,
        "amount": "600.00",
        "instalment_amount": "25.00",
        "frequency": "weekly",
        "starts_on": "2036-01-07",
    },
}


@dataclass(frozen=True)
class WebRoute:
    name: str
    route: str
    callback: Any
    converters: tuple[str, ...]


def web_routes() -> Iterator[WebRoute]:
    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> Iterator[WebRoute]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                if ns in SKIPPED_NAMESPACES:
                    continue
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
                converters = tuple(getattr(pattern.pattern, "converters", {}).keys())
                yield WebRoute(name, prefix + str(pattern.pattern), pattern.callback, converters)

    yield from walk(get_resolver().url_patterns, "/", None)


def api_operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path template, operation) for every operation in the OpenAPI document."""
    from tabwise.api import api

    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def api_view_func(operation_id: str) -> Any:
    from tabwise.api import api

    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if operation.operation_id == operation_id:
                    return operation.view_func
    raise KeyError(operation_id)


def fill_path(path: str, operation: dict[str, Any], world: World) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            name = parameter["name"]
            if name not in API_PATH_PARAMS:
                raise AssertionError(f"API path parameter {name!r} has no entry in tests/routes.API_PATH_PARAMS")
            path = path.replace("{" + name + "}", str(API_PATH_PARAMS[name](world)))
    return path


def tenant_models() -> list[type[TenantModel]]:
    return [m for m in apps.get_models() if issubclass(m, TenantModel)]


def business_fingerprint(business: Business, *, ignoring: Collection[str] = ()) -> str:
    """A digest of every business-owned row of `business`: equal before and after means nothing changed.

    `ignoring` names models (by label, "ledger.ImportBatch") a test expects to change, such as an import's dry run.
    """
    digest = hashlib.sha256()
    with tenancy.all_businesses():
        for model in sorted(tenant_models(), key=lambda m: m._meta.label):
            if model._meta.label in ignoring:
                continue
            rows = list(model.objects.filter(business=business).order_by("pk").values())
            digest.update(model._meta.label.encode())
            digest.update(json.dumps(rows, default=str, sort_keys=True).encode())
    from tabwise.users.models import ApiToken, User

    users = list(User.objects.filter(business=business).order_by("pk").values("pk", "username", "level", "is_active"))
    tokens = list(ApiToken.objects.filter(user__business=business).order_by("pk").values("pk", "revoked_at"))
    digest.update(json.dumps([users, tokens], default=str).encode())
    return digest.hexdigest()
