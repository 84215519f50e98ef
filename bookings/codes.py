"""Secret codes that open a participant's private pages."""

import secrets


def new_secret_code() -> str:
    # 24 random bytes: 192 bits, printed as 32 URL-safe characters. The code is the only
    # key to the page it opens, as pretix's order secret is.
    return secrets.token_urlsafe(24)
