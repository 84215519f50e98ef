"""Issue 14, a participant's side: a code opens its own booking only, erasure ends it everywhere,
the booking form keeps membership to itself, code-bearing pages are never cached, and no code
reaches a calendar file or an access log."""

import json
import logging
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from wagtail.models import ModelLogEntry

from bookings.models import Booking, EmailKind, EmailLog, EmailStatus
from bookings.outbox import outbox_file_name
from bookings.services.email_planning import plan_emails
from bookings.services.email_sending import send_planned_email
from bookings.services.placing import place_booking
from bookings.services.waitlist import join_waitlist
from config.log_filters import RedactSecretPaths
from tests.bookings.helpers import NOW, participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

VICTIM = "robin.private@example.org"


@pytest.fixture
def program():
    _, index = build_site()
    return add_program(index, title="Circle", default_price=Decimal("0"))


@pytest.fixture
def victim(program):
    """Robin's booking, with health data, in one free group; and a waitlist place in a full one."""
    booking = place_booking(cohort_id=CohortFactory(program=program, price=Decimal("0")).pk, participant=participant_for(
        program, 1, name="Robin Private", email=VICTIM, emergency_contact="Sky 07700 900321",
        answers={"q": {"question": "Why?", "answer": "Grief after a loss"}},
    ))
    full = CohortFactory(program=program, price=Decimal("0"), capacity=1)
    place_booking(cohort_id=full.pk, participant=participant_for(program, 3))
    join_waitlist(cohort_id=full.pk, name="Robin Private", email=VICTIM)
    return booking


def stranger_books_with(client, program, email):
    """A stranger types someone's address into a free group's form and gets that booking's code."""
    cohort = CohortFactory(program=program, price=Decimal("0"))
    client.post(reverse("bookings:book", args=[cohort.pk]), {"name": "Mallory", "email": email, "consent": "on"})
    return Booking.objects.get(cohort=cohort)


def sent(log: EmailLog):
    send_planned_email(log_id=log.pk, organisation="Circles")
    return mail.outbox[-1]


# Finding 1: a code acts on its own booking; across bookings needs a proven address -----------

def test_a_code_downloads_its_own_booking_only(client, program, victim):
    theirs = stranger_books_with(client, program, VICTIM)
    body = client.get(reverse("bookings:my-data", args=[theirs.code])).content.decode()
    assert "Grief after a loss" not in body and "Sky 07700 900321" not in body
    assert [b["name"] for b in json.loads(body)["bookings"]] == ["Mallory"]


def test_a_code_erases_its_own_booking_only(client, program, victim):
    theirs = stranger_books_with(client, program, VICTIM)
    client.post(reverse("bookings:erase", args=[theirs.code]), {"confirm": "on"})
    victim.refresh_from_db()
    assert (victim.state, victim.email, victim.erased_at) == ("confirmed", VICTIM, None)
    assert victim.intake_answers


def test_the_your_data_form_answers_the_same_for_known_and_unknown_addresses(client, victim):
    url = reverse("bookings:your-data-request")
    known, unknown = client.post(url, {"email": VICTIM.upper()}), client.post(url, {"email": "nobody@example.org"})
    strip = lambda r: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())  # noqa: E731
    assert known.status_code == unknown.status_code == 200 and strip(known) == strip(unknown)
    assert EmailLog.objects.filter(kind=EmailKind.PRIVACY_LINK).count() == 1
    for _ in range(4):
        client.post(url, {"email": VICTIM})
    assert client.post(url, {"email": VICTIM}).status_code == 429  # rate-limited


def test_the_emailed_link_lists_exports_and_erases_every_booking_of_the_address(client, program, victim):
    other = place_booking(cohort_id=CohortFactory(program=program, price=Decimal("0")).pk,
                          participant=participant_for(program, 9, email=VICTIM.upper()))
    client.post(reverse("bookings:your-data-request"), {"email": VICTIM})
    message = sent(EmailLog.objects.get(kind=EmailKind.PRIVACY_LINK))
    assert message.to[0].lower() == VICTIM and VICTIM not in message.body.lower().split("your-data/")[1].split()[0]
    link = re.search(r"https?://\S+/your-data/(\S+)/", message.body)
    token = link.group(1)
    page = client.get(reverse("bookings:your-data", args=[token]))
    assert page.status_code == 200 and page["Cache-Control"].count("no-store")
    data = json.loads(client.get(reverse("bookings:your-data-download", args=[token])).content)
    assert len(data["bookings"]) == 2 and len(data["waitlist"]) == 1
    assert client.post(reverse("bookings:your-data", args=[token]), {"confirm": "on"}).status_code == 200
    assert not Booking.objects.filter(email__iexact=VICTIM).exists()
    assert {victim.pk, other.pk} <= set(Booking.objects.exclude(erased_at=None).values_list("pk", flat=True))
    assert client.get(reverse("bookings:your-data", args=[token])).status_code == 404  # the address is gone


