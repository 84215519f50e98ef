"""What the private booking page shows, and to whom: materials and the join link only for a place."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings

from bookings.services.cancelling import cancel_booking
from bookings.services.placing import place_booking
from programs.models import SessionMaterial
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

JOIN = "https://meet.example.org/private-room"


@pytest.fixture
def cohort():
    _, index = build_site()
    program = add_program(index, title="Circle", default_price=Decimal("0"), prep_lead_time_hours=48)
    cohort = CohortFactory(program=program, price=Decimal("0"), weeks=3, meeting_url=JOIN)
    SessionMaterial.objects.create(session=cohort.sessions.order_by("starts_at").first(), title="Welcome letter", note="Hi")
    return cohort


def page(client, booking) -> str:
    return client.get(booking.get_absolute_url()).content.decode()


def test_the_join_link_appears_only_inside_its_window(client, cohort):
    booking = place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program))
    first = cohort.sessions.order_by("starts_at").first()
    assert JOIN not in page(client, booking)
    with time_machine.travel(first.starts_at - timedelta(hours=47), tick=False):
        assert JOIN in page(client, booking)
    with time_machine.travel(first.ends_at + timedelta(minutes=1), tick=False):
        assert JOIN not in page(client, booking)


def test_materials_show_for_a_booking_with_a_place_only(client, cohort):
    booking = place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program))
    assert "Welcome letter" in page(client, booking)
    cancel_booking(booking_id=booking.pk)
    body = page(client, booking)
    assert "Welcome letter" not in body
    with time_machine.travel(cohort.sessions.order_by("starts_at").first().starts_at - timedelta(hours=1), tick=False):
        assert JOIN not in page(client, booking)


@override_settings(STRIPE_SECRET_KEY="sk_test_x")
def test_a_held_booking_sees_no_materials_or_join_link(client, cohort):
    program = cohort.program
    program.default_price = Decimal("50")
    cohort.price = Decimal("50")
    cohort.save()
    booking = place_booking(cohort_id=cohort.pk, participant=participant_for(program), payment_method="stripe")
    with time_machine.travel(cohort.sessions.order_by("starts_at").first().starts_at - timedelta(hours=1), tick=False):
        body = page(client, booking)
    assert "Welcome letter" not in body and JOIN not in body


def test_another_or_a_guessed_code_shows_nothing(client, cohort):
    place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program))
    for code in ["A" * 32, "guess", "../../admin"]:
        response = client.get(f"/booking/{code}/")
        assert response.status_code == 404
        assert "Welcome letter" not in response.content.decode()


def test_a_cancelled_booking_offers_no_calendar(client):
    _, index = build_site()
    program = add_program(index, default_price=Decimal("0"))
    booking = place_booking(cohort_id=CohortFactory(program=program, price=0).pk, participant=participant_for(program))
    assert "Add the sessions to your calendar" in client.get(booking.get_absolute_url()).content.decode()
    cancel_booking(booking_id=booking.pk)
    assert "Add the sessions to your calendar" not in client.get(booking.get_absolute_url()).content.decode()
