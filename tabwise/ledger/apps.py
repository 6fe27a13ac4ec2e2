from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "tabwise.ledger"
    label = "ledger"
    verbose_name = "Ledger"
