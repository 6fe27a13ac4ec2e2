"""`tabwise rotate_ssn_key`: re-encrypt every SSN/ITIN under the first of SSN_ENCRYPTION_KEYS and recompute its
digest under the key derived from it.

To rotate: put the new key first in SSN_ENCRYPTION_KEYS (keep the old one after it), run this, then remove the old
key. Safe to run again; a token no configured key opens stops the command before anything is written.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tabwise.core import audit
from tabwise.core.tenancy import all_businesses
from tabwise.customers import crypto
from tabwise.customers.models import IdentityDocument

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt every stored SSN/ITIN under the first SSN_ENCRYPTION_KEYS key and recompute its digest."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with audit.acting(None, via="command:rotate_ssn_key"), all_businesses(), transaction.atomic():
            documents = IdentityDocument.objects.exclude(secret="").order_by("pk")
            for document in documents.iterator(chunk_size=BATCH):
                try:
                    token = crypto.rotate(document.secret)
                except crypto.UnreadableSecret as error:
                    raise CommandError(f"identity document {document.pk}: {error}; nothing was changed") from None
                digits = crypto.decrypt(token)
                # One row's own update: no business data changes, and the history keeps none of these columns.
                IdentityDocument.unscoped.filter(pk=document.pk).update(secret=token, digest=crypto.digest(digits))
                count += 1
        self.stdout.write(self.style.SUCCESS(f"{count:,} SSNs/ITINs re-encrypted under the first key."))
