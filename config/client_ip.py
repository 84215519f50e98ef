"""The client's address, as far as this site can trust it: one function for every limit.

The rate limits on the public forms and the admin's sign-in lockout (django-axes) both key
on it, so a client cannot pick its own key by sending an `X-Forwarded-For` header.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """`REMOTE_ADDR`, unless `TRUSTED_PROXY_COUNT` proxies stand in front of the site.

    Each trusted proxy appends the address it was reached from to `X-Forwarded-For`, so the
    client is the value that many hops from the right; everything left of it was written by
    the client and proves nothing. A header shorter than that, or a value that is not an
    address, means the request did not come through the proxies: its peer is used instead.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [value.strip() for value in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote
