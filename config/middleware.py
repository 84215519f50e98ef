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


class AdminIdleTimeoutMiddleware:
    """A signed-in user's session ends after ADMIN_IDLE_MINUTES without a request.

    Every request of a signed-in user moves the expiry on (set_expiry marks the session
    changed, so it is saved and its cookie renewed); a laptop left open in a shared room
    is signed out within the half hour, not after Django's two weeks. Anonymous readers get
    no session from this.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            request.session.set_expiry(settings.ADMIN_IDLE_MINUTES * 60)
        return self.get_response(request)
