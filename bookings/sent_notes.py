"""What a "check your inbox" page may say about the form this visitor has just sent.

Only what they typed themselves (the address, whether they chose to pay by card): echoing it
back tells them nothing new, while anything about the outcome would tell a stranger whether
an address has a place. It is kept in the visitor's own session, never in a URL (where
access logs, browser history and Referer headers would keep the address), for a few
minutes, and read once: the session is left as it was before.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

SESSION_KEY = "bookings.sent_to"
NOTE_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class SentNote:
    email: str
    card: bool


def remember_sent_to(request, *, cohort_id: int, email: str, card: bool = False) -> None:
    request.session[SESSION_KEY] = {"cohort": cohort_id, "email": email, "card": card, "at": timezone.now().timestamp()}


def take_sent_to(request, *, cohort_id: int) -> SentNote | None:
    """The note for this cohort's page, if it is fresh; it is gone from the session afterwards."""
    note = request.session.pop(SESSION_KEY, None)
    if not isinstance(note, dict) or note.get("cohort") != cohort_id:
        return None
    if timezone.now().timestamp() - note.get("at", 0) > NOTE_LIFETIME.total_seconds():
        return None
    return SentNote(email=str(note.get("email", "")), card=bool(note.get("card")))
