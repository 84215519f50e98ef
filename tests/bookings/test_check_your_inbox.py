"""The "check your inbox" pages after the booking and waitlist forms: they say what happens next,
echo only the address this visitor typed (kept in their session, never in a URL), offer the
link again, and tell a card booking how long its seat is kept, without claiming a place was made."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from bookings.models import Booking
from bookings.services.placing import place_booking
from tests.bookings.helpers import NOW, participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    _, index = build_site()
    return add_program(index, title="Gentle circle", default_price=Decimal("0"))


@pytest.fixture
def cohort(program):
    return CohortFactory(program=program, price=Decimal("0"), capacity=2)


def book(client, cohort, email="sam@example.org", **extra):
    data = {"name": "Sam", "email": email, "consent": "on", **extra}
    return client.post(reverse("bookings:book", args=[cohort.pk]), data)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_page_names_the_address_the_visitor_typed_but_never_in_the_url(client, cohort):
    redirect = book(client, cohort, email="sam@example.org")
    assert "sam" not in redirect["Location"] and "example" not in redirect["Location"]

    page = text_of(client.get(redirect["Location"]))

    assert "Check your inbox" in page
    assert "We are sending an email to <strong>sam@example.org</strong>" in page
    assert "What happens next" in page
    assert reverse("bookings:lost-link") in page  # ask for the link again


def test_a_visitor_who_did_not_send_the_form_sees_no_address(client, cohort):
    book(client, cohort, email="sam@example.org")
    page = text_of(Client().get(reverse("bookings:booked", args=[cohort.pk])))
    assert "sam@example.org" not in page and "the address you gave" in page


def test_the_address_is_shown_once_for_that_group_and_not_after_a_few_minutes(client, cohort, program):
    other = CohortFactory(program=program, price=Decimal("0"))
    book(client, cohort)
    assert "sam@example.org" not in text_of(client.get(reverse("bookings:booked", args=[other.pk])))

    book(client, other, email="kim@example.org")
    assert "kim@example.org" in text_of(client.get(reverse("bookings:booked", args=[other.pk])))
    assert "kim@example.org" not in text_of(client.get(reverse("bookings:booked", args=[other.pk])))  # read once

    with time_machine.travel(NOW, tick=False) as clock:
        book(client, cohort, email="lee@example.org")
        clock.shift(timedelta(minutes=11))
        assert "lee@example.org" not in text_of(client.get(reverse("bookings:booked", args=[cohort.pk])))


def test_the_page_is_never_stored_and_claims_no_place(client, cohort):
    response = client.get(book(client, cohort)["Location"])
    assert "no-store" in response["Cache-Control"]
    page = text_of(response)
    assert "confirmed" not in page.lower()
    assert "if you already had a place" in page.lower()


def test_a_known_address_and_a_new_one_see_the_same_page_apart_from_what_they_typed(client, cohort):
    place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, 1, email="robin@example.org"))
    known = text_of(client.get(book(client, cohort, email="robin@example.org")["Location"]))
    new = text_of(client.get(book(client, cohort, email="new@example.org")["Location"]))
    assert known.replace("robin@example.org", "X") == new.replace("new@example.org", "X")
    assert Booking.objects.count() == 2


def test_a_card_booking_is_told_how_long_its_seat_is_kept(client, program, settings):
    settings.STRIPE_SECRET_KEY, settings.BOOKING_HOLD_MINUTES = "sk_test_stand_in", 25
    paid = CohortFactory(program=program, price=Decimal("90.00"))

    page = text_of(client.get(book(client, paid)["Location"]))

    assert "we keep the seat for you for 25 minutes" in page
    assert "pay by card" in page


def test_a_free_booking_hears_nothing_about_holding_a_seat(client, cohort):
    page = text_of(client.get(book(client, cohort)["Location"]))
    assert "minutes" not in page.replace("a few minutes", "")


def test_the_waitlist_page_names_the_typed_address_and_offers_the_link_again(client, cohort, program):
    full = CohortFactory(program=program, price=Decimal("0"), capacity=1)
    place_booking(cohort_id=full.pk, participant=participant_for(program, 0))
    redirect = client.post(reverse("bookings:join-waitlist", args=[full.pk]), {"name": "Ana", "email": "ana@example.org"})
    assert "ana" not in redirect["Location"]

    response = client.get(redirect["Location"])
    page = text_of(response)

    assert "no-store" in response["Cache-Control"]
    assert "We are sending an email to <strong>ana@example.org</strong>" in page
    assert "place in line" in page and reverse("bookings:lost-link") in page
    assert "24 hours" in page  # how long an offer is kept, from WAITLIST_OFFER_HOURS
