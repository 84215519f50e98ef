"""Marking attendance; opening intake answers and exporting, each recorded with who did it."""

from django.db import transaction

from bookings import audit
from bookings.exceptions import NotAllowedNow
from bookings.models import Attendance, AttendanceMark, Booking
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


def open_intake_answers(*, booking_id: int, acting_user) -> Booking:
    """The booking with its intake answers, emergency contact and access needs; the look is recorded
    in the same transaction, so there is no look without its entry."""
    with transaction.atomic():
        booking = Booking.objects.select_related("cohort__program").get(pk=booking_id)
        audit.record(booking_id=booking.pk, action="bookings.view_intake", acting_user=acting_user)
    return booking


def record_export(*, booking_ids: list[int], export: str, file_format: str, acting_user) -> None:
    """An export counts as a look at every booking in it: one entry each, before the file is written."""
    with transaction.atomic():
        audit.record_many(booking_ids=booking_ids, action="bookings.export", acting_user=acting_user,
                          export=export, format=file_format)
