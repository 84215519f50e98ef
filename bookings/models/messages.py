"""A facilitator's message to a cohort (or one session's participants), fanned out by the planner."""

from django.conf import settings
from django.db import models


class CohortMessage(models.Model):
    """Written once in the admin; the planner makes one email per confirmed participant."""

    cohort = models.ForeignKey("programs.Cohort", on_delete=models.PROTECT, related_name="messages")
    session = models.ForeignKey(
        "programs.Session", null=True, blank=True, on_delete=models.PROTECT, related_name="messages",
        help_text="Only the participants of this session (drop-ins included); leave empty for the whole cohort.",
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text. It is sent as written, with a greeting and your organisation's name.")
    attachment = models.ForeignKey(
        "wagtaildocs.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Sent as a private link, not attached.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} · {self.cohort}"

    def reaches(self, booking) -> bool:
        """Whether this message is for the booking: a session's message skips other sessions' drop-ins."""
        return booking.cohort_id == self.cohort_id and (
            not self.session_id or booking.session_id in (None, self.session_id)
        )
