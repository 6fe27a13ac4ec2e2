"""Emailing statements: one customer's (or account's) as a PDF attachment, or every customer with a balance.

A statement goes out through the notifications outbox under a dedupe key naming the customer (or account) and the
period, so the same statement is never emailed twice however often it is asked for. The PDF and the email are in
the customer's language (English or Spanish).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tabwise.core import audit
from tabwise.core.documents import render_pdf
from tabwise.core.errors import DomainError
from tabwise.core.tasks import enqueue_on_commit
from tabwise.customers.models import Customer
from tabwise.ledger import statements
from tabwise.ledger.models import Account
from tabwise.ledger.statements import Period, Statement
from tabwise.notifications import adapters as notification_adapters
from tabwise.notifications import selectors as notification_selectors
from tabwise.notifications import services as notification_services
from tabwise.notifications.models import OutboxMessage
from tabwise.tenants.models import Business
from tabwise.users import security
from tabwise.users.models import User

SERVICE = "ledger.send_statements"
PDF_TEMPLATE = "ledger/statements/statement_pdf.html"


def dedupe_key(*, of: Customer | Account, period: Period) -> str:
    """The outbox key of a statement: one per customer (or account) and period."""
    kind = "account" if isinstance(of, Account) else "customer"
    return f"statement:{kind}:{of.pk}:{period.key}"


def language_of(customer: Customer) -> str:
    return customer.preferred_language if customer.preferred_language in ("en", "es") else "en"


def statement_context(statement: Statement, business: Business) -> dict[str, Any]:
    return {"statement": statement, "business": business, "currency": business.currency}


def render_statement_pdf(statement: Statement, business: Business) -> bytes:
    """The statement as a PDF in the customer's language."""
    with translation.override(language_of(statement.customer)):
        return render_pdf(PDF_TEMPLATE, statement_context(statement, business))


@dataclass(frozen=True)
class SentStatement:
    message: OutboxMessage
    is_new: bool  # False: this statement had already been queued, and nothing more was sent


def _email_text(statement: Statement, business: Business) -> tuple[str, str]:
    """The subject and body, in the active language."""
    from tabwise.ledger.templatetags.ledger_reports import statement_money

    period = {"start": date_format(statement.period.start), "end": date_format(statement.period.end)}
    subject = _("Statement from %(business)s, %(start)s to %(end)s") % {"business": business.name, **period}
    lines = [
        _("Dear %(name)s,") % {"name": statement.customer.display_name},
        "",
        _("Your statement for %(start)s to %(end)s is attached.") % period,
        _("Balance on %(end)s: %(amount)s")
        % {"end": period["end"], "amount": statement_money(statement.closing_balance, business.currency)},
    ]
    past_due = sum(statement.aging_amounts[1:], Decimal(0))
    if past_due > 0:
        lines.append(_("Past due: %(amount)s") % {"amount": statement_money(past_due, business.currency)})
    lines += ["", _("Thank you for your business."), business.name]
    if business.phone:
        lines.append(business.phone)
    return subject[:200], "\n".join(lines) + "\n"


