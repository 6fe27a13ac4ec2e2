"""The baseline's two tables: accounts (the columns Tabwise's customer list shows) and entries posted to them."""

from __future__ import annotations

from django.db import models


class Account(models.Model):
    """One account, shaped like a Tabwise customer row as the list page and the API read it."""

    number = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=10, default="person")
    first_name = models.CharField(max_length=100, blank=True)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    company_name = models.CharField(max_length=200, blank=True)
    is_ar = models.BooleanField(default=True)
    status = models.CharField(max_length=10, default="active", choices=[("active", "Active"), ("inactive", "Inactive")])
    credit_limit = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    balance = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    # Declared for type checkers: the project's mypy plugin only knows Tabwise's installed apps.
    objects: models.Manager[Account] = models.Manager()

    class Meta:
        ordering = ["last_name", "first_name", "company_name", "id"]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == "company":
            return self.company_name
        return " ".join(part for part in [self.first_name, self.middle_name, self.last_name] if part)


class Entry(models.Model):
    """An amount posted to an account; posting one also moves the account's balance."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="entries")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    account_id: int
    objects: models.Manager[Entry] = models.Manager()

    def __str__(self) -> str:
        return f"{self.amount} to account {self.account_id}"
