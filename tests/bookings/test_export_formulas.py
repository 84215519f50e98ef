"""No export lets a typed answer or name become a live spreadsheet formula (OWASP "CSV Injection")."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bookings.exports import plain_text_cell
from bookings.services.payments import mark_paid
from bookings.services.placing import place_booking
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x")'


@pytest.mark.parametrize("typed", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_starts_like_a_formula_gets_a_leading_quote(typed):
    assert plain_text_cell(typed) == "'" + typed


@pytest.mark.parametrize("value", ["Ann", "", "a=b", Decimal("-5.00"), -5, None])
def test_other_text_and_numbers_are_left_alone(value):
    assert plain_text_cell(value) == value


@pytest.fixture
def booking():
    _, index = build_site()
    program = add_program(index, title="Circle", allow_pay_later=True)
    cohort = CohortFactory(program=program, price=Decimal("120.00"), weeks=2)
    booking = place_booking(cohort_id=cohort.pk, participant=participant_for(
        program, 1, name=FORMULA, emergency_contact="+44 7700 900000", access_needs="@wheelchair",
        answers={"why": {"question": "What brings you here?", "answer": FORMULA}},
    ))
    mark_paid(booking_id=booking.pk, note=FORMULA)
    return booking


def csv_cells(response) -> list[str]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def xlsx_cells(response) -> list:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def export_urls(booking) -> dict[str, str]:
    cohort_id = booking.cohort_id
    return {
        "bookings list": reverse("bookings_admin:index") + "?export={}",
        "payments list": reverse("payments_admin:index") + "?export={}",
        "attendance": reverse("bookings_attendance_export", args=[cohort_id, "FORMAT"]).replace("FORMAT", "{}"),
        "roster with intake": reverse("bookings_roster_intake_export", args=[cohort_id, "FORMAT"]).replace("FORMAT", "{}"),
    }


@pytest.mark.parametrize("export", ["bookings list", "payments list", "attendance", "roster with intake"])
def test_every_csv_export_writes_a_formula_as_plain_text(staff_client, booking, export):
    cells = csv_cells(staff_client.get(export_urls(booking)[export].format("csv")))
    assert "'" + FORMULA in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


@pytest.mark.parametrize("export", ["bookings list", "payments list", "attendance", "roster with intake"])
def test_every_xlsx_export_writes_a_formula_as_a_text_cell(staff_client, booking, export):
    cells = xlsx_cells(staff_client.get(export_urls(booking)[export].format("xlsx")))
    assert "'" + FORMULA in [cell.value for cell in cells]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert not [cell.value for cell in cells if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@"))]
