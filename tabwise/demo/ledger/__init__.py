"""Step 5 of the demo: two years of sales and payments per business, up to its today.

Each customer's account is lived through in memory (`accounts.AccountLife` on a `books.Book`, which posts by the
ledger's own rules), the way its business works (`stories`) and the way the customer pays (`payers`); then the
whole business is numbered and inserted in bulk (`writer`). No service is called per document: two years of a
truck route are some 100,000 documents, and the services' one-transaction-per-document costs minutes. The tests
hold the result to the ledger's invariants (`selectors.verify_account`, `aging.aging`, `plans.check_plan`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from tabwise.core.tenancy import business_scope
from tabwise.customers.models import Customer
from tabwise.demo.businesses import BUSINESSES
from tabwise.demo.ledger import writer
from tabwise.demo.ledger.accounts import DemoLedger
from tabwise.demo.ledger.payers import local_banks
from tabwise.demo.ledger.stories import STORIES
from tabwise.demo.run import DemoRun
from tabwise.ledger.models import LedgerSettings
from tabwise.tenants.models import Business

YEARS_OF_HISTORY = 2

# Each business's policy: the truck charges nothing for lateness (its customers are on weekly plans); the shop a
# flat late fee on house accounts; the wholesaler interest on overdue balances, as trade terms usually say.
POLICIES: dict[str, dict[str, object]] = {
    Business.Kind.TOOL_DISTRIBUTOR: {},
    Business.Kind.AUTO_SERVICE: {"late_fee": Decimal("10.00"), "late_fee_grace_days": 10},
    Business.Kind.WHOLESALER: {
        "interest_apr": Decimal("18"),
        "minimum_interest": Decimal("1.00"),
        "late_fee_grace_days": 10,
    },
}
SALES_TAX = {"IL": Decimal("0.0875"), "OH": Decimal("0.075"), "TX": Decimal("0.0825")}  # the towns' combined rates
RETURNED_CHECK_FEE = {"IL": Decimal("25.00"), "OH": Decimal("30.00"), "TX": Decimal("30.00")}


def _streams(run: DemoRun, slug: str) -> Callable[[Customer], random.Random]:
    """Each customer's own random stream: adding or changing one customer leaves the others' histories as they were."""

    def stream(customer: Customer) -> random.Random:
        return run.rng(slug, "ledger", customer.number)

    return stream


def create_ledger(run: DemoRun) -> None:
    """Sales, payments, plans, charges, credit notes, returned checks and write-offs for every demo business."""
    for spec in BUSINESSES:
        customers: list[Customer] = run.customers.get(spec.slug, [])
        if not customers:
            continue
        business = run.businesses[spec.slug]
        run.say(f"{spec.name}: two years of sales and payments...")
        today = run.today_of(business)
        with business_scope(business):
            ledger = DemoLedger(
                business=business,
                today=today,
                first_day=today - timedelta(days=365 * YEARS_OF_HISTORY),
                now=run.now,
                policy=LedgerSettings(business=business, aging_boundaries=[30, 60, 90], **POLICIES.get(spec.kind, {})),
                users=run.users[spec.slug],
                tax_rate=SALES_TAX[spec.state],
                returned_check_fee=RETURNED_CHECK_FEE[spec.state],
                routings=local_banks(spec.state, run.rng(spec.slug, "banks")),
            )
            STORIES[spec.kind](ledger, customers, _streams(run, spec.slug), run.seed)
            writer.write(ledger, run.summary_of(spec.slug))
