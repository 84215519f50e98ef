"""Rate limits on the public endpoints, counted by django-ratelimit in a cache every process shares.

The count lives in the cache alias `RATELIMIT_USE_CACHE` (config/settings.py): Redis when
several machines serve the site, otherwise a file-based cache under `VAR_DIR` that every
server process on the machine reads and writes, so eight gunicorn workers allow the limit
once, not eight times. The key is the client's address as `config.client_ip` trusts it.
"""

import logging
from functools import wraps

from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

logger = logging.getLogger(__name__)


def over_limit(request, *, scope: str, limit: int, window: int, methods: tuple[str, ...]) -> bool:
    """Count this request against `scope`; True once the address has used it more than `limit` times.

    With the cache down every request is let through: a booking matters more than a limit.
    django-ratelimit's RATELIMIT_FAIL_OPEN covers a cache that answers nothing; a cache that
    raises (Redis refusing the connection, a full disk) is caught here, at the boundary.
    """
    try:
        return is_ratelimited(
            request, group=f"bookings.{scope}", key="ip", rate=(limit, window), method=list(methods), increment=True,
        )
    except Exception:
        logger.warning("Rate limit cache unavailable; letting a %s request through", scope, exc_info=True)
        return False


def rate_limited(scope: str, *, limit: int, window: int, methods=("POST",)):
    """Answer 429, calmly, once an address has used `scope` `limit` times in `window` seconds."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if over_limit(request, scope=scope, limit=limit, window=window, methods=tuple(methods)):
                return render(request, "bookings/too_many.html", status=429)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
