"""A short-lived whole-page cache for anonymous readers of the public pages.

Only responses a view marks with `cache_for_readers` are stored, and only requests that
carry no session (so no login, no flash message) and no query string are answered from
the cache. Any change to the content or to a booking clears every stored page at once by
moving the cache's generation on, so "seats left" lags a booking by no more than the time
between two reads of the cache. The seat count a booking checks never comes from here.

Forms keep their CSRF protection: the token in a stored page is replaced by a placeholder,
and each reader gets their own token (and cookie) when the page is served.
"""

import hashlib
import logging
import re
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token

logger = logging.getLogger(__name__)

GENERATION_KEY = "page-cache:generation"
CSRF_PLACEHOLDER = b"__page_cache_csrf_token__"
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
STORED_HEADERS = ("Content-Type", "Content-Language", "Content-Security-Policy", "X-Frame-Options")


def cache_for_readers(response):
    """Mark `response` as the same for every anonymous reader, so it may be stored."""
    response.cacheable_for_readers = True
    return response


class CachedForReadersMixin:
    """For Page models whose rendering is the same for every anonymous reader."""

    def serve(self, request, *args, **kwargs):
        return cache_for_readers(super().serve(request, *args, **kwargs))


def clear_page_cache(**_signal_kwargs) -> None:
    """Forget every stored page and fragment once the change that calls this is committed.

    After the commit, not before: a reader who sees the new generation then renders the new
    data, and the seat lock is not held while the cache answers.
    """
    if settings.PAGE_CACHE_SECONDS or settings.FRAGMENT_CACHE_SECONDS:
        # robust: a cache that is down must not stop the callbacks after this one (task enqueues).
        transaction.on_commit(_move_generation_on, robust=True)


def _move_generation_on() -> None:
    forget_recent_pages()
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    forget_recent_pages()  # and whatever a thread of this process read in between


# Pages this process has just served from the shared cache, served again without asking it
# for PAGE_CACHE_LOCAL_SECONDS: asking is a round trip to Redis, which cost a cached page
# almost half its speed (bench/pages.py). So a booking or an edit made through another
# process shows here that much later; one made through this process clears them at once.
_recent_pages: dict[str, tuple[float, dict]] = {}
RECENT_PAGES_KEPT = 200  # pages are tens of kilobytes: a few megabytes per process at most
# Moved on each time they are forgotten: a request (in another thread) that read the shared
# cache before then must not remember what it read.
_forgotten = 0


def forget_recent_pages() -> None:
    global _forgotten
    _forgotten += 1
    _recent_pages.clear()


def _recently_served(page_key: str) -> dict | None:
    found = _recent_pages.get(page_key)
    if found is None:
        return None
    served_at, stored = found
    if time.monotonic() - served_at >= settings.PAGE_CACHE_LOCAL_SECONDS:
        _recent_pages.pop(page_key, None)
        return None
    return stored


def _remember_served(page_key: str, stored: dict, *, read_after: int) -> None:
    """`read_after`: the value of `_forgotten` before the shared cache was read."""
    if not settings.PAGE_CACHE_LOCAL_SECONDS or read_after != _forgotten:
        return
    if len(_recent_pages) >= RECENT_PAGES_KEPT:
        _recent_pages.clear()
    _recent_pages[page_key] = (time.monotonic(), stored)


CACHE_DOWN = object()


def current_generation(request=None):
    """The cache's generation, read once per request (the middleware may have read it already).

    `CACHE_DOWN` when the cache does not answer: then nothing is stored or read for the rest
    of the request. A missing generation (a new or emptied cache) is created, so pages stored
    before it went missing can never match again.
    """
    if request is not None and hasattr(request, "_page_cache_generation"):
        return request._page_cache_generation
    try:
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
            generation = cache.get(GENERATION_KEY)
    except Exception:
        logger.warning("Page cache unavailable", exc_info=True)
        generation = CACHE_DOWN
    if request is not None:
        request._page_cache_generation = generation
    return generation


def generation_key(request, kind: str, *parts) -> str | None:
    """A cache key that dies with the current generation and is never shared between hosts.

    None when the cache does not answer: then the caller works without it.
    """
    generation = current_generation(request)
    if generation is CACHE_DOWN:
        return None
    joined = "\x1f".join([str(generation), request.get_host(), *map(str, parts)])
    return f"page-cache:{kind}:" + hashlib.sha256(joined.encode()).hexdigest()


def give_up_on_cache(request, what: str) -> None:
    """The cache failed mid-request: log it once and leave it alone until the request ends."""
    logger.warning("%s unavailable", what, exc_info=True)
    request._page_cache_generation = CACHE_DOWN


def _page_key(request) -> str:
    return f"page-cache:page:{request.get_host()}:{request.path}"


def _is_anonymous_read(request) -> bool:
    return (
        request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _can_store(request, response) -> bool:
    cache_control = response.get("Cache-Control", "").lower()
    return (
        getattr(response, "cacheable_for_readers", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not getattr(getattr(request, "session", None), "modified", False)
        and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
    )


class AnonymousPageCacheMiddleware:
    """Must sit after CsrfViewMiddleware, which then sets the CSRF cookie a served page needs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_SECONDS or not _is_anonymous_read(request):
            return self.get_response(request)
        page_key = _page_key(request)
        recent = _recently_served(page_key)
        if recent is not None:
            return self._from_store(request, recent)
        read_after = _forgotten
        try:
            found = cache.get_many([GENERATION_KEY, page_key])
        except Exception:  # the cache is down: serve the page as if there were none
            logger.warning("Page cache unavailable; serving %s uncached", request.path, exc_info=True)
            request._page_cache_generation = CACHE_DOWN
            return self.get_response(request)
        if GENERATION_KEY in found:
            request._page_cache_generation = found[GENERATION_KEY]
        generation = current_generation(request)
        stored = found.get(page_key)
        if stored is not None and stored["generation"] == generation:
            _remember_served(page_key, stored, read_after=read_after)
            return self._from_store(request, stored)
        response = self.get_response(request)
        if generation is not CACHE_DOWN and _can_store(request, response):
            stored = self._to_store(response, generation)
            try:
                cache.set(page_key, stored, settings.PAGE_CACHE_SECONDS)
            except Exception:
                logger.warning("Page cache unavailable; %s not stored", request.path, exc_info=True)
            else:
                _remember_served(page_key, stored, read_after=read_after)
        return response

    @staticmethod
    def _to_store(response, generation) -> dict:
        return {
            "generation": generation,
            "content": CSRF_FIELD.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", response.content),
            "headers": {name: response[name] for name in STORED_HEADERS if response.has_header(name)},
        }

    @staticmethod
    def _from_store(request, stored: dict) -> HttpResponse:
        content = stored["content"]
        if CSRF_PLACEHOLDER in content:
            content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(content, headers=stored["headers"])
        response["X-Page-Cache"] = "hit"
        return response
