"""Participants and facilitators in a real browser (375 px wide), with an accessibility check on each page."""

import re
from decimal import Decimal

import pytest
from django.core import mail

from bookings.models import Attendance, Booking, BookingState, EmailLog, EmailStatus
from bookings.services.email_planning import plan_emails
from bookings.services.email_sending import send_planned_email
from bookings.services.placing import place_booking
from tests.bookings.helpers import participant_for
from tests.browser.conftest import assert_accessible, fits_the_screen
from tests.factories import CohortFactory, FacilitatorFactory, add_program, build_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site_with_programs():
    home, index = build_site()
    free = add_program(index, title="Journaling circle", default_price=Decimal("0"))
    paid = add_program(index, title="Online circle", default_price=Decimal("120.00"))
    free_cohort = CohortFactory(program=free, title="Spring evenings", price=Decimal("0"))
    paid_cohort = CohortFactory(program=paid, title="Spring mornings", price=Decimal("120.00"))
    return {"home": home, "index": index, "free": free_cohort, "paid": paid_cohort}


def fill_the_form(page, *, email: str):
    page.get_by_label("Your name").fill("Sam Rivera")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("I have read this note").check()


def open_the_emailed_link(page, live_server, *, to: str) -> None:
    """What the participant does next: the site's email arrives (planned and sent as the tick and
    the worker would), and they follow the one link to their booking page in it."""
    plan_emails()
    for log in EmailLog.objects.filter(to=to, status=EmailStatus.PLANNED):
        send_planned_email(log_id=log.pk, organisation="Circles")
    (message,) = [m for m in mail.outbox if m.to == [to]]
    page.goto(live_server.url + re.search(r"/booking/[\w-]+/", message.body).group(0))


def check_your_inbox(page, *, email: str) -> None:
    """The page after the form: no booking link in it, the typed address named, a way to ask again."""
    page.wait_for_url("**/sent/")
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    assert f"We are sending an email to {email}" in page.get_by_role("status").inner_text()
    assert "/booking/" not in page.content().replace("/booking/lost-link/", "")
    assert page.get_by_role("link", name="ask for the link again").is_visible()


def test_booking_a_free_place_end_to_end(live_server, phone, site_with_programs):
    page = phone
    page.goto(live_server.url + site_with_programs["index"].url)
    assert_accessible(page)
    page.get_by_role("link", name="Journaling circle").click()
    assert "Spring evenings" in page.content()
    assert fits_the_screen(page)
    assert_accessible(page)

    page.get_by_role("link", name="Book a place in Spring evenings").click()
    assert_accessible(page)
    page.get_by_role("button", name="Book my place").click()  # nothing filled in: clear errors
    assert "Please read the note and tick the box" in page.content()
    assert_accessible(page)

    fill_the_form(page, email="sam@example.org")
    page.get_by_role("button", name="Book my place").click()
    check_your_inbox(page, email="sam@example.org")
    assert fits_the_screen(page)
    assert_accessible(page)

    open_the_emailed_link(page, live_server, to="sam@example.org")
    assert "Your place is confirmed, Sam Rivera" in page.content()
    assert "Chicago time" in page.content()  # the browser's zone, sent with the form
    assert fits_the_screen(page)
    assert_accessible(page)
    assert Booking.objects.get().state == BookingState.CONFIRMED


def test_booking_a_paid_place_through_the_stripe_checkout_return(live_server, phone, site_with_programs,
                                                                stripe_stand_in, settings):
    settings.STRIPE_SECRET_KEY = stripe_stand_in.api_key
    settings.STRIPE_API_BASE = stripe_stand_in.base_url
    settings.SITE_URL = live_server.url
    settings.STRIPE_CHECKOUT_ORIGIN = stripe_stand_in.base_url  # the CSP lets the form go there
    page = phone
    page.goto(live_server.url + f"/book/{site_with_programs['paid'].pk}/")
    fill_the_form(page, email="pat@example.org")
    page.get_by_role("button", name="Book my place").click()
    check_your_inbox(page, email="pat@example.org")
    assert f"we keep the seat for you for {settings.BOOKING_HOLD_MINUTES} minutes" in page.content()
    assert_accessible(page)

    open_the_emailed_link(page, live_server, to="pat@example.org")
    assert "Your seat is held until" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Pay .* now$")).click()
    page.wait_for_url(f"{stripe_stand_in.base_url}/pay/**")

    # At Stripe: the participant pays, and Stripe sends them back to the success URL.
    booking = Booking.objects.get()
    session = stripe_stand_in.complete(booking.payments.get().stripe_checkout_session_id)
    page.goto(session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"]))
    page.wait_for_url(f"**{booking.get_absolute_url()}")
    assert "Your place is confirmed" in page.content()
    booking.refresh_from_db()
    assert booking.state == BookingState.CONFIRMED


def test_cancelling_from_the_booking_page(live_server, phone, site_with_programs):
    cohort = site_with_programs["free"]
    booking = place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, 1))
    page = phone
    page.goto(live_server.url + booking.get_absolute_url())
    page.get_by_role("link", name="Cancel this booking").click()
    assert "Nothing has been paid for this place" in page.content()
    assert_accessible(page)
    page.get_by_label("Yes, cancel my place").check()
    page.get_by_role("button", name="Cancel my place").click()
    page.wait_for_url(f"**{booking.get_absolute_url()}")
    assert "This booking is cancelled" in page.content()
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED


