"""A participant's own data: download it, erase it; intake answers expire on their own."""

import json
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from bookings.models import Booking, Payment
from bookings.services.email_planning import plan_emails
from bookings.services.payments import mark_paid
from bookings.services.placing import place_booking
from bookings.services.privacy import erase_expired_intake_answers
from bookings.services.waitlist import join_waitlist
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

EMAIL = "robin.private@example.org"


@pytest.fixture
def robin():
    _, index = build_site()
    program = add_program(index, title="Circle", allow_pay_later=True)
    cohort = CohortFactory(program=program, capacity=1)
    booking = place_booking(cohort_id=cohort.pk, participant=participant_for(
        program, 1, name="Robin Private", email=EMAIL, emergency_contact="Sky 07700 900321",
        access_needs="Quiet corner", answers={"q": {"question": "Why?", "answer": "Grief after a loss"}},
    ))
    mark_paid(booking_id=booking.pk, note="Transfer from Robin Private")
    other = place_booking(cohort_id=CohortFactory(program=program).pk, participant=participant_for(program, 2))
    full = CohortFactory(program=program, capacity=1)
    place_booking(cohort_id=full.pk, participant=participant_for(program, 3))
    join_waitlist(cohort_id=full.pk, name="Robin Private", email=EMAIL)
    plan_emails()
    return booking, other


def database_text() -> str:
    """Every row of every table, as text."""
    out = StringIO()
    call_command("dumpdata", exclude=["django_rq"], stdout=out)  # django_rq keeps no table of its own
    return out.getvalue()


def test_the_download_holds_everything_about_the_booking_and_nothing_of_anyone_else(client, robin):
    booking, other = robin
    response = client.get(reverse("bookings:my-data", args=[booking.code]))
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(response.content)
    (mine,) = data["bookings"]
    assert mine["intake_answers"] == {"q": {"question": "Why?", "answer": "Grief after a loss"}}
    assert mine["emergency_contact"] == "Sky 07700 900321" and mine["payments"][0]["status"] == "succeeded"
    assert data["waitlist"] == []  # the address's waitlist place is another thing, behind a proven address
    assert other.email not in response.content.decode() and other.name not in response.content.decode()


def test_erasure_removes_every_personal_field_and_keeps_the_accounts(client, robin):
    booking, other = robin
    paid_before = sum(p.amount for p in Payment.objects.all())
    response = client.post(reverse("bookings:erase", args=[booking.code]), {"confirm": "on"})
    assert response.status_code == 200 and "Your details are erased" in response.content.decode()

    text = database_text()
    for personal in ["Sky 07700 900321", "Quiet corner", "Grief after a loss", "Transfer from Robin Private"]:
        assert personal not in text
    assert not Booking.objects.filter(email=EMAIL).exists()
    booking.refresh_from_db()
    assert booking.state == "cancelled" and booking.name == "Erased participant"
    assert sum(p.amount for p in Payment.objects.all()) == paid_before  # the accounts still add up
    other.refresh_from_db()
    assert other.email == "person2@example.org" and other.intake_answers  # nobody else touched


def test_erasure_needs_the_box_ticked(client, robin):
    booking, _ = robin
    assert client.post(reverse("bookings:erase", args=[booking.code]), {}).status_code == 422
    assert Booking.objects.filter(email=EMAIL).exists()


def test_staff_can_erase_a_participant_from_the_admin(staff_client, robin):
    booking, _ = robin
    staff_client.post(reverse("bookings_booking_action", args=[booking.pk, "erase"]), {"confirm": "on"})
    booking.refresh_from_db()
    assert booking.email != EMAIL and booking.erased_at is not None


def test_intake_answers_are_erased_90_days_after_the_group_ends(robin):
    booking, other = robin
    last_end = booking.cohort.sessions.order_by("-ends_at").first().ends_at
    with time_machine.travel(last_end + timedelta(days=89), tick=False):
        assert erase_expired_intake_answers() == 0
    with time_machine.travel(last_end + timedelta(days=91), tick=False):
        assert erase_expired_intake_answers() == 3  # the three groups in this program end the same day
        assert erase_expired_intake_answers() == 0
    booking.refresh_from_db()
    assert booking.intake_answers == {} and booking.emergency_contact == "" and booking.access_needs == ""
    assert booking.name == "Robin Private"  # the booking itself stays, for the accounts


def test_a_stranger_with_a_wrong_code_gets_nothing(client, robin):
    assert client.get("/booking/" + "Z" * 32 + "/my-data.json").status_code == 404
    assert client.post("/booking/" + "Z" * 32 + "/erase/", {"confirm": "on"}).status_code == 404
    assert Booking.objects.filter(email=EMAIL).exists()


def test_a_participant_corrects_their_details_and_answers(client, robin):
    booking, _ = robin
    url = reverse("bookings:edit-details", args=[booking.code])
    form = client.get(url).context["form"]
    assert form.initial["name"] == "Robin Private"
    response = client.post(url, {"name": "Robin P.", "emergency_contact": "Sky 07700 900322", "access_needs": ""})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.name, booking.emergency_contact, booking.email) == ("Robin P.", "Sky 07700 900322", EMAIL)
    assert client.post(url, {"name": "", "emergency_contact": ""}).status_code == 422
