"""Row locks, always taken in the same order: the cohort, then the booking."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import OperationalError, connection, transaction

from bookings.exceptions import BookingBusy
from bookings.models import Booking
from programs.models import Cohort

# PostgreSQL's SQLSTATE for "could not obtain lock" (lock_timeout ran out).
LOCK_NOT_AVAILABLE = "55P03"


@contextmanager
def locking_transaction() -> Iterator[None]:
    """`transaction.atomic()` for work that locks a cohort, with the wait for that lock bounded.

    A rush on one group must not keep a request waiting until the web server kills it (a
    500): after BOOKING_LOCK_TIMEOUT_MS on PostgreSQL (`SET LOCAL lock_timeout`, for this
    transaction only), or SQLite's busy timeout (DATABASES OPTIONS "timeout", waited out at
    BEGIN IMMEDIATE), the work is rolled back and `BookingBusy` raised, so the person is
    asked to try again in a moment and nothing is written.
    """
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # An int, so formatting it in is safe; SET takes no bound parameters.
                    cursor.execute(f"SET LOCAL lock_timeout = {int(settings.BOOKING_LOCK_TIMEOUT_MS)}")
            yield
    except OperationalError as error:
        if not _is_lock_timeout(error):
            raise
        raise BookingBusy() from error


def _is_lock_timeout(error: OperationalError) -> bool:
    if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
        return True
    # SQLite: "database is locked" once the busy timeout runs out ("database table is locked"
    # for the shared-cache in-memory database of the tests).
    return connection.vendor == "sqlite" and "is locked" in str(error)


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
