"""The booking's calendar file: stable events across schedule changes, local times across DST,
cancellations that clear a subscribed calendar, and nothing private in the bytes."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.urls import reverse
from icalendar import Calendar

from bookings.calendar import booking_calendar
from bookings.services.cancelling import cancel_booking
from bookings.services.placing import decline_application, place_booking
from programs.schedule import WeeklyPattern, build_rule
from programs.services import cancel_session, expand_schedule, reschedule_session
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, VenueFactory, add_program, build_site

pytestmark = pytest.mark.django_db

SITE_URL = "https://courses.example.org"
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def index():
    return build_site()[1]


@pytest.fixture
def program(index):
    return add_program(index, title="Meeting your inner child", slug="inner-child", default_price=Decimal("0"))


@pytest.fixture
def cohort(program):
    """The default factory cohort: Tuesdays 19:00 London from 9 March 2027, across the change to BST."""
    return CohortFactory(program=program, price=Decimal("0"))


def book(cohort, n: int = 0, **fields):
    participant = participant_for(
        cohort.program,
        n,
        emergency_contact="Alex Kestrel on 07700 900123",
        access_needs="Needs a step-free route to the quiet room",
        answers={"why": "Grieving my grandmother this winter"},
        **fields,
    )
    return place_booking(cohort_id=cohort.pk, participant=participant)


def parse(booking) -> Calendar:
    return Calendar.from_ical(booking_calendar(booking, site_url=SITE_URL))


def events_by_uid(calendar: Calendar) -> dict:
    return {str(event["UID"]): event for event in calendar.events}


def test_the_calendar_has_one_event_per_session_with_its_header(cohort):
    booking = book(cohort)

    calendar = parse(booking)

    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    assert str(calendar["PRODID"])
    assert calendar["X-WR-CALNAME"] == "Meeting your inner child"
    sessions = list(cohort.sessions.order_by("starts_at"))
    assert sorted(events_by_uid(calendar)) == sorted(f"session-{s.pk}@courses.example.org" for s in sessions)
    first = events_by_uid(calendar)[f"session-{sessions[0].pk}@courses.example.org"]
    assert first["SUMMARY"] == "Meeting your inner child · session 1"
    assert first["STATUS"] == "CONFIRMED"
    assert first["SEQUENCE"] == 0
    assert first["LOCATION"] == "Online"
    assert first["DTSTAMP"].dt == datetime(2026, 11, 24, 12, 0, tzinfo=ZoneInfo("UTC"))
    assert booking.code not in first["DESCRIPTION"] and "URL" not in first  # the link is the key to the booking
    assert "join link and materials" in first["DESCRIPTION"]


def test_a_session_with_a_topic_is_named_after_it(cohort):
    session = cohort.sessions.order_by("starts_at")[2]
    session.topic = "The inner critic"
    session.save(update_fields=["topic"])

    event = events_by_uid(parse(book(cohort)))[f"session-{session.pk}@courses.example.org"]

    assert event["SUMMARY"] == "Meeting your inner child: The inner critic"


def test_uids_stay_the_same_when_generated_again_and_after_the_rule_is_expanded_again(cohort):
    booking = book(cohort)
    before = set(events_by_uid(parse(booking)))

    assert set(events_by_uid(parse(booking))) == before
    expand_schedule(cohort_id=cohort.pk)
    assert set(events_by_uid(parse(booking))) == before


def test_a_date_dropped_from_the_rule_stays_as_a_cancelled_event_with_the_same_uid(cohort):
    booking = book(cohort)
    before = set(events_by_uid(parse(booking)))
    dropped = cohort.sessions.get(occurrence_date=date(2027, 3, 23))

    cohort.recurrence = build_rule(
        pattern=WeeklyPattern(every_weeks=1, session_count=8, skip_dates=(date(2027, 3, 23),)),
        start_time=cohort.start_time,
        zone=LONDON,
    )
    cohort.save(update_fields=["recurrence"])
    expand_schedule(cohort_id=cohort.pk)

    events = events_by_uid(parse(booking))
    assert set(events) == before
    removed = events[f"session-{dropped.pk}@courses.example.org"]
    assert removed["STATUS"] == "CANCELLED"
    assert removed["SEQUENCE"] == 1
    assert removed["SUMMARY"].startswith("Cancelled: ")
    assert [e["STATUS"] for uid, e in events.items() if e is not removed] == ["CONFIRMED"] * 7


def test_every_session_is_at_seven_in_the_evening_london_time_across_the_clock_change(cohort):
    raw = booking_calendar(book(cohort), site_url=SITE_URL)
    calendar = Calendar.from_ical(raw)

    starts = sorted(event["DTSTART"].dt for event in calendar.events)
    assert len(starts) == 8
    assert {start.tzinfo.key for start in starts} == {"Europe/London"}
    assert {(start.hour, start.minute) for start in starts} == {(19, 0)}
    assert [start.date() for start in starts] == [date(2027, 3, 9) + timedelta(weeks=n) for n in range(8)]
    # The instants move by an hour when BST starts on 28 March 2027.
    assert {s.astimezone(ZoneInfo("UTC")).hour for s in starts if s.date() < date(2027, 3, 28)} == {19}
    assert {s.astimezone(ZoneInfo("UTC")).hour for s in starts if s.date() > date(2027, 3, 28)} == {18}
    assert b"DTSTART;TZID=Europe/London:20270330T190000" in raw
    assert b"DTEND;TZID=Europe/London:20270330T203000" in raw
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/London"]
    assert calendar.get_missing_tzids() == set()


def test_a_rescheduled_session_moves_and_its_sequence_grows_under_the_same_uid(cohort):
    booking = book(cohort)
    session = cohort.sessions.order_by("starts_at")[1]
    uid = f"session-{session.pk}@courses.example.org"
    new_start = datetime(2027, 3, 18, 18, 30, tzinfo=LONDON)

    reschedule_session(session_id=session.pk, starts_at=new_start, ends_at=new_start + timedelta(hours=1, minutes=30))

    event = events_by_uid(parse(booking))[uid]
    assert event["SEQUENCE"] == 1
    assert event["DTSTART"].dt == new_start
    assert event["DTSTART"].dt.tzinfo.key == "Europe/London"
    assert event["DTEND"].dt == new_start + timedelta(hours=1, minutes=30)
    assert event["STATUS"] == "CONFIRMED"
    expand_schedule(cohort_id=cohort.pk)
    assert events_by_uid(parse(booking))[uid]["DTSTART"].dt == new_start


def test_a_cancelled_session_is_a_cancelled_event(cohort):
    booking = book(cohort)
    session = cohort.sessions.order_by("starts_at")[3]

    cancel_session(session_id=session.pk, note="Facilitator unwell")

    events = events_by_uid(parse(booking))
    event = events.pop(f"session-{session.pk}@courses.example.org")
    assert (event["STATUS"], event["SEQUENCE"]) == ("CANCELLED", 1)
    assert {e["STATUS"] for e in events.values()} == {"CONFIRMED"}


def test_a_drop_in_calendar_has_its_one_session(program):
    cohort = CohortFactory(program=program, price=Decimal("0"), allow_drop_ins=True, drop_in_price=Decimal("0"))
    third = cohort.sessions.order_by("starts_at")[2]
    booking = place_booking(
        cohort_id=cohort.pk, participant=participant_for(program), session_id=third.pk
    )

    events = list(parse(booking).events)

    assert [str(e["UID"]) for e in events] == [f"session-{third.pk}@courses.example.org"]
    assert events[0]["SUMMARY"] == "Meeting your inner child · session 3"


def test_an_in_person_session_gives_the_room_and_address(program):
    cohort = CohortFactory(program=program, price=Decimal("0"), mode="in_person", meeting_url="",
                           venue=VenueFactory(name="Garden Room", address="1 Quiet Street\nLondon"))
    other = VenueFactory(name="Attic", address="2 Loud Lane\nLondon")
    moved = cohort.sessions.order_by("starts_at")[1]
    moved.venue_override = other
    moved.save(update_fields=["venue_override"])

    events = sorted(parse(book(cohort)).events, key=lambda e: e["DTSTART"].dt)

    assert events[0]["LOCATION"] == "Garden Room, 1 Quiet Street, London"
    assert events[1]["LOCATION"] == "Attic, 2 Loud Lane, London"
    assert "join link" not in events[0]["DESCRIPTION"]


def test_nothing_private_reaches_the_file(program):
    cohort = CohortFactory(program=program, price=Decimal("0"), mode="hybrid", venue=VenueFactory(),
                           meeting_url="https://meet.example.org/secret-room-4711")
    booking = book(cohort)

    raw = booking_calendar(booking, site_url=SITE_URL)

    unfolded = raw.replace(b"\r\n ", b"").replace(b"\\", b"").decode()
    parsed_text = " ".join(str(value) for event in Calendar.from_ical(raw).events for value in event.values())
    for secret in [
        "secret-room-4711",
        "meet.example.org",
        "Kestrel",
        "07700 900123",
        "step-free",
        "grandmother",
        booking.email,
    ]:
        assert secret not in unfolded
        assert secret not in parsed_text


def test_a_cancelled_booking_cancels_every_event(cohort):
    booking = book(cohort)

    cancel_booking(booking_id=booking.pk)
    booking.refresh_from_db()

    assert {e["STATUS"] for e in parse(booking).events} == {"CANCELLED"}


def test_a_declined_application_cancels_every_event_and_a_pending_one_is_tentative(index):
    program = add_program(index, title="Screened circle", default_price=Decimal("0"), requires_screening=True)
    cohort = CohortFactory(program=program, price=Decimal("0"))
    booking = book(cohort)
    assert {e["STATUS"] for e in parse(booking).events} == {"TENTATIVE"}

    booking = decline_application(booking_id=booking.pk, message="Not this time.")

    assert {e["STATUS"] for e in parse(booking).events} == {"CANCELLED"}


def test_a_session_in_the_second_autumn_hour_is_written_in_utc(cohort):
    booking = book(cohort)
    session = cohort.sessions.order_by("starts_at")[0]
    # 01:30 happens twice in London on 31 October 2027; this is the second time (GMT).
    second = datetime(2027, 10, 31, 1, 30, tzinfo=ZoneInfo("UTC"))
    reschedule_session(session_id=session.pk, starts_at=second, ends_at=second + timedelta(hours=1))

    event = events_by_uid(parse(booking))[f"session-{session.pk}@courses.example.org"]

    assert event["DTSTART"].dt == second
    assert event["DTSTART"].dt.utcoffset() == timedelta(0)


@override_settings(SITE_URL=SITE_URL)
def test_the_feed_serves_the_calendar_as_an_attachment(client, cohort):
    booking = book(cohort)

    response = client.get(reverse("bookings:calendar", kwargs={"code": booking.code}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="inner-child.ics"'
    assert "no-store" in response["Cache-Control"]
    assert len(Calendar.from_ical(response.content).events) == 8


@pytest.mark.parametrize("code", ["x" * 32, "short"])
def test_the_feed_is_not_found_for_a_wrong_code(client, cohort, code):
    book(cohort)

    response = client.get(reverse("bookings:calendar", kwargs={"code": code}))

    assert response.status_code == 404


@pytest.mark.parametrize("weeks", [3, 30])
def test_the_feed_takes_the_same_queries_for_3_and_30_sessions(client, program, weeks, django_assert_num_queries):
    cohort = CohortFactory(program=program, price=Decimal("0"), mode="hybrid", venue=VenueFactory(), weeks=weeks)
    sessions = list(cohort.sessions.order_by("starts_at"))
    for session in sessions[::2]:
        session.venue_override = VenueFactory()
        session.topic = "A topic"
        session.save(update_fields=["venue_override", "topic"])
    cancel_session(session_id=sessions[1].pk)
    bookings = [book(cohort, n) for n in range(3)]
    url = reverse("bookings:calendar", kwargs={"code": bookings[1].code})

    # One for the booking with its cohort, program and venue; one for the sessions with theirs.
    with django_assert_num_queries(2):
        response = client.get(url)

    assert len(Calendar.from_ical(response.content).events) == weeks
