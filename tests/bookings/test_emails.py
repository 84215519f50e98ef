"""Emails from the planner and the send task: each message once, at the right time, to the right people."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from bookings.models import Booking, EmailKind, EmailLog, EmailStatus
from bookings.services.cancelling import cancel_booking
from bookings.services.email_planning import plan_emails
from bookings.services.email_sending import send_planned_email
from bookings.services.placing import place_booking
from programs.models import SessionMaterial
from programs.services import cancel_session, reschedule_session
from tests.bookings.helpers import NOW, participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


@pytest.fixture
def cohort():
    _, index = build_site()
    program = add_program(index, title="Online circle", default_price=Decimal("0"), prep_lead_time_hours=48)
    # Tuesdays 19:00 London from 9 March 2027, 4 sessions.
    return CohortFactory(program=program, price=Decimal("0"), weeks=4)


@pytest.fixture
def booking(cohort):
    participant = participant_for(cohort.program, 1, time_zone="America/New_York",
                                  answers={"q": {"question": "Why?", "answer": "A very private answer"}},
                                  emergency_contact="Jo 07700 900999", access_needs="Step-free please")
    return place_booking(cohort_id=cohort.pk, participant=participant)


@pytest.fixture
def run_tick(django_capture_on_commit_callbacks):
    def tick(at: datetime):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            call_command("bookings_tick")
    return tick


def sent(kind=None):
    logs = EmailLog.objects.filter(status=EmailStatus.SENT)
    return list(logs.filter(kind=kind) if kind else logs)


def test_a_confirmation_goes_out_once_however_often_the_tick_runs(booking, run_tick):
    run_tick(NOW)
    run_tick(NOW)
    run_tick(NOW + timedelta(minutes=30))
    assert [m.subject for m in mail.outbox] == ["Your place in Online circle is confirmed"]
    assert EmailLog.objects.get(kind=EmailKind.CONFIRMATION).esp_message_id


def test_planning_twice_writes_each_row_once(booking):
    assert plan_emails() == 1
    assert plan_emails() == 0
    assert EmailLog.objects.count() == 1


def test_two_workers_sending_the_same_row_send_it_once(booking):
    plan_emails()
    log = EmailLog.objects.get()
    first = send_planned_email(log_id=log.pk, organisation="Circles")
    second = send_planned_email(log_id=log.pk, organisation="Circles")
    assert first.status == second.status == EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_a_worker_killed_after_claiming_is_covered_once_the_claim_times_out(booking, run_tick):
    plan_emails()
    # The worker claimed the row and died before sending.
    EmailLog.objects.update(status=EmailStatus.CLAIMED, claimed_at=NOW, enqueued_at=NOW)

    run_tick(NOW + timedelta(minutes=5))
    assert mail.outbox == []
    run_tick(NOW + timedelta(minutes=11))
    run_tick(NOW + timedelta(minutes=25))
    assert len(mail.outbox) == 1
    assert EmailLog.objects.get().attempts == 1


def test_a_failed_send_is_tried_again_and_then_succeeds(booking, run_tick, settings):
    plan_emails()
    settings.EMAIL_BACKEND = "tests.bookings.failing_email_backend.EmailBackend"
    run_tick(NOW)
    assert EmailLog.objects.get().status == EmailStatus.PLANNED
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    run_tick(NOW + timedelta(minutes=11))
    log = EmailLog.objects.get()
    assert (log.status, log.attempts) == (EmailStatus.SENT, 2)


def test_prep_goes_out_at_the_programs_lead_time_with_the_join_link(booking, cohort, run_tick):
    first = cohort.sessions.order_by("starts_at").first()  # Tue 9 Mar 2027 19:00 GMT
    run_tick(datetime(2027, 3, 7, 18, 0, tzinfo=UTC))  # 49 hours before
    assert sent(EmailKind.PREP) == []
    run_tick(datetime(2027, 3, 7, 19, 1, tzinfo=UTC))  # just inside 48 hours
    (prep,) = sent(EmailKind.PREP)
    assert prep.session == first
    message = mail.outbox[-1]
    assert cohort.meeting_url in message.body
    assert "Tue 9 Mar, 14:00–15:30 New York time (Tue 9 Mar, 19:00–20:30 London time)" in message.body
    html = message.alternatives[0][0]
    assert cohort.meeting_url in html


def test_after_two_days_of_downtime_due_messages_go_out_and_past_sessions_get_none(booking, cohort, run_tick):
    # Down from before the course until Thu 18 March: sessions on 9 and 16 March are over.
    run_tick(datetime(2027, 3, 18, 12, 0, tzinfo=UTC))
    preps = sent(EmailKind.PREP)
    assert [p.session.starts_at.astimezone(LONDON).date() for p in preps] == []
    run_tick(datetime(2027, 3, 21, 19, 0, tzinfo=UTC))  # 48 h before 23 March
    assert [p.session.starts_at.astimezone(LONDON).date() for p in sent(EmailKind.PREP)] == [date(2027, 3, 23)]
    assert len(sent(EmailKind.CONFIRMATION)) == 1


def test_a_session_moved_from_tuesday_to_thursday_gets_its_prep_before_thursday(booking, cohort, run_tick):
    second = cohort.sessions.order_by("starts_at")[1]  # Tue 16 March
    thursday = datetime(2027, 3, 18, 19, 0, tzinfo=LONDON)
    with time_machine.travel(datetime(2027, 3, 1, tzinfo=UTC), tick=False):
        reschedule_session(session_id=second.pk, starts_at=thursday, ends_at=thursday + timedelta(minutes=90))

    run_tick(datetime(2027, 3, 14, 19, 30, tzinfo=UTC))  # 48 h before the old Tuesday time
    assert [p.session_id for p in sent(EmailKind.PREP)] == []
    run_tick(datetime(2027, 3, 16, 19, 30, tzinfo=UTC))  # 48 h before Thursday
    (prep,) = sent(EmailKind.PREP)
    assert prep.session_id == second.pk and not prep.is_update
    assert "Thu 18 Mar" in mail.outbox[-1].body


def test_a_session_moved_after_its_prep_went_out_gets_an_update_and_a_change_notice(booking, cohort, run_tick):
    second = cohort.sessions.order_by("starts_at")[1]
    run_tick(datetime(2027, 3, 14, 19, 30, tzinfo=UTC))
    assert len(sent(EmailKind.PREP)) == 1
    thursday = datetime(2027, 3, 18, 19, 0, tzinfo=LONDON)
    with time_machine.travel(datetime(2027, 3, 15, 9, 0, tzinfo=UTC), tick=False):
        reschedule_session(session_id=second.pk, starts_at=thursday, ends_at=thursday + timedelta(minutes=90))

    run_tick(datetime(2027, 3, 15, 9, 1, tzinfo=UTC))
    (notice,) = sent(EmailKind.SESSION_CHANGED)
    assert "moved to Thu 18 Mar" in notice.subject
    run_tick(datetime(2027, 3, 16, 19, 30, tzinfo=UTC))
    update = [p for p in sent(EmailKind.PREP) if p.is_update]
    assert len(update) == 1 and update[0].subject.startswith("Updated:")


def test_a_cancelled_session_sends_a_cancellation_and_no_prep(booking, cohort, run_tick):
    second = cohort.sessions.order_by("starts_at")[1]
    with time_machine.travel(datetime(2027, 3, 10, 9, 0, tzinfo=UTC), tick=False):
        cancel_session(session_id=second.pk, note="The facilitator is unwell.")
    run_tick(datetime(2027, 3, 14, 19, 30, tzinfo=UTC))
    run_tick(datetime(2027, 3, 16, 12, 0, tzinfo=UTC))
    assert [log.session_id for log in sent(EmailKind.SESSION_CANCELLED)] == [second.pk]
    assert second.pk not in [log.session_id for log in sent(EmailKind.PREP)]
    assert "The facilitator is unwell." in mail.outbox[-1].body


def test_someone_who_booked_after_a_change_gets_no_change_notice(cohort, run_tick):
    second = cohort.sessions.order_by("starts_at")[1]
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        cancel_session(session_id=second.pk)
    place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, 5))
    run_tick(NOW)
    assert sent(EmailKind.SESSION_CANCELLED) == []


def test_cancelling_a_booking_tells_the_participant_and_stops_its_prep(booking, cohort, run_tick):
    run_tick(NOW)
    cancel_booking(booking_id=booking.pk)
    run_tick(NOW + timedelta(minutes=1))
    run_tick(datetime(2027, 3, 7, 19, 30, tzinfo=UTC))
    assert len(sent(EmailKind.BOOKING_CANCELLED)) == 1
    assert sent(EmailKind.PREP) == []


def test_a_prep_email_planned_for_a_booking_cancelled_before_it_went_is_skipped(booking, cohort):
    with time_machine.travel(datetime(2027, 3, 7, 19, 30, tzinfo=UTC), tick=False):
        plan_emails()
        cancel_booking(booking_id=booking.pk)
        prep = EmailLog.objects.get(kind=EmailKind.PREP)
        assert send_planned_email(log_id=prep.pk, organisation="Circles").status == EmailStatus.SKIPPED
    assert not [m for m in mail.outbox if "getting ready" in m.subject]


def test_no_email_carries_intake_answers_or_private_details(booking, cohort, run_tick):
    run_tick(NOW)
    run_tick(datetime(2027, 3, 7, 19, 30, tzinfo=UTC))
    with time_machine.travel(datetime(2027, 3, 7, 19, 30, tzinfo=UTC), tick=False):
        cancel_booking(booking_id=booking.pk)
    run_tick(datetime(2027, 3, 7, 19, 31, tzinfo=UTC))
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        parts = [message.subject, message.body, message.alternatives[0][0]]
        parts += [a[1] if isinstance(a[1], str) else a[1].decode() for a in message.attachments]
        text = "\n".join(parts)
        for secret in ["A very private answer", "07700 900999", "Step-free please"]:
            assert secret not in text


def test_a_waitlist_offer_is_sent_once(run_tick):
    from bookings.services.waitlist import join_waitlist, offer_free_seats

    _, index = build_site()
    program = add_program(index, title="Small circle", default_price=Decimal("0"))
    cohort = CohortFactory(program=program, price=Decimal("0"), capacity=1)
    first = place_booking(cohort_id=cohort.pk, participant=participant_for(program, 1))
    join_waitlist(cohort_id=cohort.pk, name="Ana", email="ana@example.org")
    cancel_booking(booking_id=first.pk)
    offer_free_seats(cohort_id=cohort.pk)
    run_tick(NOW)
    run_tick(NOW + timedelta(minutes=1))
    offers = [m for m in mail.outbox if m.to == ["ana@example.org"]]
    assert len(offers) == 1 and "A place is free" in offers[0].subject


def test_a_pay_later_booking_gets_a_payment_reminder_once(run_tick):
    _, index = build_site()
    program = add_program(index, title="Paid circle", allow_pay_later=True)
    cohort = CohortFactory(program=program)
    place_booking(cohort_id=cohort.pk, participant=participant_for(program, 1))
    run_tick(datetime(2027, 2, 26, 9, 0, tzinfo=UTC))  # due 2 March
    run_tick(datetime(2027, 2, 27, 9, 0, tzinfo=UTC))
    assert len(sent(EmailKind.PAYMENT_REMINDER)) == 1


def test_a_facilitators_message_reaches_each_confirmed_participant_once(cohort, run_tick, staff_client):
    from django.urls import reverse

    from bookings.models import CohortMessage

    for n in range(3):
        place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, n))
    cancel_booking(booking_id=Booking.objects.get(email="person2@example.org").pk)
    response = staff_client.post(
        reverse("cohort_messages:add"),
        {"cohort": cohort.pk, "session": "", "subject": "Room change next week", "body": "We meet in room 2.", "attachment": ""},
    )
    assert response.status_code == 302
    assert CohortMessage.objects.get().author.username == "staff"
    run_tick(NOW + timedelta(minutes=1))
    run_tick(NOW + timedelta(minutes=2))
    received = sorted(m.to[0] for m in mail.outbox if m.subject == "Room change next week")
    assert received == ["person0@example.org", "person1@example.org"]
    assert "We meet in room 2." in [m for m in mail.outbox if m.subject == "Room change next week"][0].body
    message = CohortMessage.objects.get()
    assert staff_client.get(reverse("cohort_messages:edit", args=[message.pk])).status_code in (302, 403)


def test_a_material_link_opens_only_for_a_booking_with_a_place(client, booking, cohort):
    from bookings.material_links import material_link

    session = cohort.sessions.first()
    material = SessionMaterial.objects.create(session=session, title="Letter to your younger self", note="Write a few lines.")
    link = material_link(booking=booking, material=material).removeprefix("http://127.0.0.1:8000")
    assert "Write a few lines." in client.get(link).content.decode()
    assert client.get(link[:-5] + "xxxx/").status_code == 404  # tampered
    with time_machine.travel(NOW + timedelta(days=15), tick=False):
        assert client.get(link).status_code == 404  # expired
    cancel_booking(booking_id=booking.pk)
    assert client.get(link).status_code == 404


def test_the_confirmation_carries_a_calendar_file_of_the_sessions(booking, run_tick):
    import icalendar

    run_tick(NOW)
    (message,) = mail.outbox
    (filename, content, mimetype) = message.attachments[0]
    assert (filename, mimetype) == ("online-circle.ics", "text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 4
    assert {e.decoded("DTSTART").astimezone(LONDON).hour for e in events} == {19}
