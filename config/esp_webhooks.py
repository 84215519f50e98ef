"""The tracking webhook of the ESP the site sends through, and no other, behind anymail's secret.

anymail's own `anymail.urls` mounts every ESP it knows: each unused one is a door (a forged
Postmark bounce was recorded on a Mailgun site), and one whose signing key is not set answers
500 to anyone. Only the ESP named by `EMAIL_BACKEND` is mounted here, every request must carry
`ANYMAIL["WEBHOOK_SECRET"]` as basic auth (anymail checks it, and the ESP's signature where it
has one), and a body anymail cannot read is the sender's mistake: 400, never 500.
"""

import logging
from functools import wraps

from anymail import urls as anymail_urls
from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseForbidden
from django.urls import path

logger = logging.getLogger(__name__)


def with_webhook_secret_and_4xx(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            # anymail would only warn and accept anyone; production refuses to start without it.
            logger.warning("ESP webhook refused: ANYMAIL_WEBHOOK_SECRET is not set")
            return HttpResponseForbidden("Webhook secret not configured")
        try:
            return view(request, *args, **kwargs)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            # Raised while anymail reads a payload it does not understand (not JSON, missing
            # fields); bad signatures and auth are anymail's own 400 already. Errors of ours in
            # recording the event (the database) still answer 500, so the ESP retries.
            logger.warning("ESP webhook body could not be read", exc_info=True)
            return HttpResponseBadRequest("Unreadable webhook payload")

    return guarded


def tracking_urlpatterns(esp: str) -> list:
    """anymail's tracking webhook route(s) for `esp`, guarded; none when no ESP is in use."""
    if not esp:
        return []
    names = {f"{esp}_tracking_webhook", f"{esp}_webhook"}  # Mandrill has one combined webhook
    return [
        path(str(pattern.pattern), with_webhook_secret_and_4xx(pattern.callback), name=pattern.name)
        for pattern in anymail_urls.urlpatterns
        if pattern.name in names
    ]
