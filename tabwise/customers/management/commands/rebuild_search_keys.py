"""`tabwise rebuild_search_keys [--business SLUG]`: rebuild the quick-search keys of every customer.

The services keep the keys up to date; this is for customers loaded another way (a restore, a bulk load, an older
database) and for account numbers made since (the ledger's accounts are also found by exact number at once).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from tabwise.core import audit
from tabwise.core.tenancy import business_scope
from tabwise.customers import search
from tabwise.tenants.models import Business


class Command(BaseCommand):
    help = "Rebuild the quick-search keys of every customer (of one business with --business)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--business", help="the slug of one business (default: every business)")

    def handle(self, *args: Any, **options: Any) -> None:
        businesses = Business.objects.order_by("pk")
        if options["business"]:
            businesses = businesses.filter(slug=options["business"])
        total = 0
        with audit.acting(None, via="command:rebuild_search_keys"):
            for business in businesses:
                with business_scope(business), transaction.atomic():
                    written = search.rebuild_keys()
                total += written
                self.stdout.write(f"{business.slug}: {written:,} search keys")
        self.stdout.write(self.style.SUCCESS(f"{total:,} search keys written."))
