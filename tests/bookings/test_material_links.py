"""Prep-material links: they name the booking by an opaque key, open one material, and end."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from bookings.material_links import LINK_SALT, document_link, material_link
from bookings.models import CohortMessage
from bookings.services.cancelling import cancel_booking
from bookings.services.placing import place_booking
from bookings.services.privacy import erase_participant
from programs.models import SessionMaterial
from tests.bookings.helpers import NOW, participant_for
from tests.factories import CohortFactory, add_document, add_program, build_site

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


@pytest.fixture
def cohort():
    _, index = build_site()
    program = add_program(index, title="Online circle", default_price=Decimal("0"))
    return CohortFactory(program=program, price=Decimal("0"), weeks=3, allow_drop_ins=True, drop_in_price=Decimal("0"))


@pytest.fixture
def booking(cohort):
    return place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, 1))


def path_of(link: str) -> str:
    return link.removeprefix(SITE)


def token_of(link: str) -> str:
    return path_of(link).removeprefix("/m/").rstrip("/")


def note(cohort, n=0, text="Write a few lines.") -> SessionMaterial:
    session = list(cohort.sessions.order_by("starts_at"))[n]
    return SessionMaterial.objects.create(session=session, title=f"Note {n}", note=text)


def test_a_material_link_neither_contains_nor_decodes_to_the_booking_code(client, booking, cohort):
    material = note(cohort)
    link = material_link(booking=booking, material=material)
    assert booking.code not in link
    payload = signing.loads(token_of(link), salt=LINK_SALT)
    assert booking.code not in str(payload)
    assert set(payload) == {"k", "m"} and payload["k"] == booking.material_key
    page = client.get(path_of(link))
    assert page.status_code == 200 and "Write a few lines." in page.content.decode()
    # The page it opens does not lead to the booking page either.
    assert booking.code not in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]


def test_a_link_in_the_old_form_carrying_the_code_opens_nothing(client, booking, cohort):
    material = note(cohort)
    old = signing.dumps({"b": booking.code, "m": material.pk}, salt="bookings.material", compress=True)
    assert client.get(reverse("bookings:material", args=[old])).status_code == 404


def test_a_link_opens_only_its_own_material(client, booking, cohort):
    first, second = note(cohort, 0, "First note."), note(cohort, 1, "Second note.")
    link = path_of(material_link(booking=booking, material=first))
    body = client.get(link).content.decode()
    assert "First note." in body and "Second note." not in body
    # The material is bound by the signature: swapping in another id breaks the link.
    payload = signing.loads(token_of(link), salt=LINK_SALT)
    forged = signing.dumps({**payload, "m": second.pk}, salt="not-the-secret", compress=True)
    assert client.get(reverse("bookings:material", args=[forged])).status_code == 404
    assert client.get(link[:-5] + "xxxx/").status_code == 404


def test_a_bookings_link_opens_nothing_of_another_cohort(client, booking, cohort):
    other_cohort = CohortFactory(program=cohort.program, price=Decimal("0"), weeks=2)
    other_booking = place_booking(cohort_id=other_cohort.pk, participant=participant_for(cohort.program, 2))
    theirs = note(other_cohort, 0, "Their note.")
    assert client.get(path_of(material_link(booking=other_booking, material=theirs))).status_code == 200
    assert client.get(path_of(material_link(booking=booking, material=theirs))).status_code == 404


def test_a_drop_ins_link_opens_only_its_own_sessions_material(client, cohort):
    first_session = cohort.sessions.order_by("starts_at").first()
    drop_in = place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, 3),
                            session_id=first_session.pk)
    assert client.get(path_of(material_link(booking=drop_in, material=note(cohort, 0)))).status_code == 200
    assert client.get(path_of(material_link(booking=drop_in, material=note(cohort, 1)))).status_code == 404


def test_a_link_stops_working_when_the_booking_is_cancelled(client, booking, cohort):
    link = path_of(material_link(booking=booking, material=note(cohort)))
    assert client.get(link).status_code == 200
    cancel_booking(booking_id=booking.pk)
    assert client.get(link).status_code == 404


def test_a_link_stops_working_when_the_participant_is_erased(client, booking, cohort):
    link = path_of(material_link(booking=booking, material=note(cohort)))
    erase_participant(email=booking.email)
    assert client.get(link).status_code == 404


def test_a_link_ends_after_two_weeks(client, booking, cohort):
    link = path_of(material_link(booking=booking, material=note(cohort)))
    with time_machine.travel(NOW + timedelta(days=13), tick=False):
        assert client.get(link).status_code == 200
    with time_machine.travel(NOW + timedelta(days=15), tick=False):
        assert client.get(link).status_code == 404


def test_the_booking_page_shows_material_links_without_the_code(client, booking, cohort):
    note(cohort, 0, "From the page.")
    page = client.get(booking.get_absolute_url()).content.decode()
    links = [part.split('"')[0] for part in page.split('href="')[1:] if part.startswith(f"{SITE}/m/")]
    assert len(links) == 1 and booking.code not in links[0]
    assert "From the page." in client.get(path_of(links[0])).content.decode()


def test_a_material_document_is_streamed_through_the_link(client, booking, cohort):
    session = cohort.sessions.order_by("starts_at").first()
    material = SessionMaterial.objects.create(session=session, title="Reading", document=add_document("Reading"))
    response = client.get(path_of(material_link(booking=booking, material=material)))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"private prep notes"


def test_a_messages_document_opens_only_for_the_cohort_it_was_sent_to(client, booking, cohort):
    sent = add_document("Sent")
    CohortMessage.objects.create(cohort=cohort, subject="Reading", body="See the link.", attachment=sent)
    never_sent = add_document("Never sent")
    response = client.get(path_of(document_link(booking=booking, document=sent)))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"private prep notes"
    assert client.get(path_of(document_link(booking=booking, document=never_sent))).status_code == 404
    other_cohort = CohortFactory(program=cohort.program, price=Decimal("0"), weeks=2)
    outsider = place_booking(cohort_id=other_cohort.pk, participant=participant_for(cohort.program, 4))
    assert client.get(path_of(document_link(booking=outsider, document=sent))).status_code == 404


def test_a_sessions_message_document_is_not_for_another_sessions_drop_in(client, cohort):
    first, second = list(cohort.sessions.order_by("starts_at"))[:2]
    document = add_document("Second week")
    CohortMessage.objects.create(cohort=cohort, session=second, subject="Week 2", body="Bring this.", attachment=document)
    drop_in = place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, 5), session_id=first.pk)
    assert client.get(path_of(document_link(booking=drop_in, document=document))).status_code == 404
    whole = place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, 6))
    assert client.get(path_of(document_link(booking=whole, document=document))).status_code == 200
