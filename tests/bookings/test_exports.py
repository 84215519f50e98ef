"""Exports: the roster, the attendance matrix and payments, with the right rows and nothing private."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bookings.models import Attendance
from bookings.services.cancelling import cancel_booking
from bookings.services.payments import mark_paid
from bookings.services.placing import place_booking
from tests.bookings.helpers import audit_entries, participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    _, index = build_site()
    program = add_program(index, title="Circle", allow_pay_later=True)
    # New York cohort: the export's times must be New York times.
    return CohortFactory(program=program, price=Decimal("120.00"), weeks=3, time_zone="America/New_York")


def rows_of(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_roster_export_has_each_booking_and_no_intake_answers(staff_client, cohort):
    booking = place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, 1))
    response = staff_client.get(reverse("bookings_admin:index") + "?export=csv")
    rows = rows_of(response)
    assert rows[0][:5] == ["Name", "Email", "Cohort", "State", "Paying by"]
    assert len(rows) == 2 and rows[1][1] == "person1@example.org"
    assert rows[1][3] == booking.get_state_display() and rows[1][3][0].isupper()  # a name, not a code
    assert "Booked at (cohort time)" in rows[0]
    assert rows[1][rows[0].index("Booked at (cohort time)")] == booking.created_at.astimezone(cohort.zone).strftime("%Y-%m-%d %H:%M")
    text = "\n".join(",".join(r) for r in rows)
    assert "kinder to myself" not in text and "07700" not in text


def test_the_attendance_matrix_in_csv_and_xlsx(staff_client, cohort):
    present, absent, gone = [place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, n)) for n in range(3)]
    cancel_booking(booking_id=gone.pk)
    first = cohort.sessions.order_by("starts_at").first()
    Attendance.objects.create(booking=present, session=first, mark="present")
    Attendance.objects.create(booking=absent, session=first, mark="absent")

    rows = rows_of(staff_client.get(reverse("bookings_attendance_export", args=[cohort.pk, "csv"])))
    assert rows[0] == ["Participant", "Email", "2027-03-09 19:00", "2027-03-16 19:00", "2027-03-23 19:00"]
    assert rows[1:] == [["Participant 0", "person0@example.org", "Present", "", ""],
                        ["Participant 1", "person1@example.org", "Absent", "", ""]]

    response = staff_client.get(reverse("bookings_attendance_export", args=[cohort.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:3] == ["Participant 0", "person0@example.org", "Present"]
    assert staff_client.get(reverse("bookings_attendance_export", args=[cohort.pk, "pdf"])).status_code == 404


def test_a_cancelled_session_is_named_in_the_attendance_matrix(staff_client, cohort):
    from programs.services import cancel_session

    place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, 0))
    cancel_session(session_id=cohort.sessions.order_by("starts_at")[1].pk)
    rows = rows_of(staff_client.get(reverse("bookings_attendance_export", args=[cohort.pk, "csv"])))
    assert rows[0][3] == "2027-03-16 19:00 (cancelled)"
    assert rows[1][2:] == ["", "cancelled", ""]


def test_the_payments_export(staff_client, cohort):
    booking = place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, 1))
    mark_paid(booking_id=booking.pk, note="Bank transfer")
    rows = rows_of(staff_client.get(reverse("payments_admin:index") + "?export=csv"))
    assert len(rows) == 2
    assert "120.00" in rows[1] and "Bank transfer" in rows[1]
    assert rows[0][:4] == ["Booking", "Email", "Paid through", "Status"]
    assert all(not heading.startswith("booking.") for heading in rows[0])
    assert rows[1][3] == booking.payments.get().get_status_display()


def test_intake_answers_are_exported_only_when_asked_and_each_look_is_recorded(staff_client, cohort):
    booking = place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, 1))
    plain = b"".join(staff_client.get(reverse("bookings_admin:index") + "?export=csv").streaming_content).decode()
    assert "kinder to myself" not in plain
    assert not audit_entries("bookings.export").filter(data__export="roster with intake answers").exists()

    rows = rows_of(staff_client.get(reverse("bookings_roster_intake_export", args=[cohort.pk, "csv"])))
    assert rows[0] == ["Participant", "Email", "State", "Emergency contact", "Access needs", "What brings you here?"]
    assert rows[1][-1] == "I would like to be kinder to myself."
    looks = audit_entries("bookings.export").filter(data__export="roster with intake answers")
    assert list(looks.values_list("object_id", "user__username")) == [(str(booking.pk), "staff")]
