"""Fixtures for the outbox: a real SMTP server on loopback, a task runner, and consent to text a number."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

from tabwise.core import tenancy
from tabwise.core.testing.factories import BusinessFactory, CustomerFactory
from tabwise.customers.models import Customer
from tabwise.notifications import services
from tabwise.notifications.models import SmsConsent
from tabwise.tenants.models import Business


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class SmtpServer:
    """What the SMTP server on loopback has received, in order."""

    port: int
    received: list[ReceivedMail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def make_customer(**fields: Any) -> Customer:
    """A customer (typed for mypy; factory_boy's factories are not generic here)."""
    return cast(Customer, CustomerFactory(**fields))


def make_business(**fields: Any) -> Business:
    return cast(Business, BusinessFactory(**fields))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def point_email_at(settings: Any, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Acme Tools <billing@acme.example>"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port, with EMAIL_* settings pointing at it."""
    server = SmtpServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    point_email_at(settings, server.port)
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks: Any) -> Callable[[], None]:
    """Run every task that is due, as the worker would (enqueues made by tasks are committed as they would be)."""

    def run() -> None:
        # The worker closes "old" connections between tasks; inside a test's transaction that would close the
        # test's own connection (PostgreSQL), so it is kept open here as Django's test client does for requests.
        with (
            tenancy.no_business(),
            django_capture_on_commit_callbacks(execute=True),
            mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"),
        ):
            call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    return run


@pytest.fixture
def consent_for(in_business: Business) -> Callable[[str], SmsConsent]:
    def give(number: str) -> SmsConsent:
        return services.record_consent(number=number, source="Signed the credit application")

    return give
