from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tabwise.customers.models import Customer


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: the business at a glance."""
    return render(request, "core/home.html", {"customer_count": Customer.objects.count()})
