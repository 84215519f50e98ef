"""A small fixed-window rate limit on the public endpoints, kept in Django's cache."""

import logging
from functools import wraps

from django.core.cache import cache
from django.shortcuts import render

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    # Behind the proxy the real address is the first of X-Forwarded-For; the proxy sets it.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


def allow(key: str, *, limit: int, window: int) -> bool:
    """True while `key` has been seen at most `limit` times in the current `window` seconds.

    With the cache down every request is let through: a booking matters more than a limit.
    """
    try:
        cache.add(key, 0, timeout=window)
        try:
            return cache.incr(key) <= limit
        except ValueError:  # the key expired between add and incr
            cache.set(key, 1, timeout=window)
            return True
    except Exception:
        logger.warning("Rate limit cache unavailable; letting %s through", key, exc_info=True)
        return True


def rate_limited(scope: str, *, limit: int, window: int, methods=("POST",)):
    """Answer 429, calmly, once an address has used `scope` `limit` times in `window` seconds."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods and not allow(f"rl:{scope}:{client_ip(request)}", limit=limit, window=window):
                return render(request, "bookings/too_many.html", status=429)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
