"""An email backend whose ESP is down: every send raises, as anymail does on a 5xx."""

from anymail.exceptions import AnymailAPIError
from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise AnymailAPIError("The ESP answered 503 Service Unavailable")