def send_statement(*, actor: User, of: Customer | Account, period: Period) -> SentStatement:
    """Email the statement of a customer (every account) or of one account for `period`, with its PDF attached.

    Queued in the notifications outbox and sent after commit; a statement already queued for the same customer (or
    account) and period is not sent again (`is_new` False). Atomic; writes STATEMENT_EMAILED. Raises
    DomainError(field="email") when the customer has no email address.
    """
    security.check(actor, "ledger.send_statements")
    business = actor.business
    key = dedupe_key(of=of, period=period)
    sent = notification_selectors.messages_with_keys([key]).first()
    if sent is not None:
        return SentStatement(sent, is_new=False)
    customer = of.customer if isinstance(of, Account) else of
    found = statements.statement(of=of, period=period)
    if found.email is None:
        message = _("%(name)s has no email address: add one on the customer's page, or print the statement.")
        raise DomainError(message % {"name": customer.display_name}, field="email", code="no_email")
    pdf = render_statement_pdf(found, business)
    with translation.override(language_of(customer)):
        subject, body = _email_text(found, business)
    with transaction.atomic():
        # One sender per customer at a time, so two requests for one statement queue it (and log it) once.
        list(Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk", flat=True))
        sent = notification_selectors.messages_with_keys([key]).first()
        if sent is not None:
            return SentStatement(sent, is_new=False)
        queued = notification_services.queue_email(
            to=found.email,
            subject=subject,
            body=body,
            customer=customer,
            caused_by_user=actor,
            caused_by_service=SERVICE,
            dedupe_key=key,
            attachments=[notification_adapters.EmailAttachment(found.filename, pdf, "application/pdf")],
        )
        audit.record_event(
            event_type="STATEMENT_EMAILED",
            subject=of,
            payload={
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "closing_balance": str(found.closing_balance),
                "to": found.email,
                "message": queued.pk,
            },
        )
    return SentStatement(queued, is_new=True)


@dataclass(frozen=True)
class StatementRun:
    """How many customers with a balance at the period's end there are, and what became of their statements."""

    owing: int
    sent: int
    already_sent: int
    without_email: int

    def as_dict(self) -> dict[str, int]:
        return {
            "owing": self.owing,
            "sent": self.sent,
            "already_sent": self.already_sent,
            "without_email": self.without_email,
        }


def send_statements(*, actor: User, period: Period) -> StatementRun:
    """Email `period`'s statement to every customer who owed something at its end (all their accounts).

    Each customer is its own transaction (see `send_statement`), so one failure leaves the others sent; safe to
    run again: statements already queued are skipped. Customers without an email address are counted, not sent.
    """
    security.check(actor, "ledger.send_statements")
    sent = already = without_email = 0
    owing = list(statements.customers_owing(period.end))
    for customer in owing:
        try:
            result = send_statement(actor=actor, of=customer, period=period)
        except DomainError as error:
            if error.field != "email":
                raise
            without_email += 1
            continue
        if result.is_new:
            sent += 1
        else:
            already += 1
    return StatementRun(owing=len(owing), sent=sent, already_sent=already, without_email=without_email)


@dataclass(frozen=True)
class StatementBatchPreview:
    """What "email every customer with a balance" would do for a period, before it is asked for."""

    owing: int
    with_email: int
    already_sent: int

    @property
    def to_send(self) -> int:
        return self.with_email - self.already_sent


def statement_batch_preview(period: Period) -> StatementBatchPreview:
    """Counts for the statements page: customers owing at the period's end, with an email, and already emailed."""
    owing = statements.customers_owing(period.end)
    with_email = owing.filter(emails__isnull=False).distinct()
    keys = [dedupe_key(of=customer, period=period) for customer in with_email.only("pk")]
    already = notification_selectors.messages_with_keys(keys).count() if keys else 0
    return StatementBatchPreview(owing=owing.count(), with_email=len(keys), already_sent=already)


def request_statement_batch(*, actor: User, period: Period) -> StatementBatchPreview:
    """Start emailing `period`'s statements to every customer with a balance, in the background.

    Enqueues `ledger.tasks.email_statements` on commit; writes STATEMENT_BATCH_REQUESTED with the counts at the
    time. Returns those counts (the task itself skips statements sent meanwhile).
    """
    from tabwise.ledger.tasks import email_statements

    security.check(actor, "ledger.send_statements")
    preview = statement_batch_preview(period)
    with transaction.atomic():
        audit.record_event(
            event_type="STATEMENT_BATCH_REQUESTED",
            subject=None,
            payload={
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "owing": preview.owing,
                "to_send": preview.to_send,
            },
        )
        enqueue_on_commit(
            email_statements,
            business_id=actor.business_id,
            actor_id=actor.pk,
            start=period.start.isoformat(),
            end=period.end.isoformat(),
        )
    return preview
