"""Staff moving a participant to another cohort of the same program."""

from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from bookings import audit
from bookings.exceptions import AlreadyBooked, CohortFull, InvalidChoice, NotAllowedNow
from bookings.models import Booking
from bookings.seats import seats_taken
from bookings.services.locking import lock_cohort, locking_transaction


def move_booking(*, booking_id: int, to_cohort_id: int, acting_user=None, now: datetime | None = None) -> Booking:
    """Move a place to another cohort; the freed seat goes down the old cohort's waitlist."""
    now = now or timezone.now()
    from_cohort_id = Booking.objects.values_list("cohort_id", flat=True).get(pk=booking_id)
    if from_cohort_id == to_cohort_id:
        return Booking.objects.get(pk=booking_id)
    with locking_transaction():
        # Both cohorts locked, always in id order, so two opposite moves cannot deadlock.
        locked = {cohort_id: lock_cohort(cohort_id) for cohort_id in sorted({from_cohort_id, to_cohort_id})}
        source, target = locked[from_cohort_id], locked[to_cohort_id]
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if booking.cohort_id != from_cohort_id:
            raise NotAllowedNow("This booking was moved meanwhile; please look again.")
        if target.program_id != source.program_id:
            raise InvalidChoice("A place can only move to another cohort of the same program.")
        if booking.session_id:
            raise InvalidChoice("A drop-in is for one session; cancel it and book the other cohort instead.")
        if not (booking.has_place or booking.hold_is_live):
            raise NotAllowedNow("Only a booking with a place can be moved.")
        if Booking.objects.active().filter(cohort=target, email__iexact=booking.email).exists():
            raise AlreadyBooked("This person already has a place or an application in that cohort.")
        if seats_taken(cohort_id=target.pk, now=now) >= target.capacity:
            raise CohortFull("That cohort is full.")
        booking.cohort = target
        booking.save(update_fields=["cohort"])
        audit.record(booking_id=booking.pk, action="bookings.move", acting_user=acting_user,
                     from_cohort=source.pk, to_cohort=target.pk)

        from bookings.tasks import offer_waitlist_seats

        transaction.on_commit(partial(offer_waitlist_seats.enqueue, cohort_id=source.pk))
    return booking
