"""The cohort form in the Wagtail admin: clear errors for bad input, a preview, and saving expands."""

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from programs.models import Cohort, Session
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def program():
    _, index = build_site()
    return add_program(index)


def cohort_form_data(program, **overrides):
    data = {
        "program": program.pk,
        "title": "Spring 2027 · Tuesday evenings",
        "status": "open",
        "time_zone": "Europe/London",
        "start_date": "2027-03-09",
        "start_time": "19:00",
        "end_time": "20:30",
        "repeat": "1",
        "session_count": "8",
        "last_date": "",
        "skip_dates": "",
        "extra_dates": "",
        "mode": "online",
        "venue": "",
        "meeting_url": "https://meet.example.org/room",
        "capacity": "12",
        "price": "120.00",
        "booking_opens_at": "",
        "booking_closes_at": "",
    }
    data.update(overrides)
    return data


def test_saving_a_new_cohort_expands_its_sessions_in_local_time(staff_client, program):
    response = staff_client.post(
        reverse("cohorts:add"), cohort_form_data(program, skip_dates="2027-03-30\n", extra_dates="2027-05-04")
    )
    assert response.status_code == 302
    cohort = Cohort.objects.get()
    sessions = list(cohort.sessions.filter(status=Session.Status.SCHEDULED))
    assert len(sessions) == 8
    assert date(2027, 3, 30) not in {s.occurrence_date for s in sessions}
    assert date(2027, 5, 4) in {s.occurrence_date for s in sessions}
    assert {s.starts_at.astimezone(LONDON).time() for s in sessions} == {time(19, 0)}


