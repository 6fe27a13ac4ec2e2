"""Statements: opening balance, every entry with its running balance, closing balance equal to the aging total;
English or Spanish by the customer's language; a PDF; emailed once with the PDF attached; every customer by a task.

Casey Cole (C-1), two accounts, statement for February 2026:

    T-1 Tools   Jan 05 invoice 1,000.00 due Feb 04     P-1 Parts   Feb 12 invoice 150.00 due Mar 14
                Jan 20 invoice   500.00 due Feb 19                 Mar 03 invoice  99.00 (after the period)
                Jan 25 payment   200.00
                Feb 10 invoice   300.00 due Mar 12
                Feb 20 payment   800.00

Opening (Feb 1) 1,300.00; Feb 10 +300 = 1,600; Feb 12 +150 = 1,750; Feb 20 -800 = 950.00 closing. Aged on Feb 28:
current 450.00 (the Feb invoices), 1-30 500.00 (the Jan 20 invoice, 9 days past due).
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from tabwise.core import tenancy
from tabwise.core.errors import DomainError, PermissionDenied
from tabwise.core.models import AuditEvent
from tabwise.core.testing.factories import AddressFactory, EmailFactory, UserFactory
from tabwise.ledger import aging, services, statements
from tabwise.ledger.models import Account
from tabwise.ledger.services import statements as statement_services
from tabwise.ledger.statements import Period
from tabwise.notifications.models import OutboxAttachment, OutboxMessage
from tabwise.notifications.tests import conftest as outbox

D = Decimal
CHICAGO = ZoneInfo("America/Chicago")
FEBRUARY = Period(date(2026, 2, 1), date(2026, 2, 28))

# The outbox's fixtures: a real SMTP server on loopback, and the task worker.
smtp_server = outbox.smtp_server
run_tasks = outbox.run_tasks


@pytest.fixture
def casey(in_business, clerk):
    customer = outbox.make_customer(first_name="Casey", last_name="Cole", number="C-1")
    AddressFactory(customer=customer, street="12 Elm St", city="Joliet", state="IL", zip_code="60431")
    EmailFactory(customer=customer, address="casey@example.com")
    tools = services.open_account(
        actor=clerk, customer=customer, number="T-1", name="Tools", opened_on=date(2026, 1, 2)
    )
    parts = services.open_account(
        actor=clerk, customer=customer, number="P-1", name="Parts", opened_on=date(2026, 1, 2)
    )

    def sell(account, amount, on):
        services.post_invoice(actor=clerk, account=account, lines=[services.LineIn("Tools", D(amount))], issued_on=on)

    def pay(account, amount, on):
        received_at = datetime(on.year, on.month, on.day, 12, tzinfo=CHICAGO)
        services.record_payment(
            actor=clerk,
            payment=services.PaymentIn(
                account_id=account.pk, amount=D(amount), method="check", reference="Check 4471", received_at=received_at
            ),
        )

    sell(tools, "1000.00", date(2026, 1, 5))
    sell(tools, "500.00", date(2026, 1, 20))
    pay(tools, "200.00", date(2026, 1, 25))
    sell(tools, "300.00", date(2026, 2, 10))
    sell(parts, "150.00", date(2026, 2, 12))
    pay(tools, "800.00", date(2026, 2, 20))
    sell(parts, "99.00", date(2026, 3, 3))
    return customer


@pytest.fixture
def tools(casey):
    return Account.objects.get(number="T-1")


@pytest.fixture
def parts(casey):
    return Account.objects.get(number="P-1")


def test_opening_running_and_closing_balances_for_all_accounts(casey):
    statement = statements.statement(period=FEBRUARY, of=casey)

    assert statement.opening_balance == D("1300.00")
    assert [(line.entry.posted_on, line.charge, line.credit, line.balance) for line in statement.lines] == [
        (date(2026, 2, 10), D("300.00"), None, D("1600.00")),
        (date(2026, 2, 12), D("150.00"), None, D("1750.00")),
        (date(2026, 2, 20), None, D("800.00"), D("950.00")),
    ]
    assert (statement.charges, statement.credits, statement.closing_balance) == (D("450.00"), D("800.00"), D("950.00"))
    assert [account.number for account in statement.accounts] == ["P-1", "T-1"]
    assert statement.aging_amounts == [D("450.00"), D("500.00"), D("0"), D("0"), D("0")]
    assert statement.address is not None
    assert (statement.email, statement.address.street) == ("casey@example.com", "12 Elm St")


def test_one_accounts_statement(tools, casey):
    statement = statements.statement(period=FEBRUARY, of=tools)

    assert statement.opening_balance == D("1300.00")
    assert [line.balance for line in statement.lines] == [D("1600.00"), D("800.00")]
    assert statement.closing_balance == statement.aging.total == D("800.00")
    assert statement.aging_amounts == [D("300.00"), D("500.00"), D("0"), D("0"), D("0")]
    assert statement.filename == "statement-T-1-2026-02-28.pdf"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 1, 6), date(2026, 1, 24)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 2, 21), date(2026, 3, 2)),
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2025, 12, 1), date(2025, 12, 31)),
    ],
)
def test_the_closing_balance_equals_the_aging_total_to_the_cent(casey, tools, parts, start, end):
    period = Period(start, end)

    one = Account.objects.filter
    for of, accounts in ((casey, casey.accounts.all()), (tools, one(pk=tools.pk)), (parts, one(pk=parts.pk))):
        statement = statements.statement(period=period, of=of)
        report = aging.aging(as_of=end, grouping="total", accounts=accounts)
        assert statement.closing_balance == report.total == statement.aging.total
        assert statement.opening_balance + statement.charges - statement.credits == statement.closing_balance


def test_a_period_that_ends_before_it_starts_is_refused_on_the_field():
    with pytest.raises(DomainError) as refused:
        Period.checked(date(2026, 2, 28), date(2026, 2, 1))

    assert refused.value.field == "end"


def test_the_statement_page_shows_the_balances(casey, user, client_as):
    response = client_as(user).get(
        reverse("ledger:customer-statement", args=[casey.pk]), {"start": "2026-02-01", "end": "2026-02-28"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<dd data-opening>$1,300.00</dd>" in page and "<dd data-closing>$950.00</dd>" in page
    assert '<td class="num" data-aging-total>$950.00</td>' in page
    assert "Email to casey@example.com" in page


def test_the_page_defaults_to_last_month(tools, casey, user, client_as, time_machine):
    time_machine.move_to(datetime(2026, 3, 15, 12, tzinfo=CHICAGO), tick=False)

    page = client_as(user).get(reverse("ledger:account-statement", args=[tools.pk])).content.decode()

    assert 'name="start" value="2026-02-01"' in page and 'name="end" value="2026-02-28"' in page
    assert "<dd data-closing>$800.00</dd>" in page


def test_the_pdf_renders(casey, user, client_as):
    url = reverse("ledger:customer-statement", args=[casey.pk])

    response = client_as(user).get(url, {"start": "2026-02-01", "end": "2026-02-28", "format": "pdf"})

    assert response["Content-Type"] == "application/pdf"
    assert 'filename="statement-C-1-2026-02-28.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    if text is not None:
        for words in (
            "Statement",
            "Casey Cole",
            "12 Elm St",
            "Opening balance",
            "$1,300.00",
            "Closing balance",
            "$950.00",
            "Current",
            "1-30 days",
            "$500.00",
            "Page 1 of 1",
            "Acme Tools",
            "Springfield",
        ):
            assert words in text, words


def pdf_text(pdf: bytes) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode()


def test_a_spanish_speaking_customer_gets_spanish_headings(casey, business):
    casey.preferred_language = "es"
    casey.save()
    statement = statements.statement(period=FEBRUARY, of=casey)

    with translation.override("es"):
        html = render_to_string(
            statement_services.PDF_TEMPLATE, {"statement": statement, "business": business, "currency": "USD"}
        )
    pdf = statement_services.render_statement_pdf(statement, business)

    for words in (
        "Estado de cuenta",
        "Saldo inicial",
        "Saldo final",
        "Pagos y créditos",
        "Al corriente",
        "1-30 días",
        "Factura",
        "Pago",
        "Gracias por su preferencia.",
    ):
        assert words in html, words
    assert '<html lang="es">' in html
    assert "Opening balance" not in html
    assert "$1,300.00" in html  # the business's number format, whatever the language
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    if text is not None:
        assert "Estado de cuenta" in text and "Saldo final" in text and "Página 1 de 1" in text


def test_emailing_a_statement_queues_it_once_with_the_pdf_attached(casey, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = statement_services.send_statement(actor=user, of=casey, period=FEBRUARY)
    again = statement_services.send_statement(actor=user, of=casey, period=FEBRUARY)

    assert first.is_new and not again.is_new
    assert again.message.pk == first.message.pk
    assert len(callbacks) == 1
    message = OutboxMessage.objects.get()
    assert (message.recipient, message.customer_id, message.caused_by_user_id) == (
        "casey@example.com",
        casey.pk,
        user.pk,
    )
    assert message.dedupe_key == f"statement:customer:{casey.pk}:2026-02-01..2026-02-28"
    assert message.subject == "Statement from Acme Tools, Feb. 1, 2026 to Feb. 28, 2026"
    assert "Balance on Feb. 28, 2026: $950.00" in message.body and "Past due: $500.00" in message.body
    attachment = OutboxAttachment.objects.get()
    assert (attachment.message_id, attachment.filename, attachment.content_type) == (
        message.pk,
        "statement-C-1-2026-02-28.pdf",
        "application/pdf",
    )
    assert bytes(attachment.content).startswith(b"%PDF-") and attachment.size == len(bytes(attachment.content))
    event = AuditEvent.objects.get(event_type="STATEMENT_EMAILED")
    assert event.payload["closing_balance"] == "950.00" and event.payload["message"] == message.pk


def test_the_statement_reaches_a_real_smtp_server_with_its_attachment(
    casey, business, user, smtp_server, run_tasks, django_capture_on_commit_callbacks
):
    casey.preferred_language = "es"
    casey.save()
    with django_capture_on_commit_callbacks(execute=True):
        statement_services.send_statement(actor=user, of=casey, period=FEBRUARY)
    with tenancy.no_business():
        run_tasks()
        run_tasks()

    assert len(smtp_server.received) == 1
    mail = smtp_server.received[0]
    assert mail.rcpt_tos == ["casey@example.com"]
    assert (
        mail.message["Subject"] == "Estado de cuenta de Acme Tools, del 1 de febrero de 2026 al 28 de febrero de 2026"
    )
    body = mail.message.get_body(("plain",)).get_content()
    assert "Estimado(a) Casey Cole:" in body and "Saldo al 28 de febrero de 2026: $950.00" in body
    [attachment] = list(mail.message.iter_attachments())
    assert attachment.get_filename() == "statement-C-1-2026-02-28.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF-")
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


def test_a_customer_without_an_email_gets_a_field_error_and_nothing_is_queued(casey, user, client_as):
    casey.emails.all().delete()

    with pytest.raises(DomainError) as refused:
        statement_services.send_statement(actor=user, of=casey, period=FEBRUARY)
    response = client_as(user).post(
        reverse("ledger:customer-statement", args=[casey.pk]), {"start": "2026-02-01", "end": "2026-02-28"}
    )

    assert refused.value.field == "email"
    assert "Casey Cole has no email address" in refused.value.message
    assert response.status_code == 422
    assert "Casey Cole has no email address" in response.content.decode()
    assert OutboxMessage.objects.count() == 0 and OutboxAttachment.objects.count() == 0


def test_emailing_from_the_page(tools, casey, user, client_as):
    url = reverse("ledger:account-statement", args=[tools.pk])

    response = client_as(user).post(url, {"start": "2026-02-01", "end": "2026-02-28"})
    client_as(user).post(url, {"start": "2026-02-01", "end": "2026-02-28"})

    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.dedupe_key == f"statement:account:{tools.pk}:2026-02-01..2026-02-28"
    assert OutboxAttachment.objects.get().filename == "statement-T-1-2026-02-28.pdf"


def test_a_level_4_user_cannot_send_statements(casey, user_at_level, client_as):
    clerk = user_at_level(4)

    with pytest.raises(PermissionDenied):
        statement_services.send_statement(actor=clerk, of=casey, period=FEBRUARY)
    assert client_as(clerk).get(reverse("ledger:customer-statement", args=[casey.pk])).status_code == 403
    assert OutboxMessage.objects.count() == 0


def test_another_business_gets_a_404_for_the_statements(tools, casey, other_business, client_as):
    intruder = client_as(UserFactory(business=other_business, level=1))
    period = {"start": "2026-02-01", "end": "2026-02-28"}

    for url in (
        reverse("ledger:customer-statement", args=[casey.pk]),
        reverse("ledger:account-statement", args=[tools.pk]),
    ):
        assert intruder.get(url, period).status_code == 404
        assert intruder.get(url, {**period, "format": "pdf"}).status_code == 404
        assert intruder.post(url, period).status_code == 404
    with tenancy.all_businesses():
        assert OutboxMessage.objects.count() == 0


def test_every_customer_with_a_balance_is_emailed_by_a_task_once(
    casey, clerk, user, client_as, run_tasks, django_capture_on_commit_callbacks
):
    no_email = outbox.make_customer(number="C-2")
    paid_up = outbox.make_customer(number="C-3")
    EmailFactory(customer=paid_up)
    for customer, amount in ((no_email, "75.00"), (paid_up, "0")):
        account = services.open_account(actor=clerk, customer=customer, opened_on=date(2026, 1, 2))
        if amount != "0":
            services.post_invoice(
                actor=clerk, account=account, lines=[services.LineIn("X", D(amount))], issued_on=date(2026, 2, 3)
            )
    client = client_as(user)

    page = client.get(reverse("ledger:statements"), {"start": "2026-02-01", "end": "2026-02-28"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ledger:statements-email-all"), {"start": "2026-02-01", "end": "2026-02-28"})
    with tenancy.no_business():
        run_tasks()
    after = client.get(reverse("ledger:statements"), {"start": "2026-02-01", "end": "2026-02-28"}).content.decode()

    assert '<dd data-count="owing">2</dd>' in page and '<dd data-count="to-send">1</dd>' in page
    assert reverse("ledger:customer-statement", args=[casey.pk]) + "?start=2026-02-01&amp;end=2026-02-28" in page
    assert page.count("No email: print it") == 1
    assert response.status_code == 302
    task = DBTaskResult.objects.get(task_path="tabwise.ledger.tasks.email_statements")
    assert task.status == "SUCCESSFUL"
    assert task.return_value == {"owing": 2, "sent": 1, "already_sent": 0, "without_email": 1}
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == ["casey@example.com"]
    assert '<dd data-count="already-sent">1</dd>' in after and '<dd data-count="to-send">0</dd>' in after

    again = statement_services.send_statements(actor=user, period=FEBRUARY)

    assert (again.sent, again.already_sent, again.without_email) == (0, 1, 1)
    assert OutboxMessage.objects.count() == 1
