"""The booking form over HTTP: the happy paths, and every refusal says why and writes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Booking, BookingState, EmailKind, EmailLog
from bookings.services.placing import place_booking
from programs.models import Cohort, ProgramPriceTier
from programs.schedule import WeeklyPattern, build_rule
from programs.services import expand_schedule
from tests.bookings.helpers import NOW, participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

QUESTIONS = [
    ("text", {"question": "What brings you here?", "help_text": "", "required": True, "long_answer": True}),
    ("choice", {"question": "Have you done group work before?", "help_text": "", "choices": ["Yes", "No"],
                "required": True, "allow_several": False}),
    ("consent", {"statement": "I will look after myself between sessions.", "required": True}),
]



@pytest.fixture
def program():
    _, index = build_site()
    return add_program(index, title="Free circle", default_price=Decimal("0"), intake_questions=QUESTIONS)


@pytest.fixture
def cohort(program):
    return CohortFactory(program=program, price=Decimal("0"), capacity=3)


def question_names(client, cohort) -> dict:
    form = client.get(reverse("bookings:book", args=[cohort.pk])).context["form"]
    return {label: name for name, label in form.question_fields}


def valid_data(client, cohort, **overrides) -> dict:
    names = question_names(client, cohort)
    data = {
        "name": "Sam Rivera",
        "email": "sam@example.org",
        "emergency_contact": "Alex, 07700 900123",
        "access_needs": "",
        "time_zone": "America/Chicago",
        names["What brings you here?"]: "Learning to be gentler with myself.",
        names["Have you done group work before?"]: "No",
        names["I will look after myself between sessions."]: "on",
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_form_shows_the_programs_questions_and_quotes_the_safety_note(client, cohort):
    body = client.get(reverse("bookings:book", args=[cohort.pk])).content.decode()
    assert "What brings you here?" in body
    assert "This work can stir strong feelings." in body
    assert 'name="consent"' in body


def test_booking_a_free_place_confirms_it_and_sends_the_page_to_the_address(client, cohort):
    response = client.post(reverse("bookings:book", args=[cohort.pk]), valid_data(client, cohort))
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("bookings:booked", args=[cohort.pk])
    assert booking.code not in client.get(response["Location"]).content.decode()
    assert booking.state == BookingState.CONFIRMED
    assert booking.participant_time_zone == "America/Chicago"
    assert booking.emergency_contact == "Alex, 07700 900123"
    answers = {item["question"]: item["answer"] for item in booking.intake_answers.values()}
    assert answers["What brings you here?"] == "Learning to be gentler with myself."
    assert answers["I will look after myself between sessions."] is True
    assert "This work can stir strong feelings." in booking.consent_text

    page = client.get(booking.get_absolute_url()).content.decode()
    assert "Your place is confirmed, Sam Rivera" in page
    assert "Chicago time" in page  # sessions in the participant's own zone, the cohort's beside it
    assert "London time" in page
    assert "Learning to be gentler" not in page  # intake answers are not echoed back


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent": None}, "Please read the note and tick the box"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"name": ""}, "This field is required"),
        ({"name": "x" * 500}, "Ensure this value has at most 120 characters"),
        ({"time_zone": "Mars/Olympus"}, None),  # ignored, the cohort's zone is used
    ],
)
def test_bad_input_is_a_clear_message_and_nothing_is_written(client, cohort, overrides, message):
    response = client.post(reverse("bookings:book", args=[cohort.pk]), valid_data(client, cohort, **overrides))
    if message is None:
        assert Booking.objects.get().participant_time_zone == "Europe/London"
        return
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Booking.objects.count() == 0


def test_a_required_question_left_empty_is_refused(client, cohort):
    names = question_names(client, cohort)
    data = valid_data(client, cohort, **{names["What brings you here?"]: ""})
    response = client.post(reverse("bookings:book", args=[cohort.pk]), data)
    assert response.status_code == 422
    assert Booking.objects.count() == 0


def test_a_full_cohort_says_so_and_writes_nothing(client, cohort):
    for n in range(3):
        client.post(reverse("bookings:book", args=[cohort.pk]), valid_data(client, cohort, email=f"p{n}@example.org"))
    response = client.post(reverse("bookings:book", args=[cohort.pk]), valid_data(client, cohort, email="late@example.org"))
    assert response.status_code == 409
    assert "This group is full" in response.content.decode()
    assert Booking.objects.count() == 3


def test_the_same_email_twice_makes_one_booking_and_answers_as_a_first_booking_would(client, cohort):
    first = client.post(reverse("bookings:book", args=[cohort.pk]), valid_data(client, cohort))
    second = client.post(reverse("bookings:book", args=[cohort.pk]), valid_data(client, cohort, email="SAM@example.org"))
    assert (second.status_code, second["Location"]) == (first.status_code, first["Location"])
    assert "already has a place" not in client.get(second["Location"]).content.decode()
    assert Booking.objects.count() == 1
    (told,) = EmailLog.objects.filter(kind=EmailKind.BOOKING_LINK)  # the person hears of it by email
    assert told.booking == Booking.objects.get()


def test_a_closed_booking_window_is_refused(client, cohort):
    Cohort.objects.filter(pk=cohort.pk).update(booking_closes_at=NOW - timedelta(hours=1))
    response = client.post(reverse("bookings:book", args=[cohort.pk]), valid_data(client, cohort))
    assert response.status_code == 409
    assert "has closed" in response.content.decode()
    assert Booking.objects.count() == 0


@pytest.mark.parametrize("cohort_id", ["999999", "abc", "-1"])
def test_a_tampered_cohort_id_is_not_found(client, cohort, cohort_id):
    response = client.post(f"/book/{cohort_id}/", valid_data(client, cohort))
    assert response.status_code == 404
    assert Booking.objects.count() == 0


def test_a_draft_cohort_cannot_be_booked(client, cohort):
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.DRAFT)
    assert client.get(reverse("bookings:book", args=[cohort.pk])).status_code == 404


def test_a_tier_amount_is_decided_by_the_server(client, program, settings):
    settings.STRIPE_SECRET_KEY = ""
    program.allow_pay_later = True
    program.save()
    paid = CohortFactory(program=program, price=Decimal("120.00"))
    low = ProgramPriceTier.objects.create(program=program, label="Supported", amount=Decimal("40.00"), sort_order=1)
    ProgramPriceTier.objects.create(program=program, label="Standard", amount=Decimal("120.00"), sort_order=2)

    for tampered in ["999999", "0", "40.00", ""]:
        response = client.post(reverse("bookings:book", args=[paid.pk]), valid_data(client, paid, tier=tampered))
        assert response.status_code == 422
        assert Booking.objects.count() == 0

    response = client.post(reverse("bookings:book", args=[paid.pk]), valid_data(client, paid, tier=str(low.pk), amount="0.01"))
    booking = Booking.objects.get()
    assert (booking.amount, booking.tier_label, booking.state) == (Decimal("40.00"), "Supported", BookingState.AWAITING_PAYMENT)


def test_an_unknown_booking_code_is_not_found(client):
    for code in ["x", "a" * 32, "a" * 200]:
        assert client.get(f"/booking/{code}/").status_code == 404


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_booking_page_and_form_take_constant_queries(client, cohort, django_assert_num_queries):
    client.post(reverse("bookings:book", args=[cohort.pk]), valid_data(client, cohort))
    booking = Booking.objects.get()
    page_url, form_url = booking.get_absolute_url(), reverse("bookings:book", args=[cohort.pk])
    count_queries(client, page_url)  # the first request of a site creates its settings row
    page_queries, form_queries = count_queries(client, page_url), count_queries(client, form_url)

    cohort.capacity = 60
    cohort.recurrence = build_rule(
        pattern=WeeklyPattern(every_weeks=1, session_count=30), start_time=cohort.start_time, zone=cohort.zone
    )
    cohort.save()
    expand_schedule(cohort_id=cohort.pk)
    for n in range(40):
        place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, n, email=f"many{n}@example.org"))
    assert Booking.objects.count() == 41

    with django_assert_num_queries(page_queries):
        client.get(page_url)
    with django_assert_num_queries(form_queries):
        client.get(form_url)


def test_a_questions_help_text_is_shown_as_text_not_markup(client):
    _, index = build_site()
    hostile = '<script>alert("x")</script><a href="#" onclick="steal()">more</a>'
    program = add_program(index, title="Circle", default_price=Decimal("0"), intake_questions=[
        ("text", {"question": "What brings you here?", "help_text": hostile, "required": False, "long_answer": False}),
        ("choice", {"question": "Group work before?", "help_text": hostile, "choices": ["Yes", "No"],
                    "required": False, "allow_several": False}),
    ])
    page = client.get(reverse("bookings:book", args=[CohortFactory(program=program, price=Decimal("0")).pk]))
    content = page.content.decode()
    assert "<script>alert" not in content and 'onclick="steal()"' not in content
    assert content.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") == 2
