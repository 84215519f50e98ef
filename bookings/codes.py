"""Secret codes that open a participant's private pages."""

import hashlib
import secrets

from django.utils.crypto import constant_time_compare


def new_secret_code() -> str:
    # 24 random bytes: 192 bits, printed as 32 URL-safe characters. The code is the only
    # key to the page it opens, as pretix's order secret is.
    return secrets.token_urlsafe(24)


def new_material_key() -> str:
    # 96 random bits. The key only names a booking inside a signed material link, which
    # opens one material and nothing else; the signature, not the key, is what cannot be forged.
    return secrets.token_urlsafe(12)


def code_digest(code: str) -> str:
    """What the database looks codes up by: timing the lookup tells nothing about the code itself."""
    return hashlib.sha256(code.encode()).hexdigest()


def same_code(stored: str, given: str) -> bool:
    return constant_time_compare(stored, given)
