"""Moving or cancelling one session from the admin: materials stay, each participant is told once."""

from datetime import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from bookings.models import EmailKind, EmailLog
from bookings.services.email_planning import plan_emails
from bookings.services.placing import place_booking
from programs.models import Session, SessionMaterial
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def cohort():
    _, index = build_site()
    program = add_program(index, default_price=Decimal("0"))
    cohort = CohortFactory(program=program, price=Decimal("0"), weeks=4)
    for n in range(3):
        place_booking(cohort_id=cohort.pk, participant=participant_for(program, n))
    return cohort


def session_form(session, **fields):
    data = {
        "topic": session.topic, "venue_override": "", "new_date": "", "new_start": "", "new_end": "",
        "cancel_session": "", "note": "",
        "materials-TOTAL_FORMS": "1", "materials-INITIAL_FORMS": "1", "materials-MIN_NUM_FORMS": "0",
        "materials-MAX_NUM_FORMS": "1000",
    }
    material = session.materials.first()
    data.update({
        "materials-0-id": str(material.pk), "materials-0-title": material.title, "materials-0-document": "",
        "materials-0-url": "", "materials-0-note": material.note, "materials-0-ORDER": "1", "materials-0-DELETE": "",
    })
    data.update(fields)
    return data


def test_moving_a_session_keeps_its_materials_and_queues_one_notice_each(staff_client, cohort):
    session = cohort.sessions.order_by("starts_at")[1]  # Tue 16 March 2027
    SessionMaterial.objects.create(session=session, title="Reading", note="Bring a notebook.")
    response = staff_client.post(
        reverse("sessions:edit", args=[session.pk]),
        session_form(session, new_date="2027-03-18", new_start="18:00", new_end="19:30", note="Room clash"),
    )
    assert response.status_code == 302
    plan_emails()
    plan_emails()

    session.refresh_from_db()
    assert session.starts_at.astimezone(LONDON).date().isoformat() == "2027-03-18"
    assert session.starts_at.astimezone(LONDON).time() == time(18, 0)
    assert session.is_rescheduled and session.change_note == "Room clash"
    assert list(session.materials.values_list("title", flat=True)) == ["Reading"]
    notices = EmailLog.objects.filter(kind=EmailKind.SESSION_CHANGED, session=session)
    assert sorted(notices.values_list("to", flat=True)) == [f"person{n}@example.org" for n in range(3)]


def test_cancelling_a_session_from_the_admin(staff_client, cohort):
    session = cohort.sessions.order_by("starts_at")[2]
    SessionMaterial.objects.create(session=session, title="Reading", note="x")
    staff_client.post(reverse("sessions:edit", args=[session.pk]),
                      session_form(session, cancel_session="on", note="Facilitator unwell"))
    plan_emails()
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    assert EmailLog.objects.filter(kind=EmailKind.SESSION_CANCELLED, session=session).count() == 3


def test_editing_only_the_topic_changes_no_time_and_tells_nobody(staff_client, cohort):
    session = cohort.sessions.first()
    SessionMaterial.objects.create(session=session, title="Reading", note="x")
    before = (session.starts_at, session.sequence)
    response = staff_client.post(reverse("sessions:edit", args=[session.pk]), session_form(session, topic="Dialoguing"))
    assert response.status_code == 302
    plan_emails()
    session.refresh_from_db()
    assert (session.starts_at, session.sequence, session.topic) == (*before, "Dialoguing")
    assert not EmailLog.objects.filter(kind__in=[EmailKind.SESSION_CHANGED, EmailKind.SESSION_CANCELLED]).exists()


def test_a_move_that_ends_before_it_starts_is_refused(staff_client, cohort):
    session = cohort.sessions.first()
    SessionMaterial.objects.create(session=session, title="Reading", note="x")
    response = staff_client.post(reverse("sessions:edit", args=[session.pk]),
                                 session_form(session, new_date="2027-03-10", new_start="19:00", new_end="18:00"))
    assert response.status_code == 200
    assert "A session must end after it starts." in response.content.decode()
    session.refresh_from_db()
    assert not session.is_rescheduled


def test_a_cancelled_session_shows_its_state_and_can_be_restored(staff_client, cohort):
    session = cohort.sessions.order_by("starts_at")[2]
    SessionMaterial.objects.create(session=session, title="Reading", note="x")
    staff_client.post(reverse("sessions:edit", args=[session.pk]), session_form(session, cancel_session="on"))
    plan_emails()

    page = staff_client.get(reverse("sessions:edit", args=[session.pk]))
    assert "(Cancelled)" in page.content.decode()
    assert "restore_session" in page.context["form"].fields and "cancel_session" not in page.context["form"].fields

    response = staff_client.post(reverse("sessions:edit", args=[session.pk]),
                                 session_form(session, restore_session="on", note="Back on after all"))
    assert response.status_code == 302
    plan_emails()
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED and session.change_note == "Back on after all"
    notices = EmailLog.objects.filter(kind=EmailKind.SESSION_CHANGED, session=session, revision=session.sequence)
    assert notices.count() == 3


def test_moving_a_cancelled_session_is_one_clear_refusal_and_changes_nothing(staff_client, cohort):
    session = cohort.sessions.order_by("starts_at")[2]
    SessionMaterial.objects.create(session=session, title="Reading", note="x")
    staff_client.post(reverse("sessions:edit", args=[session.pk]), session_form(session, cancel_session="on"),
                      follow=True)  # reads the "updated" message of the cancellation
    session.refresh_from_db()
    before = (session.starts_at, session.sequence, session.status)

    response = staff_client.post(
        reverse("sessions:edit", args=[session.pk]),
        session_form(session, topic="Renamed", new_date="2027-03-25", new_start="18:00", new_end="19:30"),
        follow=True,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "restore it first" in body and "updated" not in body.lower()
    session.refresh_from_db()
    assert (session.starts_at, session.sequence, session.status) == before
    assert session.topic != "Renamed"


def test_a_session_restored_and_moved_in_one_save(staff_client, cohort):
    session = cohort.sessions.order_by("starts_at")[2]
    SessionMaterial.objects.create(session=session, title="Reading", note="x")
    staff_client.post(reverse("sessions:edit", args=[session.pk]), session_form(session, cancel_session="on"))
    response = staff_client.post(
        reverse("sessions:edit", args=[session.pk]),
        session_form(session, restore_session="on", new_date="2027-03-25", new_start="18:00", new_end="19:30"),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED
    assert session.local_starts_at.date().isoformat() == "2027-03-25"
