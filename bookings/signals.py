"""Receivers: adapters from other apps' signals to bookings services."""

from anymail.signals import tracking
from django.dispatch import receiver

from bookings.services.email_sending import record_delivery_event


@receiver(tracking, dispatch_uid="bookings.record_delivery_event")
def record_esp_tracking(sender, event, esp_name, **kwargs):
    """An ESP told us what happened to a message (delivered, bounced, complained, ...)."""
    record_delivery_event(
        message_id=event.message_id or "",
        event_type=event.event_type,
        description=event.description or event.mta_response or "",
        at=event.timestamp,
    )
