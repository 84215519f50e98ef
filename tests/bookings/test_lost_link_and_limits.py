"""The lost-link form answers the same for known and unknown addresses; public forms are rate-limited."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from bookings.models import EmailKind, EmailLog
from bookings.services.email_sending import send_planned_email
from bookings.services.placing import place_booking
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking():
    _, index = build_site()
    program = add_program(index, default_price=Decimal("0"))
    return place_booking(cohort_id=CohortFactory(program=program, price=Decimal("0")).pk,
                         participant=participant_for(program, 1))


def without_csrf_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(client, booking):
    known = client.post(reverse("bookings:lost-link"), {"email": "PERSON1@example.org"})
    unknown = client.post(reverse("bookings:lost-link"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert without_csrf_token(known) == without_csrf_token(unknown)
    (log,) = EmailLog.objects.filter(kind=EmailKind.BOOKING_LINK)
    send_planned_email(log_id=log.pk, organisation="Circles")
    assert booking.get_absolute_url() in mail.outbox[0].body


def test_asking_again_within_the_hour_sends_one_email(client, booking):
    for _ in range(3):
        client.post(reverse("bookings:lost-link"), {"email": "person1@example.org"})
    assert EmailLog.objects.filter(kind=EmailKind.BOOKING_LINK).count() == 1


def test_the_lost_link_form_is_rate_limited(client, booking):
    for _ in range(5):
        assert client.post(reverse("bookings:lost-link"), {"email": "x@example.org"}).status_code == 200
    response = client.post(reverse("bookings:lost-link"), {"email": "x@example.org"})
    assert response.status_code == 429
    assert "Please wait a moment" in response.content.decode()


def test_a_bad_address_is_a_clear_error(client):
    response = client.post(reverse("bookings:lost-link"), {"email": "not an email"})
    assert response.status_code == 422 and "Enter a valid email address" in response.content.decode()


def test_the_booking_form_is_rate_limited_per_address(client, booking):
    url = reverse("bookings:book", args=[booking.cohort_id])
    statuses = [client.post(url, {"name": "", "email": ""}).status_code for _ in range(21)]
    assert statuses[:20] == [422] * 20 and statuses[20] == 429
    other = client.post(url, {"name": "", "email": ""}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 422