def test_a_facilitator_marks_attendance_on_a_phone(live_server, phone, site_with_programs, django_user_model):
    from django.contrib.auth.models import Group, Permission

    cohort = site_with_programs["free"]
    people = [place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program, n)) for n in range(3)]
    user = django_user_model.objects.create_user("maya", password="a-long-test-password")
    group = Group.objects.create(name="Room facilitators")
    group.permissions.add(Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="view_cohort"))
    user.groups.add(group)
    program = cohort.program
    program.facilitators.add(FacilitatorFactory(user=user))
    program.save()
    session = cohort.sessions.order_by("starts_at").first()

    page = phone
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    page.goto(live_server.url + f"/admin/sessions/{session.pk}/attendance/")
    rows = page.locator("[data-person]")
    assert rows.count() == 3
    rows.nth(0).get_by_role("button", name="Present").click()
    rows.nth(1).get_by_role("button", name="Absent").click()
    page.wait_for_function("document.querySelectorAll('[data-person][data-unsaved]').length === 0")
    assert fits_the_screen(page)
    box = rows.nth(0).get_by_role("button", name="Present").bounding_box()
    assert box["height"] >= 44  # a comfortable touch target
    marks = dict(Attendance.objects.values_list("booking__name", "mark"))
    assert marks == {people[0].name: "present", people[1].name: "absent"}

    # The connection drops: the page says what was not saved instead of losing it silently.
    page.context.set_offline(True)
    rows.nth(2).get_by_role("button", name="Excused").click()
    page.wait_for_selector("[data-person][data-unsaved]")
    assert "not saved" in page.locator("[data-attendance-status]").inner_text()
    page.context.set_offline(False)
    rows.nth(2).get_by_role("button", name="Excused").click()
    page.wait_for_function("document.querySelectorAll('[data-person][data-unsaved]').length === 0")
    assert Attendance.objects.count() == 3


def tab_to(page, selector: str, limit: int = 30) -> None:
    """Press Tab until the element matching `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement === document.querySelector({selector!r})"):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_booking_with_the_keyboard_alone(live_server, phone, site_with_programs):
    page = phone
    page.goto(live_server.url + f"/book/{site_with_programs['free'].pk}/")
    tab_to(page, "#id_name")
    page.keyboard.type("Kim Keyboard")
    tab_to(page, "#id_email")
    page.keyboard.type("kim@example.org")
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    check_your_inbox(page, email="kim@example.org")
    assert Booking.objects.get().name == "Kim Keyboard"
    # The first Tab on any page reaches the skip link, which moves the focus to the content.
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"


def test_the_booking_form_focuses_its_errors_and_sends_once_however_often_pressed(
    live_server, phone, site_with_programs
):
    page = phone
    page.goto(live_server.url + f"/book/{site_with_programs['free'].pk}/")
    page.get_by_label("Your name").fill("Sam Rivera")
    page.get_by_role("button", name="Book my place").click()  # no address, no consent yet
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "form-errors"
    assert page.get_by_label("Your name").input_value() == "Sam Rivera"

    fill_the_form(page, email="sam@example.org")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.get_by_role("button", name="Book my place").dblclick()
    page.wait_for_url("**/sent/")
    assert len(posts) == 1
    assert Booking.objects.filter(email="sam@example.org").count() == 1


def test_a_very_long_name_and_address_stay_inside_a_phone_screen(live_server, phone, site_with_programs):
    cohort = site_with_programs["free"]
    long_name = "Sam" + "a" * 117
    booking = place_booking(cohort_id=cohort.pk, participant=participant_for(
        cohort.program, name=long_name, email=f"{'b' * 60}@{'c' * 50}.example.org"))
    phone.goto(live_server.url + booking.get_absolute_url())
    assert long_name in phone.content()
    assert fits_the_screen(phone)
