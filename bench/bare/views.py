"""The baseline's HTML page: one page of 50 accounts rendered through a Django template."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bench.bare.models import Account


def account_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(Account.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "bare/account_list.html", {"page": page})
