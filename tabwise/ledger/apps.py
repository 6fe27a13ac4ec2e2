from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "tabwise.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        # The customer's page shows the receivables, and quick search finds account numbers: registered here, so
        # that customers never imports the ledger (the dependency runs ledger -> customers).
        from tabwise.ledger import customer_panels

        customer_panels.register()
