"""The baseline's API: a paged read of 50 accounts and a write of one entry (insert + update, one transaction)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.pagination import PageNumberPagination, paginate

from bench.bare.models import Account, Entry

api = NinjaAPI(title="Bare baseline", urls_namespace="bare-api", docs_url=None)


class AccountOut(Schema):
    id: int
    number: str
    kind: str
    display_name: str
    first_name: str
    middle_name: str
    last_name: str
    company_name: str
    is_ar: bool
    status: str
    credit_limit: Decimal
    created_at: datetime


class EntryIn(Schema):
    account_id: int
    amount: Decimal


class EntryOut(Schema):
    id: int
    account_id: int
    amount: Decimal
    created_at: datetime


@api.get("/accounts/", response=list[AccountOut])
@paginate(PageNumberPagination)
def list_accounts(request: HttpRequest) -> QuerySet[Account]:
    return Account.objects.all()


@api.post("/entries/", response={201: EntryOut})
def create_entry(request: HttpRequest, payload: EntryIn) -> tuple[int, Entry]:
    with transaction.atomic():
        entry = Entry.objects.create(account_id=payload.account_id, amount=payload.amount)
        Account.objects.filter(pk=payload.account_id).update(balance=F("balance") + payload.amount)
    return 201, entry
