"""The waitlist: offers hold a seat for a day, pass on when they lapse or are declined; late joiners."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from bookings.exceptions import AlreadyBooked, BookingClosed, CohortFull, NotAllowedNow
from bookings.models import Booking, BookingState, WaitlistEntry, WaitlistState
from bookings.seats import seats_taken
from bookings.services.cancelling import cancel_booking
from bookings.services.placing import place_booking
from bookings.services.waitlist import join_waitlist, leave_waitlist, offer_free_seats
from tests.bookings.helpers import NOW, participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db




@pytest.fixture
def full_cohort():
    _, index = build_site()
    program = add_program(index, title="Free circle", default_price=Decimal("0"))
    cohort = CohortFactory(program=program, price=Decimal("0"), capacity=1)
    place_booking(cohort_id=cohort.pk, participant=participant_for(program, 0))
    return cohort


def test_joining_is_only_for_a_full_cohort_and_once_per_email(full_cohort):
    first = join_waitlist(cohort_id=full_cohort.pk, name="Ana", email="ana@example.org")
    assert first.state == WaitlistState.WAITING
    with pytest.raises(AlreadyBooked):
        join_waitlist(cohort_id=full_cohort.pk, name="Ana", email="ANA@example.org")
    with pytest.raises(AlreadyBooked):
        join_waitlist(cohort_id=full_cohort.pk, name="Booked", email="person0@example.org")
    cancel_booking(booking_id=Booking.objects.get().pk)
    with pytest.raises(NotAllowedNow):
        join_waitlist(cohort_id=full_cohort.pk, name="Ben", email="ben@example.org")
    assert WaitlistEntry.objects.count() == 1


def test_a_freed_seat_is_offered_to_the_first_in_line_and_held_for_them(full_cohort):
    ana = join_waitlist(cohort_id=full_cohort.pk, name="Ana", email="ana@example.org")
    ben = join_waitlist(cohort_id=full_cohort.pk, name="Ben", email="ben@example.org")
    cancel_booking(booking_id=Booking.objects.get().pk)

    offered = offer_free_seats(cohort_id=full_cohort.pk)

    assert [entry.pk for entry in offered] == [ana.pk]
    ana.refresh_from_db()
    assert ana.state == WaitlistState.OFFERED and ana.offered_at == NOW
    assert ana.offer_expires_at == NOW + timedelta(hours=24)
    assert seats_taken(cohort_id=full_cohort.pk, now=NOW) == 1  # the offer holds the seat
    with pytest.raises(CohortFull):
        place_booking(cohort_id=full_cohort.pk, participant=participant_for(full_cohort.program, 7))
    assert offer_free_seats(cohort_id=full_cohort.pk) == []  # running it again offers nothing twice
    ben.refresh_from_db()
    assert ben.state == WaitlistState.WAITING


def test_taking_the_offer_books_the_reserved_seat(full_cohort):
    ana = join_waitlist(cohort_id=full_cohort.pk, name="Ana", email="ana@example.org")
    cancel_booking(booking_id=Booking.objects.get().pk)
    offer_free_seats(cohort_id=full_cohort.pk)

    booking = place_booking(
        cohort_id=full_cohort.pk, participant=participant_for(full_cohort.program, 1, email="ana@example.org"),
        waitlist_code=ana.code,
    )

    ana.refresh_from_db()
    assert booking.state == BookingState.CONFIRMED
    assert (ana.state, ana.booking_id) == (WaitlistState.ACCEPTED, booking.pk)
    assert seats_taken(cohort_id=full_cohort.pk, now=NOW) == 1


def test_a_lapsed_offer_passes_to_the_next_person(full_cohort):
    ana = join_waitlist(cohort_id=full_cohort.pk, name="Ana", email="ana@example.org")
    ben = join_waitlist(cohort_id=full_cohort.pk, name="Ben", email="ben@example.org")
    cancel_booking(booking_id=Booking.objects.get().pk)
    offer_free_seats(cohort_id=full_cohort.pk)

    with time_machine.travel(NOW + timedelta(hours=25), tick=False):
        call_command("bookings_tick")
        with pytest.raises(NotAllowedNow):
            place_booking(cohort_id=full_cohort.pk, participant=participant_for(full_cohort.program, 1), waitlist_code=ana.code)

    ana.refresh_from_db(), ben.refresh_from_db()
    assert ana.state == WaitlistState.LAPSED
    assert ben.state == WaitlistState.OFFERED


def test_declining_by_link_passes_the_offer_on(client, full_cohort, django_capture_on_commit_callbacks):
    ana = join_waitlist(cohort_id=full_cohort.pk, name="Ana", email="ana@example.org")
    ben = join_waitlist(cohort_id=full_cohort.pk, name="Ben", email="ben@example.org")
    cancel_booking(booking_id=Booking.objects.get().pk)
    offer_free_seats(cohort_id=full_cohort.pk)

    page = client.get(reverse("bookings:waitlist", args=[ana.code])).content.decode()
    assert "A place is waiting for you" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("bookings:waitlist", args=[ana.code]))

    ana.refresh_from_db(), ben.refresh_from_db()
    assert (ana.state, ben.state) == (WaitlistState.DECLINED, WaitlistState.OFFERED)


def test_leaving_the_waitlist_by_link(client, full_cohort):
    ana = join_waitlist(cohort_id=full_cohort.pk, name="Ana", email="ana@example.org")
    assert "number 1 in line" in client.get(reverse("bookings:waitlist", args=[ana.code])).content.decode()
    client.post(reverse("bookings:waitlist", args=[ana.code]))
    ana.refresh_from_db()
    assert ana.state == WaitlistState.LEFT
    assert leave_waitlist(code=ana.code).state == WaitlistState.LEFT


def test_cancelling_a_place_offers_it_to_the_waitlist(full_cohort, django_capture_on_commit_callbacks):
    ana = join_waitlist(cohort_id=full_cohort.pk, name="Ana", email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking_id=Booking.objects.get().pk)
    ana.refresh_from_db()
    assert ana.state == WaitlistState.OFFERED


def test_the_waitlist_form_over_http(client, full_cohort):
    response = client.post(reverse("bookings:join-waitlist", args=[full_cohort.pk]), {"name": "Ana", "email": "bad"})
    assert response.status_code == 422 and WaitlistEntry.objects.count() == 0
    response = client.post(reverse("bookings:join-waitlist", args=[full_cohort.pk]), {"name": "Ana", "email": "ana@example.org"})
    WaitlistEntry.objects.get()
    assert response["Location"] == reverse("bookings:waitlist-sent", args=[full_cohort.pk])
    assert client.get(reverse("bookings:waitlist", args=["not-a-code"])).status_code == 404


def test_the_program_page_offers_the_waitlist_when_full(client, full_cohort):
    body = client.get(full_cohort.program.url).content.decode()
    assert "This group is full." in body
    assert reverse("bookings:join-waitlist", args=[full_cohort.pk]) in body


def late_cohort(**program_fields):
    _, index = build_site()
    program = add_program(index, title="Late-friendly", allow_pay_later=True, **program_fields)
    # Sessions on 3, 10, 17, 24 Nov and 1, 8 Dec 2026 (Tuesdays, 19:00): at NOW three have started.
    return CohortFactory(program=program, price=Decimal("120.00"), start_date=date(2026, 11, 3), weeks=6,
                         closes_after_session=5)


def test_a_late_joiner_pays_for_the_sessions_left():
    cohort = late_cohort(allow_late_joiners=True, prorate_late_joiners=True)
    booking = place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program))
    assert booking.amount == Decimal("60.00")  # 3 of 6 sessions left
    assert booking.payment_due_on == date(2026, 11, 24)


def test_a_late_joiner_pays_in_full_when_the_program_does_not_prorate():
    cohort = late_cohort(allow_late_joiners=True, prorate_late_joiners=False)
    assert place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program)).amount == Decimal("120.00")


def test_nobody_joins_once_the_group_has_closed():
    cohort = late_cohort(allow_late_joiners=True)
    cohort.closes_after_session = 3
    cohort.save()
    with pytest.raises(BookingClosed):
        place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program))


def test_late_joining_needs_the_program_to_allow_it():
    cohort = late_cohort(allow_late_joiners=False)
    with pytest.raises(BookingClosed):
        place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program))
    assert Booking.objects.count() == 0


def test_the_tick_runs_once_with_once_and_refuses_a_negative_interval(full_cohort):
    from django.core.management.base import CommandError

    ana = join_waitlist(cohort_id=full_cohort.pk, name="Ana", email="ana@example.org")
    cancel_booking(booking_id=Booking.objects.get().pk)
    call_command("bookings_tick", "--once")  # returns: a loop would never end this test
    ana.refresh_from_db()
    assert ana.state == WaitlistState.OFFERED
    with pytest.raises(CommandError):
        call_command("bookings_tick", "--every", "-5")
    with pytest.raises(CommandError):
        call_command("bookings_tick", "--once", "--every", "5")
