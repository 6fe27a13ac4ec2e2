"""Email attachments: stored with the outbox row in the caller's transaction, sent with the email, shown by name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tabwise.core import tenancy
from tabwise.core.errors import DomainError
from tabwise.notifications import services
from tabwise.notifications.adapters import EmailAttachment
from tabwise.notifications.models import OutboxAttachment, OutboxMessage

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4  # binary, with every byte value


def queue(**overrides):
    fields = {
        "to": "pat@example.com",
        "subject": "Your statement",
        "body": "Attached.",
        "caused_by_service": "ledger.send_statements",
        "attachments": [EmailAttachment("statement-1001.pdf", PDF, "application/pdf")],
    }
    return services.queue_email(**(fields | overrides))


def test_an_attachment_reaches_a_real_smtp_server_byte_for_byte(
    business, smtp_server, run_tasks, django_capture_on_commit_callbacks
):
    with tenancy.business_scope(business), django_capture_on_commit_callbacks(execute=True):
        queue()

    run_tasks()

    [mail] = smtp_server.received
    assert mail.message.get_body(("plain",)).get_content().strip() == "Attached."
    [attachment] = list(mail.message.iter_attachments())
    assert attachment.get_filename() == "statement-1001.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF


def test_a_repeated_dedupe_key_keeps_the_first_attachments(business):
    with tenancy.business_scope(business):
        first = queue(dedupe_key="statement:1")
        second = queue(dedupe_key="statement:1", attachments=[EmailAttachment("other.pdf", b"x", "application/pdf")])

        assert second.pk == first.pk
        assert list(OutboxAttachment.objects.values_list("filename", "size")) == [("statement-1001.pdf", len(PDF))]


@pytest.mark.parametrize(
    "attachment",
    [
        EmailAttachment("../../etc/passwd", b"x", "text/plain"),
        EmailAttachment("a\r\nBcc: x@example.com.pdf", b"x", "application/pdf"),
        EmailAttachment("", b"x", "application/pdf"),
        EmailAttachment("..", b"x", "application/pdf"),
        EmailAttachment("ok.pdf", b"x", "pdf"),
        EmailAttachment("big.pdf", b"x" * (services.ATTACHMENTS_MAX_BYTES + 1), "application/pdf"),
    ],
)
def test_unsafe_or_oversized_attachments_are_refused_and_nothing_is_queued(business, attachment):
    with tenancy.business_scope(business):
        with pytest.raises(DomainError) as refused:
            queue(attachments=[attachment])

        assert refused.value.field == "attachments"
        assert OutboxMessage.objects.count() == 0 and OutboxAttachment.objects.count() == 0


def test_the_outbox_names_each_attachment(business, user_at_level, client_as):
    with tenancy.business_scope(business):
        queue()

    page = client_as(user_at_level(2)).get(reverse("notifications:outbox")).content.decode()

    assert "Attached: statement-1001.pdf (1.0\xa0KB)" in page
