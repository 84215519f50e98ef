"""The waitlist form keeps membership to itself (issue 14, finding 3's rule applied to the waitlist):
a new address, one already in line and one that already has a place all get the same
"check your inbox" page, and the link to the waitlist page goes to the address only."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from bookings.models import Booking, EmailKind, EmailLog, WaitlistEntry, WaitlistState
from bookings.services.email_sending import send_planned_email
from bookings.services.placing import place_booking
from bookings.services.waitlist import join_waitlist
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

BOOKED = "person0@example.org"  # has the one place of the full group


@pytest.fixture
def full_cohort():
    _, index = build_site()
    program = add_program(index, title="Free circle", default_price=Decimal("0"))
    cohort = CohortFactory(program=program, price=Decimal("0"), capacity=1)
    place_booking(cohort_id=cohort.pk, participant=participant_for(program, 0, email=BOOKED))
    return cohort


def join(client, cohort, email, name="Someone"):
    """The redirect and the page it leads to, as the visitor's browser sees them."""
    response = client.post(reverse("bookings:join-waitlist", args=[cohort.pk]), {"name": name, "email": email})
    return response, client.get(response["Location"])


def answer(response, typed: str) -> str:
    """The page without its CSRF token and without the address the visitor typed themselves
    (echoing that back tells them nothing they did not know)."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return body.replace(typed, "ADDRESS")


def emails_to(address: str):
    for log in EmailLog.objects.filter(to__iexact=address):
        send_planned_email(log_id=log.pk, organisation="Circles")
    return [message for message in mail.outbox if message.to == [address]]


def test_joining_answers_check_your_inbox_and_sends_the_waitlist_link_to_the_address(client, full_cohort):
    redirect, page = join(client, full_cohort, "ana@example.org", name="Ana")

    entry = WaitlistEntry.objects.get(email="ana@example.org")
    assert redirect.status_code == 302 and entry.code not in redirect["Location"]
    assert page.status_code == 200 and "Check your inbox" in page.content.decode()
    assert entry.code not in page.content.decode()
    (email,) = emails_to("ana@example.org")
    assert EmailLog.objects.get(to="ana@example.org").kind == EmailKind.WAITLIST_LINK
    assert reverse("bookings:waitlist", args=[entry.code]) in email.body
    assert "number 1 in line" in client.get(reverse("bookings:waitlist", args=[entry.code])).content.decode()


def test_an_address_already_in_line_gets_the_answer_a_new_one_gets_and_its_link_by_email(client, full_cohort):
    waiting = join_waitlist(cohort_id=full_cohort.pk, name="Robin", email="robin@example.org")

    known_redirect, known = join(client, full_cohort, "ROBIN@example.org")
    new_redirect, new = join(client, full_cohort, "new@example.org")

    assert known_redirect["Location"] == new_redirect["Location"]
    assert known.status_code == new.status_code == 200
    assert answer(known, "ROBIN@example.org") == answer(new, "new@example.org")
    assert waiting.code not in known.content.decode() + known_redirect["Location"]
    assert WaitlistEntry.objects.filter(email__iexact="robin@example.org").count() == 1
    (email,) = emails_to("robin@example.org")
    assert reverse("bookings:waitlist", args=[waiting.code]) in email.body


def test_an_address_with_a_place_gets_the_same_answer_and_its_booking_link_by_email(client, full_cohort):
    booking = Booking.objects.get(email=BOOKED)

    booked_redirect, booked = join(client, full_cohort, BOOKED)
    new_redirect, new = join(client, full_cohort, "new@example.org")

    assert booked_redirect["Location"] == new_redirect["Location"]
    assert answer(booked, BOOKED) == answer(new, "new@example.org")
    assert booking.code not in booked.content.decode() + booked_redirect["Location"]
    assert not WaitlistEntry.objects.filter(email=BOOKED).exists()
    (email,) = emails_to(BOOKED)
    assert booking.get_absolute_url() in email.body


def test_asking_again_within_the_hour_sends_one_email(client, full_cohort):
    for _ in range(3):
        join(client, full_cohort, "ana@example.org")
    assert len(emails_to("ana@example.org")) == 1
    assert WaitlistEntry.objects.filter(state=WaitlistState.WAITING).count() == 1


def test_a_group_with_places_left_still_says_so_to_everyone(client, full_cohort):
    Booking.objects.update(state="cancelled")
    for email in [BOOKED, "new@example.org"]:
        response = client.post(reverse("bookings:join-waitlist", args=[full_cohort.pk]), {"name": "X", "email": email})
        assert response.status_code == 409 and "places left" in response.content.decode()
    assert not WaitlistEntry.objects.exists() and not EmailLog.objects.filter(kind=EmailKind.WAITLIST_LINK).exists()


def test_the_lost_link_form_sends_a_waitlist_link_too(client, full_cohort):
    entry = join_waitlist(cohort_id=full_cohort.pk, name="Robin", email="robin@example.org")
    client.post(reverse("bookings:lost-link"), {"email": "robin@example.org"})
    (email,) = emails_to("robin@example.org")
    assert reverse("bookings:waitlist", args=[entry.code]) in email.body


def test_no_waitlist_link_goes_out_once_the_person_left_the_line(client, full_cohort):
    join(client, full_cohort, "ana@example.org")
    WaitlistEntry.objects.update(state=WaitlistState.LEFT)
    assert emails_to("ana@example.org") == []