def test_preview_shows_the_dates_and_saves_nothing(staff_client, program):
    response = staff_client.post(
        reverse("cohorts:add"), cohort_form_data(program, **{"preview-schedule": "1"})
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Preview — not saved yet." in body
    assert "Tue 9 Mar 2027, 19:00" in body
    assert "Tue 27 Apr 2027, 19:00" in body
    assert Cohort.objects.count() == 0 and Session.objects.count() == 0


def test_editing_the_rule_keeps_session_ids(staff_client, program):
    cohort = CohortFactory(program=program, weeks=8)
    ids = set(cohort.sessions.values_list("pk", flat=True))
    response = staff_client.post(
        reverse("cohorts:edit", args=[cohort.pk]), cohort_form_data(program, title=cohort.title, session_count="10")
    )
    assert response.status_code == 302
    assert ids < set(cohort.sessions.values_list("pk", flat=True))
    assert cohort.sessions.count() == 10


def test_the_edit_form_shows_the_rule_in_plain_fields(staff_client, program):
    cohort = CohortFactory(program=program, weeks=6, skip=(date(2027, 3, 23),))
    response = staff_client.get(reverse("cohorts:edit", args=[cohort.pk]))
    form = response.context["form"]
    assert form.initial["repeat"] == "1"
    assert form.initial["session_count"] == 6
    assert form.initial["skip_dates"] == (date(2027, 3, 23),)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"time_zone": "Europe/Atlantis"}, "is not a time zone we know"),
        ({"repeat": "", "session_count": "", "skip_dates": "2027-03-09"}, "Every date of the schedule is skipped"),
        ({"session_count": "0"}, "greater than or equal to 1"),
        ({"session_count": "", "last_date": "2027-03-01"}, "The last date is before the first"),
        ({"session_count": ""}, "The schedule repeats forever"),
        ({"capacity": "0"}, "Ensure this value is greater than or equal to 1"),
        ({"capacity": "-3"}, "Ensure this value is greater than or equal to"),
        ({"end_time": "18:00"}, "A session must end after it starts"),
        ({"end_time": "19:00"}, "A session must end after it starts"),
        ({"session_count": "8", "last_date": "2027-05-01"}, "not both"),
        ({"skip_dates": "next tuesday"}, "is not a date"),
        ({"session_count": "500"}, "more than 104 sessions"),
        ({"meeting_url": ""}, "needs its meeting link"),
        ({"booking_opens_at": "2027-02-01 10:00", "booking_closes_at": "2027-01-01 10:00"}, "Booking must close after it opens"),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_saved(staff_client, program, overrides, message):
    response = staff_client.post(reverse("cohorts:add"), cohort_form_data(program, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Cohort.objects.count() == 0
    assert Session.objects.count() == 0


PREVIEW_MISTAKES = [
    ({"time_zone": "Europe/Atlantis"}, "time_zone", "is not a time zone we know"),
    ({"end_time": "18:00"}, "end_time", "A session must end after it starts"),
    ({"session_count": "500"}, None, "more than 104 sessions"),
    ({"repeat": "", "session_count": "", "skip_dates": "2027-03-09"}, None, "Every date of the schedule is skipped"),
    ({"skip_dates": "next tuesday"}, "skip_dates", "is not a date"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), PREVIEW_MISTAKES)
@pytest.mark.parametrize("editing", [False, True], ids=["new", "edit"])
def test_preview_with_a_mistake_shows_it_beside_its_field_and_keeps_what_was_typed(
    staff_client, program, overrides, field, message, editing
):
    cohort = CohortFactory(program=program, weeks=4) if editing else None
    url = reverse("cohorts:edit", args=[cohort.pk]) if editing else reverse("cohorts:add")
    before = list(Session.objects.values_list("pk", "starts_at", "status"))
    data = cohort_form_data(program, title="Typed title", **overrides, **{"preview-schedule": "1"})

    response = staff_client.post(url, data)

    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors.get(field or "__all__", [])
    assert any(message in error for error in errors), form.errors
    assert form["title"].value() == "Typed title"
    assert "The cohort has errors" in response.content.decode()
    assert Cohort.objects.filter(title="Typed title").count() == 0
    assert list(Session.objects.values_list("pk", "starts_at", "status")) == before


def test_a_session_starting_in_the_spring_forward_gap_keeps_its_length(staff_client, program):
    # Europe/London skips 01:00-02:00 on 28 March 2027: 01:15 is read as 02:15 summer time.
    gap_night = cohort_form_data(
        program, start_date="2027-03-28", start_time="01:15", end_time="02:15", session_count="2"
    )
    preview = staff_client.post(reverse("cohorts:add"), {**gap_night, "preview-schedule": "1"})
    assert preview.status_code == 200
    assert "Sun 28 Mar 2027, 02:15–03:15" in preview.content.decode()

    response = staff_client.post(reverse("cohorts:add"), gap_night)

    assert response.status_code == 302
    first, second = Cohort.objects.get().sessions.order_by("starts_at")
    assert first.starts_at.astimezone(LONDON).time() == time(2, 15)
    assert first.ends_at - first.starts_at == second.ends_at - second.starts_at == timedelta(hours=1)
    assert second.starts_at.astimezone(LONDON).time() == time(1, 15)


def test_a_bad_edit_leaves_the_cohort_and_its_sessions_as_they_were(staff_client, program):
    cohort = CohortFactory(program=program, weeks=8)
    before = list(cohort.sessions.values_list("pk", "starts_at", "status"))
    response = staff_client.post(
        reverse("cohorts:edit", args=[cohort.pk]),
        cohort_form_data(program, title="Renamed", session_count="", time_zone="Mars/Olympus"),
    )
    assert response.status_code == 200
    cohort.refresh_from_db()
    assert cohort.title != "Renamed"
    assert list(cohort.sessions.values_list("pk", "starts_at", "status")) == before


def test_a_cohort_that_does_not_repeat_has_its_first_date_alone(staff_client, program):
    response = staff_client.post(reverse("cohorts:add"), cohort_form_data(program, repeat="", session_count=""))
    assert response.status_code == 302
    assert [s.occurrence_date for s in Cohort.objects.get().sessions.all()] == [date(2027, 3, 9)]


def test_zero_sessions_is_one_clear_error(staff_client, program):
    response = staff_client.post(reverse("cohorts:add"), cohort_form_data(program, session_count="0"))
    assert "repeats forever" not in response.content.decode()
    assert Cohort.objects.count() == 0


def test_new_cohort_form_starts_from_the_program_defaults(staff_client, program):
    response = staff_client.get(reverse("cohorts:add") + f"?program={program.pk}")
    initial = response.context["form"].initial
    assert initial["capacity"] == program.default_capacity
    assert initial["price"] == program.default_price


def test_the_session_editor_saves_topic_and_materials(staff_client, program):
    cohort = CohortFactory(program=program, weeks=2)
    session = cohort.sessions.first()
    response = staff_client.post(
        reverse("sessions:edit", args=[session.pk]),
        {
            "topic": "Dialoguing",
            "venue_override": "",
            "materials-TOTAL_FORMS": "1",
            "materials-INITIAL_FORMS": "0",
            "materials-MIN_NUM_FORMS": "0",
            "materials-MAX_NUM_FORMS": "1000",
            "materials-0-title": "Letter to your younger self",
            "materials-0-document": "",
            "materials-0-url": "",
            "materials-0-note": "Write a few lines before we meet.",
            "materials-0-ORDER": "1",
            "materials-0-DELETE": "",
            "materials-0-id": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    session.refresh_from_db()
    assert session.topic == "Dialoguing"
    assert [m.title for m in session.materials.all()] == ["Letter to your younger self"]


def test_cohort_list_filters_by_program_and_searches(staff_client, program):
    other = add_program(program.get_parent().specific, title="Journaling course")
    CohortFactory(program=program, title="Spring evenings")
    CohortFactory(program=other, title="Autumn mornings")

    filtered = staff_client.get(reverse("cohorts:index") + f"?program={program.pk}").content.decode()
    assert "Spring evenings" in filtered and "Autumn mornings" not in filtered

    searched = staff_client.get(reverse("cohorts:index") + "?q=Autumn").content.decode()
    assert "Autumn mornings" in searched and "Spring evenings" not in searched


def test_the_page_explorer_links_a_program_to_its_cohorts(staff_client, program):
    response = staff_client.get(reverse("wagtailadmin_explore", args=[program.get_parent().pk]))
    body = response.content.decode()
    assert reverse("cohorts:index") + f"?program={program.pk}" in body
    assert reverse("cohorts:add") + f"?program={program.pk}" in body


def test_sessions_cannot_be_added_or_deleted_by_hand(staff_client, program):
    cohort = CohortFactory(program=program, weeks=2)
    session = cohort.sessions.first()
    assert staff_client.get(reverse("sessions:add")).status_code in (302, 403)
    assert staff_client.post(reverse("sessions:add"), {"topic": "Extra"}).status_code in (302, 403)
    assert staff_client.post(reverse("sessions:delete", args=[session.pk])).status_code in (302, 403)
    assert cohort.sessions.count() == 2
    assert staff_client.get(reverse("sessions:edit", args=[session.pk])).status_code == 200


def test_duplicating_a_cohort_for_the_next_term(staff_client, program):
    from programs.models import SessionMaterial

    cohort = CohortFactory(program=program, weeks=6, skip=(date(2027, 3, 23),))
    first = cohort.sessions.order_by("starts_at").first()
    first.topic = "Meeting your inner child"
    first.save()
    SessionMaterial.objects.create(session=first, title="Welcome letter", note="Read before we meet.")
    original_sessions = list(cohort.sessions.values_list("pk", "starts_at"))

    response = staff_client.post(reverse("programs_duplicate_cohort", args=[cohort.pk]),
                                 {"title": "Autumn 2027", "start_date": "2027-09-07"})

    copy = Cohort.objects.get(title="Autumn 2027")
    assert response.status_code == 302 and response["Location"] == reverse("cohorts:edit", args=[copy.pk])
    assert copy.status == Cohort.Status.DRAFT
    dates = [s.occurrence_date for s in copy.sessions.filter(status=Session.Status.SCHEDULED)]
    assert dates[0] == date(2027, 9, 7) and date(2027, 9, 21) not in dates and len(dates) == 5
    assert {s.starts_at.astimezone(LONDON).time() for s in copy.sessions.all()} == {time(19, 0)}
    new_first = copy.sessions.order_by("starts_at").first()
    assert new_first.topic == "Meeting your inner child"
    assert [m.title for m in SessionMaterial.objects.filter(session=new_first)] == ["Welcome letter"]
    assert list(cohort.sessions.values_list("pk", "starts_at")) == original_sessions  # the original is untouched


def test_duplicating_a_cohort_with_a_cancelled_session_keeps_each_topic_on_its_week(staff_client, program):
    from programs.services import cancel_session

    cohort = CohortFactory(program=program, weeks=4)
    sessions = list(cohort.sessions.order_by("starts_at"))
    for number, session in enumerate(sessions, start=1):
        session.topic = f"Week {number}"
        session.save()
    cancel_session(session_id=sessions[1].pk)

    staff_client.post(reverse("programs_duplicate_cohort", args=[cohort.pk]),
                      {"title": "Autumn 2027", "start_date": "2027-09-07"})

    copy = Cohort.objects.get(title="Autumn 2027")
    assert [s.topic for s in copy.sessions.order_by("starts_at")] == ["Week 1", "Week 2", "Week 3", "Week 4"]
