"""Shared set-up for the bookings tests."""

from datetime import datetime, timezone

from wagtail.models import ModelLogEntry

from bookings.services.placing import Participant, consent_text_for


def audit_entries(action: str):
    """The log entries (bookings/audit.py) of one kind, oldest first."""
    return ModelLogEntry.objects.filter(action=action).select_related("user").order_by("pk")


def participant_for(program, n: int = 0, **fields) -> Participant:
    values = dict(
        name=f"Participant {n}",
        email=f"person{n}@example.org",
        consent_text=consent_text_for(program),
        time_zone="Europe/Paris",
        answers={"why": {"question": "What brings you here?", "answer": "I would like to be kinder to myself."}},
    )
    values.update(fields)
    return Participant(**values)


# The bookings tests run on this day, before every factory cohort starts (9 March 2027).
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
