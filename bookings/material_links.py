"""Links to prep materials and to documents sent with a facilitator's message, and what a link opens.

A link names its booking only by the booking's material key, never by the code that opens the
booking page, so a forwarded email, a mail provider's click log or an access log hands over one
material and nothing else. The signature binds the key to one material (or one document): the
link cannot be turned into another. Its timestamp ends it after two weeks; the booking page
always shows fresh links. Whether it opens is decided when it is followed: the booking must
still have a place, and the material must still belong to the booking's cohort and session.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from bookings.models import Booking, CohortMessage
from programs.models import SessionMaterial

# A salt of its own: links made before the material key (which carried the code) open nothing.
LINK_SALT = "bookings.material-key"
LINK_LIFETIME = timedelta(days=14)


def material_link(*, booking: Booking, material: SessionMaterial) -> str:
    """A link to one session material, for one booking."""
    return _link({"k": booking.material_key, "m": material.pk})


def document_link(*, booking: Booking, document) -> str:
    """A link to a document sent with a facilitator's message, for one booking."""
    return _link({"k": booking.material_key, "d": document.pk})


def _link(payload: dict) -> str:
    token = signing.dumps(payload, salt=LINK_SALT, compress=True)
    return settings.SITE_URL + reverse("bookings:material", args=[token])


@dataclass(frozen=True)
class OpenedMaterial:
    """What a material link shows: a document to download, a page to go to, or a note to read."""

    title: str
    document: object | None = None
    url: str = ""
    note: str = ""


def material_for_link(*, token: str) -> OpenedMaterial | None:
    """What the link opens now, or None: bad, expired, or no longer for this booking."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_LIFETIME)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("k"), str):
        return None
    booking = Booking.objects.filter(material_key=data["k"]).first()
    if booking is None or not booking.has_place:
        return None
    if "d" in data:
        return _message_document(booking, document_id=data["d"])
    return _session_material(booking, material_id=data.get("m"))


def _message_document(booking: Booking, *, document_id) -> OpenedMaterial | None:
    sent_with = CohortMessage.objects.filter(cohort_id=booking.cohort_id, attachment_id=document_id)
    message = next((m for m in sent_with.select_related("attachment") if m.reaches(booking)), None)
    if message is None:
        return None
    return OpenedMaterial(title=message.attachment.title, document=message.attachment)


def _session_material(booking: Booking, *, material_id) -> OpenedMaterial | None:
    item = (
        SessionMaterial.objects.select_related("session", "document")
        .filter(pk=material_id, session__cohort_id=booking.cohort_id)
        .first()
    )
    if item is None or booking.session_id not in (None, item.session_id):
        return None
    return OpenedMaterial(title=item.title, document=item.document, url=item.url, note=item.note)
