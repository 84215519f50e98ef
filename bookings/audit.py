"""Who did what to a booking: Wagtail log entries, written inside the caller's transaction.

Every action on money or personal data (pretix's `log_action`, Zulip's audit rows) leaves one,
with the acting user (None when the participant or the system acted). They show in the
booking's history in the admin and in the site-history report.

An entry names the booking by number only ("Booking #12") and its data holds ids, amounts
and kinds, never health data (answers, emergency contact, access needs), names or free text
typed by staff: erasing a participant leaves nothing to remove here.
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.log_actions import LogFormatter, get_active_log_context, log, registry

from bookings.models import Booking

# action: (label in the history filter, message in the history; may name fields of the entry's data)
LOG_ACTIONS = {
    "bookings.mark_paid": ("Mark paid", "Marked paid: {amount} {currency}"),
    "bookings.refund": ("Refund", "Refund recorded: {amount} {currency}"),
    "bookings.cancel": ("Cancel booking", "Cancelled by {by}"),
    "bookings.move": ("Move booking", "Moved from cohort {from_cohort} to cohort {to_cohort}"),
    "bookings.approve": ("Approve application", "Application approved"),
    "bookings.decline": ("Decline application", "Application declined"),
    "bookings.view_intake": ("View intake answers", "Intake answers, emergency contact and access needs opened"),
    "bookings.export": ("Export", "Exported in {export} ({format})"),
    "bookings.erase": ("Erase personal data", "Personal data erased"),
}


class BookingLogFormatter(LogFormatter):
    def format_message(self, log_entry):
        try:
            return self.message.format(**log_entry.data)
        except (KeyError, IndexError):
            return self.label  # an entry written before its message named this field


def register_log_actions(actions) -> None:
    """For Wagtail's `register_log_actions` hook (bookings/wagtail_hooks.py)."""
    for action, (label, message) in LOG_ACTIONS.items():
        formatter = type("BookingLogFormatter", (BookingLogFormatter,), {"label": label, "message": message})
        actions.register_action(action)(formatter)


def booking_title(booking_id: int) -> str:
    return f"Booking #{booking_id}"


def record(*, booking_id: int, action: str, acting_user, **data) -> None:
    """One entry for one booking. Call inside the transaction that made the change."""
    log(Booking(pk=booking_id), action, user=acting_user, title=booking_title(booking_id), data=data)


def record_many(*, booking_ids: Iterable[int], action: str, acting_user, **data) -> None:
    """The same entry for each of many bookings (an export), in one insert, sharing one uuid."""
    model = registry.get_log_model_for_model(Booking)
    content_type = ContentType.objects.get_for_model(Booking)
    context, now = get_active_log_context(), timezone.now()
    user, uuid = acting_user or context.user, context.uuid
    model.objects.bulk_create(
        model(content_type=content_type, object_id=str(pk), label=booking_title(pk), action=action,
              user=user, uuid=uuid, timestamp=now, data=data)
        for pk in booking_ids
    )
