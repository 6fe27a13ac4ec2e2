"""Everything that changes the ledger. Each service runs one transaction, locks the accounts it posts to, writes
its domain event, and raises a DomainError on the field at fault."""

from tabwise.ledger.services.adjustments import issue_credit_note, post_charge, refund_credit, reverse_entry, write_off
from tabwise.ledger.services.payments import (
    BatchResult,
    PaymentIn,
    Recorded,
    reallocate,
    record_payment,
    record_payment_once,
    record_payments,
)
from tabwise.ledger.services.plans import cancel_plan, check_plan, check_plans, create_plan
from tabwise.ledger.services.sales import (
    CreditRefused,
    LineIn,
    convert_estimate,
    create_estimate,
    ledger_settings,
    open_account,
    post_invoice,
    record_cash_sale,
    update_account,
)

__all__ = [
    "BatchResult",
    "CreditRefused",
    "LineIn",
    "PaymentIn",
    "Recorded",
    "cancel_plan",
    "check_plan",
    "check_plans",
    "convert_estimate",
    "create_estimate",
    "create_plan",
    "issue_credit_note",
    "ledger_settings",
    "open_account",
    "post_charge",
    "post_invoice",
    "reallocate",
    "record_cash_sale",
    "record_payment",
    "record_payment_once",
    "record_payments",
    "refund_credit",
    "reverse_entry",
    "update_account",
    "write_off",
]
