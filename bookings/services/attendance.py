"""Marking attendance, and opening intake answers with an audit row."""

from django.db import transaction

from bookings.exceptions import NotAllowedNow
from bookings.models import Attendance, AttendanceMark, Booking, IntakeAccess
from programs.models import Session


def mark_attendance(*, booking_id: int, session_id: int, mark: str, by_user) -> Attendance:
    """Record present/absent/excused; marking again replaces the earlier mark."""
    if mark not in AttendanceMark.values:
        raise NotAllowedNow("Choose present, absent or excused.")
    booking = Booking.objects.get(pk=booking_id)
    session = Session.objects.get(pk=session_id)
    if session.cohort_id != booking.cohort_id or booking.session_id not in (None, session.pk):
        raise NotAllowedNow("This person is not booked into this session.")
    if not booking.has_place:
        raise NotAllowedNow("This booking has no place in the group.")
    with transaction.atomic():
        attendance, _ = Attendance.objects.update_or_create(
            booking=booking, session=session, defaults={"mark": mark, "marked_by": by_user}
        )
    return attendance


def open_intake_answers(*, booking_id: int, viewer) -> Booking:
    """The booking with its intake answers; the look is recorded in the same breath."""
    with transaction.atomic():
        IntakeAccess.objects.create(booking_id=booking_id, viewer=viewer)
        return Booking.objects.select_related("cohort__program").get(pk=booking_id)


def record_intake_export(*, booking_ids: list[int], viewer) -> None:
    """An export with intake answers counts as a look at each of them."""
    IntakeAccess.objects.bulk_create(IntakeAccess(booking_id=pk, viewer=viewer) for pk in booking_ids)
