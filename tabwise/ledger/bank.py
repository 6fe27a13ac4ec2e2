"""Bank account fingerprints: detect a change of bank without keeping the account number.

A fingerprint is an HMAC-SHA256 of the normalised routing and account numbers under `BANK_FINGERPRINT_KEY` (by
default derived from SECRET_KEY; set it explicitly in production so rotating SECRET_KEY keeps fingerprints
comparable). Only the last four digits of the account number are stored beside it, for people to read.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from tabwise.core.errors import DomainError

_ROUTING_WEIGHTS = (3, 7, 1) * 3


@dataclass(frozen=True)
class BankFingerprint:
    digest: str
    last4: str


def _key() -> bytes:
    configured = getattr(settings, "BANK_FINGERPRINT_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"tabwise.ledger.bank_fingerprint", hashlib.sha256).digest()


def is_valid_routing_number(routing: str) -> bool:
    """ABA routing number: nine digits whose weighted sum (3, 7, 1, ...) is a multiple of ten."""
    if not re.fullmatch(r"\d{9}", routing):
        return False
    return sum(int(digit) * weight for digit, weight in zip(routing, _ROUTING_WEIGHTS, strict=True)) % 10 == 0


def fingerprint(routing: str, account_number: str) -> BankFingerprint:
    """The keyed fingerprint of a US bank account; DomainError on the field that is not valid."""
    routing = re.sub(r"[\s-]", "", routing or "")
    account_number = re.sub(r"[\s-]", "", account_number or "")
    if not is_valid_routing_number(routing):
        raise DomainError(_("Enter the check's nine-digit routing number."), field="bank_routing")
    if not re.fullmatch(r"\d{4,17}", account_number):
        raise DomainError(_("Enter the bank account number (4 to 17 digits)."), field="bank_account")
    message = f"{routing}:{account_number.lstrip('0') or '0'}".encode()
    return BankFingerprint(hmac.new(_key(), message, hashlib.sha256).hexdigest(), account_number[-4:])
