"""Row locks, always taken in the same order: the cohort, then the booking."""

from django.db import transaction

from bookings.models import Booking
from programs.models import Cohort


def lock_cohort(cohort_id: int) -> Cohort:
    """Lock the row that stands for the scarce thing. Call inside `transaction.atomic()`.

    On PostgreSQL this is `SELECT … FOR UPDATE`; on SQLite the connection opens every
    transaction with BEGIN IMMEDIATE, so the whole database is already locked for writes.
    """
    assert transaction.get_connection().in_atomic_block, "lock_cohort needs a transaction"
    # OF self: the program's page row stays free for editors and for its other cohorts' bookings.
    return Cohort.objects.select_for_update(of=("self",)).select_related("program").get(pk=cohort_id)


# What decides whether a cohort takes a booking, how many and at what price: read again under its lock.
BOOKING_SWITCHES = (
    "status", "capacity", "booking_opens_at", "booking_closes_at",
    "price", "allow_drop_ins", "drop_in_price", "closes_after_session",
)


def lock_cohort_for_booking(cohort: Cohort) -> Cohort:
    """Lock `cohort`'s row and bring its booking switches up to date; the rest stays as read.

    One narrow query, where `lock_cohort` loads the program as well: the lock is held for
    less time on the path every booking takes.
    """
    assert transaction.get_connection().in_atomic_block, "lock_cohort_for_booking needs a transaction"
    fresh = Cohort.objects.select_for_update().filter(pk=cohort.pk).values_list(*BOOKING_SWITCHES).get()
    for name, value in zip(BOOKING_SWITCHES, fresh, strict=True):
        setattr(cohort, name, value)
    return cohort


def lock_booking(booking_id: int) -> tuple[Cohort, Booking]:
    cohort_id = Booking.objects.values_list("cohort_id", flat=True).get(pk=booking_id)
    cohort = lock_cohort(cohort_id)
    return cohort, Booking.objects.select_for_update().get(pk=booking_id)