def test_a_forged_or_expired_address_link_opens_nothing(client, victim):
    client.post(reverse("bookings:your-data-request"), {"email": VICTIM})
    token = re.search(r"/your-data/(\S+)/", sent(EmailLog.objects.get(kind=EmailKind.PRIVACY_LINK)).body).group(1)
    assert client.get(reverse("bookings:your-data", args=[token + "x"])).status_code == 404
    assert client.get(reverse("bookings:your-data", args=["1:abc:def"])).status_code == 404
    with time_machine.travel(NOW + timedelta(hours=1, minutes=1), tick=False):
        assert client.get(reverse("bookings:your-data", args=[token])).status_code == 404


def test_staff_erasure_reaches_that_booking_only_and_is_audited_without_the_name(staff_client, program, victim):
    theirs = stranger_books_with(staff_client, program, VICTIM)
    staff_client.post(reverse("bookings_booking_action", args=[theirs.pk, "erase"]), {"confirm": "on"})
    victim.refresh_from_db()
    assert victim.email == VICTIM and victim.erased_at is None
    (entry,) = ModelLogEntry.objects.filter(action="bookings.erase")
    assert entry.object_id == str(theirs.pk) and entry.user.username == "staff"
    assert "Mallory" not in entry.label and "Mallory" not in json.dumps(entry.data)


# Finding 2: erasure ends the booking page and everything written to it ------------------------

def test_an_erased_booking_answers_like_an_unknown_code_and_is_sent_nothing(client, victim):
    client.post(reverse("bookings:erase", args=[victim.code]), {"confirm": "on"})
    for name in ["detail", "calendar", "my-data", "erase", "edit-details", "cancel"]:
        assert client.get(reverse(f"bookings:{name}", args=[victim.code])).status_code == 404, name
    assert client.post(reverse("bookings:pay", args=[victim.code])).status_code == 404
    plan_emails()
    assert not EmailLog.objects.filter(booking=victim, kind=EmailKind.BOOKING_CANCELLED).exists()
    assert not EmailLog.objects.filter(booking=victim, status=EmailStatus.PLANNED).exists()


# Finding 3: the booking form does not tell whether an address has a place --------------------

def test_a_second_booking_with_a_known_address_looks_like_a_new_one_even_when_the_group_is_full(client, program):
    cohort = CohortFactory(program=program, price=Decimal("0"), capacity=1)
    url = reverse("bookings:book", args=[cohort.pk])
    client.post(url, {"name": "Robin", "email": VICTIM, "consent": "on"})
    member, stranger = (client.post(url, {"name": "X", "email": e, "consent": "on"}) for e in [VICTIM, "new@example.org"])
    assert member.status_code == stranger.status_code == 409
    assert "already" not in member.content.decode() and "This group is full" in member.content.decode()


# Finding 7: no caching, no codes in calendars or access logs ---------------------------------

def test_every_page_a_code_opens_is_never_stored(client, victim):
    for name in ["detail", "calendar", "my-data", "erase", "edit-details", "cancel"]:
        response = client.get(reverse(f"bookings:{name}", args=[victim.code]))
        assert "no-store" in response["Cache-Control"] and response["X-Robots-Tag"].startswith("noindex"), name
    entry = victim.cohort.program.cohorts.exclude(pk=victim.cohort_id).get().waitlist.get()
    assert "no-store" in client.get(reverse("bookings:waitlist", args=[entry.code]))["Cache-Control"]


def test_the_calendar_file_carries_no_booking_link(client, victim):
    body = client.get(reverse("bookings:calendar", args=[victim.code])).content.decode()
    assert victim.code not in body and "/booking/" not in body


@pytest.mark.parametrize("logger_name", ["django.server", "gunicorn.access"])
def test_access_log_lines_carry_no_codes(victim, logger_name, caplog):
    record = logging.LogRecord(logger_name, logging.INFO, __file__, 1, '"%s" %s %s',
                               (f"GET /booking/{victim.code}/my-data.json HTTP/1.1", 200, 10), None)
    atoms = logging.LogRecord(logger_name, logging.INFO, __file__, 1, '%(r)s %(U)s',
                              {"r": f"GET /m/{victim.code}/ HTTP/1.1", "U": f"/waitlist/{victim.code}/"}, None)
    for line in [record, atoms]:
        RedactSecretPaths().filter(line)
        assert victim.code not in line.getMessage() and "[redacted]" in line.getMessage()


# Finding 8: erasure reaches the outbox files ------------------------------------------------

def test_erasure_removes_the_outbox_files_of_that_booking(client, victim, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH = "bookings.outbox.EmailBackend", tmp_path
    plan_emails()
    (confirmation,) = EmailLog.objects.filter(booking=victim, kind=EmailKind.CONFIRMATION)
    send_planned_email(log_id=confirmation.pk, organisation="Circles")
    written = tmp_path / outbox_file_name(confirmation.pk)
    assert "Robin Private" in written.read_text() and victim.code in written.read_text()
    others = [p for p in tmp_path.iterdir() if p != written]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("bookings:erase", args=[victim.code]), {"confirm": "on"})
    assert not written.exists() and all(p.exists() for p in others)
