"""A Content-Security-Policy for the public site: no inline scripts, nothing from other hosts.

The Wagtail admin is left out: it relies on inline scripts of its own.
"""

from django.conf import settings


def content_security_policy() -> str:
    checkout = settings.STRIPE_CHECKOUT_ORIGIN
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'self'",
        # The booking form's answer may redirect to Stripe Checkout.
        f"form-action 'self' {checkout}",
    ])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.CSP_EXEMPT_PREFIXES):
            response.setdefault("Content-Security-Policy", content_security_policy())
        return response
