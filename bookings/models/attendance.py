"""Who came to which session."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class AttendanceMark(models.TextChoices):
    PRESENT = "present", "Present"
    ABSENT = "absent", "Absent"
    EXCUSED = "excused", "Excused"


class Attendance(models.Model):
    """One participant's presence at one session, as the facilitator marked it."""

    Mark = AttendanceMark

    booking = models.ForeignKey("bookings.Booking", on_delete=models.PROTECT, related_name="attendance")
    session = models.ForeignKey("programs.Session", on_delete=models.PROTECT, related_name="attendance")
    mark = models.CharField(max_length=16, choices=AttendanceMark.choices)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "session"], name="attendance_once_per_session"),
            models.CheckConstraint(condition=Q(mark__in=AttendanceMark.values), name="attendance_mark_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.booking.name}: {self.get_mark_display()}"
