"""Every public form fed bad input answers 4xx with a message, never 500, and writes nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bookings.models import Booking, EmailLog, WaitlistEntry
from bookings.services.placing import place_booking
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

BAD_VALUES = [
    "",
    " ",
    "x" * 10_000,
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "🧒🏽💛 ünïcödé ☯",
    "\u202eevil\u202c",
    "null",
    "-1",
    "1e309",
    "../../etc/passwd",
    "Robert'); DROP TABLE bookings_booking;--",
    "\x00",
    "é".encode("latin-1").decode("latin-1"),
]
FIELDS = ["name", "email", "emergency_contact", "access_needs", "time_zone", "consent", "tier", "payment_method", "place"]


@pytest.fixture
def cohort():
    _, index = build_site()
    program = add_program(index, title="Circle", default_price=Decimal("0"))
    return CohortFactory(program=program, price=Decimal("0"))


def valid_booking_data():
    return {"name": "Sam", "email": "sam@example.org", "consent": "on"}


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("value", BAD_VALUES)
def test_the_booking_form_never_breaks(client, cohort, field, value):
    data = {**valid_booking_data(), field: value}
    response = client.post(reverse("bookings:book", args=[cohort.pk]), data)
    assert response.status_code in {302, 409, 422}, response.status_code
    if response.status_code != 302:
        assert Booking.objects.count() == 0
        assert 'role="alert"' in response.content.decode()
    else:  # an ignorable field (e.g. time zone, unused choices): a clean booking
        booking = Booking.objects.get()
        assert booking.email == "sam@example.org"


@pytest.mark.parametrize("value", BAD_VALUES)
def test_the_waitlist_form_never_breaks(client, cohort, value):
    cohort.capacity = 1
    cohort.save()
    place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program))
    for field in ("name", "email"):
        data = {"name": "Ana", "email": "ana@example.org", field: value}
        response = client.post(reverse("bookings:join-waitlist", args=[cohort.pk]), data)
        assert response.status_code in {302, 409, 422}
        if response.status_code != 302:
            assert WaitlistEntry.objects.count() == 0
        else:
            assert client.get(response["Location"]).status_code == 200
        EmailLog.objects.all().delete()  # the emailed waitlist link holds on to its entry
        WaitlistEntry.objects.all().delete()


@pytest.mark.parametrize("value", BAD_VALUES)
def test_the_lost_link_and_cancel_forms_never_break(client, cohort, value):
    booking = place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program))
    assert client.post(reverse("bookings:lost-link"), {"email": value}).status_code in {200, 422}
    response = client.post(reverse("bookings:cancel", args=[booking.code]), {"confirm": value})
    assert response.status_code in {302, 422}
    assert client.post(reverse("bookings:erase", args=[booking.code]), {"confirm": ""}).status_code == 422


@pytest.mark.parametrize("path", ["/booking/%00/", "/booking/" + "é" * 40 + "/", "/m/not-a-token/", "/waitlist/%F0%9F/",
                                  "/book/99999999999999999999/", "/booking/x/calendar.ics"])
def test_odd_urls_are_404_not_500(client, path):
    assert client.get(path).status_code == 404
