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
    return Cohort.objects.select_for_update().select_related("program").get(pk=cohort_id)


def lock_booking(booking_id: int) -> tuple[Cohort, Booking]:
    cohort_id = Booking.objects.values_list("cohort_id", flat=True).get(pk=booking_id)
    cohort = lock_cohort(cohort_id)
    return cohort, Booking.objects.select_for_update().get(pk=booking_id)
