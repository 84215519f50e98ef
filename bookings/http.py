"""Response headers for the pages a secret code or a signed link opens."""

from functools import wraps

from django.utils.cache import add_never_cache_headers


def private_page(view):
    """Never stored by a browser or proxy (`Cache-Control: no-store`), never indexed.

    A shared computer's back button or a proxy's cache would otherwise show a person's booking
    to the next reader.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped
