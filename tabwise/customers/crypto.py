"""SSN and ITIN at rest: a Fernet token to read it back, a keyed digest to compare it, the last four to show.

The keys come from the SSN_ENCRYPTION_KEYS setting (the environment or a key file; in development a key generated
once into ./var). The first key encrypts; all of them decrypt (`MultiFernet`), so a key is rotated by putting the new
one first and running `tabwise rotate_ssn_key`, which re-encrypts every token and recomputes every digest under the
new first key. The digest is an HMAC-SHA256 of the nine digits under a key derived from that first key: equal SSNs
have equal digests within an installation, and nothing outside it can test a guess against them.

Nothing here logs, and nothing returns the digits except `decrypt`, which only `customers.selectors.identity_of` (for
the matching engine) and the rotation call.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

DIGEST_CONTEXT = b"tabwise.customers.tax_id_digest"


class UnreadableSecret(RuntimeError):
    """A token no configured key opens: the key that wrote it was removed from SSN_ENCRYPTION_KEYS."""


@lru_cache(maxsize=4)
def _keys(keys: tuple[str, ...]) -> tuple[MultiFernet, bytes]:
    if not keys:
        raise RuntimeError("SSN_ENCRYPTION_KEYS is empty")
    fernets = [Fernet(key.encode()) for key in keys]
    digest_key = hmac.new(keys[0].encode(), DIGEST_CONTEXT, hashlib.sha256).digest()
    return MultiFernet(fernets), digest_key


def _configured() -> tuple[MultiFernet, bytes]:
    return _keys(tuple(settings.SSN_ENCRYPTION_KEYS))


def encrypt(digits: str) -> str:
    """The Fernet token (text) of nine digits, under the first key."""
    return _configured()[0].encrypt(digits.encode()).decode()


def decrypt(token: str) -> str:
    """The digits a token holds; UnreadableSecret when no configured key opens it."""
    try:
        return _configured()[0].decrypt(token.encode()).decode()
    except InvalidToken:
        raise UnreadableSecret("no configured SSN key opens this token") from None


def digest(digits: str) -> str:
    """The keyed digest (hex) of nine digits: equal digits, equal digests."""
    return hmac.new(_configured()[1], digits.encode(), hashlib.sha256).hexdigest()


def rotate(token: str) -> str:
    """The token re-encrypted under the first key (MultiFernet.rotate)."""
    try:
        return _configured()[0].rotate(token.encode()).decode()
    except InvalidToken:
        raise UnreadableSecret("no configured SSN key opens this token") from None
