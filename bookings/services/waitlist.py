"""The waitlist: join when full, get a time-limited offer when a seat frees, leave or decline by link."""

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bookings.exceptions import AlreadyBooked, BookingClosed, CohortFull, NotAllowedNow
from bookings.models import Booking, WaitlistEntry, WaitlistState
from bookings.seats import seats_taken
from bookings.services.email_planning import plan_booking_links
from bookings.services.locking import lock_cohort, locking_transaction
from bookings.services.placing import ensure_bookable
from programs.models import Cohort


def join_waitlist(*, cohort_id: int, name: str, email: str, now: datetime | None = None) -> WaitlistEntry:
    """Put someone in line for a full cohort."""
    now = now or timezone.now()
    email = email.strip()
    with locking_transaction():
        cohort = lock_cohort(cohort_id)
        if cohort.status != Cohort.Status.OPEN:
            raise BookingClosed("This group is not taking bookings, so its waitlist is closed.")
        if seats_taken(cohort_id=cohort.pk, now=now) < cohort.capacity:
            raise NotAllowedNow("There are places left in this group: you can book one straight away.")
        if Booking.objects.active().filter(cohort=cohort, email__iexact=email).exists():
            raise AlreadyBooked("This email address already has a place or an application for this group.")
        waiting = WaitlistEntry.objects.filter(
            cohort=cohort, email__iexact=email, state__in=[WaitlistState.WAITING, WaitlistState.OFFERED]
        )
        if waiting.exists():
            raise AlreadyBooked("This email address is already on the waitlist for this group.")
        return WaitlistEntry.objects.create(cohort=cohort, name=name.strip(), email=email)


def join_waitlist_quietly(*, cohort_id: int, name: str, email: str, now: datetime | None = None) -> WaitlistEntry | None:
    """`join_waitlist` for the public form, which must not tell whether an address is in line
    or has a place.

    The link goes to the address, never to the browser: a new place in line, the one the
    address holds already, or its booking in this group; for the last two nothing is made and
    None is returned. Other refusals (closed, places left) are raised as before: a stranger
    meets them too.
    """
    with transaction.atomic():
        try:
            entry = join_waitlist(cohort_id=cohort_id, name=name, email=email, now=now)
        except AlreadyBooked:
            entry = None
        plan_booking_links(email=email, cohort_id=cohort_id, now=now)
    return entry


def offer_free_seats(*, cohort_id: int, now: datetime | None = None) -> list[WaitlistEntry]:
    """Offer every free seat to the next person in line; lapsed offers pass to the next.

    Each offer reserves its seat until it expires. Sending the offer is the emails' job:
    an entry in state OFFERED with `offered_at` is the record they work from.
    """
    now = now or timezone.now()
    with locking_transaction():
        cohort = lock_cohort(cohort_id)
        WaitlistEntry.objects.filter(
            cohort=cohort, state=WaitlistState.OFFERED, offer_expires_at__lte=now
        ).update(state=WaitlistState.LAPSED)
        if cohort.status != Cohort.Status.OPEN or not _still_taking_people(cohort, now=now):
            return []
        free = cohort.capacity - seats_taken(cohort_id=cohort.pk, now=now)
        if free <= 0:
            return []
        offered = list(
            WaitlistEntry.objects.select_for_update()
            .filter(cohort=cohort, state=WaitlistState.WAITING)
            .order_by("created_at", "pk")[:free]
        )
        for entry in offered:
            entry.state = WaitlistState.OFFERED
            entry.offered_at = now
            entry.offer_expires_at = now + timedelta(hours=settings.WAITLIST_OFFER_HOURS)
            entry.save(update_fields=["state", "offered_at", "offer_expires_at"])
    return offered


def leave_waitlist(*, code: str, now: datetime | None = None) -> WaitlistEntry:
    """Leave the line, or decline an offer: either way the seat goes to the next person."""
    now = now or timezone.now()
    cohort_id = WaitlistEntry.objects.values_list("cohort_id", flat=True).get(code=code)
    with locking_transaction():
        lock_cohort(cohort_id)
        entry = WaitlistEntry.objects.select_for_update().get(code=code)
        if entry.state == WaitlistState.WAITING:
            entry.state = WaitlistState.LEFT
        elif entry.state == WaitlistState.OFFERED:
            entry.state = WaitlistState.DECLINED
        else:
            return entry
        entry.save(update_fields=["state"])
        from bookings.tasks import offer_waitlist_seats

        transaction.on_commit(partial(offer_waitlist_seats.enqueue, cohort_id=cohort_id))
    return entry


def _still_taking_people(cohort: Cohort, *, now: datetime) -> bool:
    try:
        ensure_bookable(cohort, now=now)
    except BookingClosed:
        return False
    return True


def offer_seat_to(*, entry_id: int, now: datetime | None = None) -> WaitlistEntry:
    """Staff offer a free seat to one person on the waitlist, whatever their place in line."""
    now = now or timezone.now()
    cohort_id = WaitlistEntry.objects.values_list("cohort_id", flat=True).get(pk=entry_id)
    with locking_transaction():
        cohort = lock_cohort(cohort_id)
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry_id)
        if entry.state == WaitlistState.OFFERED and entry.offer_expires_at > now:
            return entry
        if entry.state != WaitlistState.WAITING:
            raise NotAllowedNow("This person is no longer waiting.")
        if seats_taken(cohort_id=cohort.pk, now=now) >= cohort.capacity:
            raise CohortFull("There is no free seat to offer yet.")
        entry.state = WaitlistState.OFFERED
        entry.offered_at = now
        entry.offer_expires_at = now + timedelta(hours=settings.WAITLIST_OFFER_HOURS)
        entry.save(update_fields=["state", "offered_at", "offer_expires_at"])
    return entry
