"""The roster, attendance and intake screens: scoped, audited, and constant in queries."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Attendance
from bookings.services.email_planning import plan_emails
from bookings.services.placing import place_booking
from tests.bookings.helpers import audit_entries, participant_for
from tests.factories import CohortFactory, FacilitatorFactory, add_program, build_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    _, index = build_site()
    program = add_program(index, title="Circle", default_price=Decimal("0"))
    return CohortFactory(program=program, price=Decimal("0"), capacity=200, weeks=6)


def book(cohort, count, start=0):
    return [place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, n)) for n in range(start, start + count)]


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_roster_lists_each_participant_with_payment_and_email_status(staff_client, cohort):
    first, second = book(cohort, 2)
    plan_emails()
    body = staff_client.get(reverse("bookings_roster", args=[cohort.pk])).content.decode()
    assert first.name in body and second.name in body
    assert "Free" in body and "Booking confirmation: Waiting to be sent" in body
    assert "very private" not in body  # answers only behind the audited link


def test_roster_and_attendance_take_constant_queries_for_5_and_100_people(staff_client, cohort, django_assert_num_queries):
    book(cohort, 5)
    plan_emails()
    session = cohort.sessions.first()
    roster_url = reverse("bookings_roster", args=[cohort.pk])
    attendance_url = reverse("bookings_attendance", args=[session.pk])
    staff_client.get(roster_url)
    few_roster, few_attendance = queries(staff_client, roster_url), queries(staff_client, attendance_url)

    people = book(cohort, 95, start=5)
    plan_emails()
    for booking in people[:50]:
        Attendance.objects.create(booking=booking, session=session, mark="present")

    with django_assert_num_queries(few_roster):
        staff_client.get(roster_url)
    with django_assert_num_queries(few_attendance):
        staff_client.get(attendance_url)


def test_marking_attendance_saves_at_once_and_replaces_an_earlier_mark(staff_client, cohort):
    (booking,) = book(cohort, 1)
    session = cohort.sessions.first()
    url = reverse("bookings_attendance", args=[session.pk])
    response = staff_client.post(url, {"booking": booking.pk, "mark": "present"}, HTTP_ACCEPT="application/json")
    assert response.json() == {"saved": True}
    staff_client.post(url, {"booking": booking.pk, "mark": "excused"}, HTTP_ACCEPT="application/json")
    assert Attendance.objects.get().mark == "excused"
    assert 'aria-pressed="true">Excused' in staff_client.get(url).content.decode()


@pytest.mark.parametrize("data", [{"booking": "999999", "mark": "present"}, {"booking": "x", "mark": "present"},
                                  {"mark": "present"}])
def test_a_bad_attendance_post_says_so_and_saves_nothing(staff_client, cohort, data):
    book(cohort, 1)
    url = reverse("bookings_attendance", args=[cohort.sessions.first().pk])
    response = staff_client.post(url, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["saved"] is False
    assert Attendance.objects.count() == 0


def test_an_unknown_mark_or_another_cohorts_booking_is_refused(staff_client, cohort):
    (booking,) = book(cohort, 1)
    other = CohortFactory(program=cohort.program, price=Decimal("0"))
    url = reverse("bookings_attendance", args=[other.sessions.first().pk])
    assert staff_client.post(url, {"booking": booking.pk, "mark": "present"}, HTTP_ACCEPT="application/json").status_code == 400
    url = reverse("bookings_attendance", args=[cohort.sessions.first().pk])
    assert staff_client.post(url, {"booking": booking.pk, "mark": "asleep"}, HTTP_ACCEPT="application/json").status_code == 400
    assert Attendance.objects.count() == 0


def test_opening_intake_answers_is_recorded(staff_client, cohort):
    (booking,) = book(cohort, 1)
    body = staff_client.get(reverse("bookings_intake", args=[booking.pk])).content.decode()
    assert "I would like to be kinder to myself." in body
    look = audit_entries("bookings.view_intake").get()
    assert (look.object_id, look.user.username, look.label) == (str(booking.pk), "staff", f"Booking #{booking.pk}")


def test_an_editor_who_does_not_run_the_cohort_sees_no_intake_answers(client, django_user_model, cohort):
    (booking,) = book(cohort, 1)
    editor = django_user_model.objects.create_user("editor", password="pw")
    editors = Group.objects.create(name="Page editors")
    editors.permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="view_cohort"),
    )
    editor.groups.add(editors)
    client.force_login(editor)
    assert client.get(reverse("bookings_intake", args=[booking.pk])).status_code == 404
    assert client.get(reverse("bookings_roster", args=[cohort.pk])).status_code == 404
    assert audit_entries("bookings.view_intake").count() == 0

    program = cohort.program
    program.facilitators.add(FacilitatorFactory(user=editor))
    program.save()
    assert client.get(reverse("bookings_intake", args=[booking.pk])).status_code == 200
    assert audit_entries("bookings.view_intake").count() == 1


def test_the_attendance_page_works_without_a_login_never(client, cohort):
    response = client.get(reverse("bookings_attendance", args=[cohort.sessions.first().pk]))
    assert response.status_code in (302, 403)


def test_the_admin_home_shows_the_week_ahead_with_constant_queries(
    staff_client, cohort, django_assert_num_queries, django_user_model
):
    import time_machine

    book(cohort, 3)
    with time_machine.travel("2027-03-08 12:00Z", tick=False):
        staff_client.force_login(django_user_model.objects.get(username="staff"))  # the old session expired
        staff_client.get("/admin/")
        few = queries(staff_client, "/admin/")
        body = staff_client.get("/admin/").content.decode()
        assert "Your groups this week" in body and "Tue 9 Mar 2027, 19:00" in body
        assert "3 / 200" in body
        for n in range(4):
            CohortFactory(program=cohort.program, price=Decimal("0"), start_date=cohort.start_date)
        book(cohort, 20, start=10)
        with django_assert_num_queries(few):
            staff_client.get("/admin/")
