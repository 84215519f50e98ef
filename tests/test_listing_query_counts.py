"""Every page that lists things runs as many queries for 20 rows as for 2.

Each case builds a small world (2 of everything the page lists), counts the queries of a
GET after a warm-up request, grows the world tenfold and expects the same count, from a
page that answers and lists rows only the grown world has.

Pinned elsewhere already, so not repeated here:
- the program index, and the cohorts of a program page: tests/cms/test_public_pages.py (1 and
  50 cohorts); here the program page is pinned for its facilitators, which that test keeps at 2;
- the calendar feed: tests/bookings/test_calendar.py (3 and 30 sessions);
- the attendance page and the admin home as staff: tests/bookings/test_roster.py; here only as
  a facilitator, whose lists go through `cohorts_visible_to`.
The roster is pinned there for staff, and the booking form and page in
tests/bookings/test_booking_form.py, but without the waitlist, drop-in sessions, price tiers
and materials that they list; they are here with all of them.
"""

import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image as PILImage
from wagtail.images import get_image_model

from bookings.models import Attendance, CohortMessage, EmailKind, EmailLog, WaitlistEntry
from bookings.privacy_links import address_token
from bookings.services.email_planning import plan_emails, plan_privacy_link
from bookings.services.payments import mark_paid
from bookings.services.placing import place_booking
from cms.models import HomePage, ProgramIndexPage, StandardPage
from programs.demo.loader import ensure_facilitators_group
from programs.models import Cohort, Facilitator, ProgramPage, ProgramPriceTier, SessionMaterial, Venue
from programs.schedule import WeeklyPattern, build_rule
from programs.services import expand_schedule
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, FacilitatorFactory, VenueFactory, add_program, build_site

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 20


@pytest.fixture(autouse=True)
def the_day_before_the_cohorts_start():
    # Every factory cohort starts on Tuesday 9 March 2027: booking is open, each cohort's first
    # session is in the admin's week ahead, and the booking page's join window is open.
    with time_machine.travel("2027-03-08 12:00Z", tick=False):
        yield


@dataclass
class World:
    home: HomePage
    index: ProgramIndexPage
    program: ProgramPage  # led by `facilitator`
    main: Cohort  # the cohort whose sessions, bookings, waitlist and messages grow
    facilitator: AbstractBaseUser

    @property
    def first_booking(self):
        return self.main.bookings.order_by("pk").first()

    @property
    def first_session(self):
        return self.main.sessions.order_by("starts_at").first()


@pytest.fixture
def world(django_user_model) -> World:
    home, index = build_site()
    program = add_program(index, title="Circle", default_price=Decimal("80.00"), allow_pay_later=True)
    user = django_user_model.objects.create_user("maya", password="pw")
    user.groups.add(ensure_facilitators_group(index))
    program.facilitators.add(FacilitatorFactory(name="Maya", user=user))
    program.save_revision().publish()
    # Somebody else's program, with a booking: staff see it, the facilitator does not.
    theirs = add_program(index, title="Their circle", default_price=Decimal("0"))
    their_cohort = CohortFactory(program=theirs, title="Theirs", price=Decimal("0"), weeks=2)
    place_booking(cohort_id=their_cohort.pk, participant=participant_for(theirs, 999, name="Ben Theirs"))
    main = CohortFactory(
        program=program, title="Main", price=Decimal("80.00"), capacity=100, weeks=FEW,
        allow_drop_ins=True, drop_in_price=Decimal("15.00"),
    )
    return World(home=home, index=index, program=program, main=main, facilitator=user)


def grow(world: World, n: int, *, pages: bool) -> None:
    """Bring each kind of listed row to `n`: price tiers, cohorts, the main cohort's sessions,
    materials, bookings (each paid, marked present and emailed), waitlist and messages;
    facilitators (leading the program), venues, and the bookings of one participant who comes
    back for every cohort. With `pages`, menu pages, programs and facilitators' photos too:
    they are slow to make, so only the listings that show them grow them."""
    home, index, program, main = world.home, world.index, world.program, world.main
    for k in range(home.get_children().count() - 1, n if pages else 0):  # the program index is not in the menu
        home.add_child(instance=StandardPage(
            title=f"About {k}", slug=f"about-{k}", show_in_menus=True,
            body=[("heading", {"text": "Hello", "level": "h2"})],
        ))
    for k in range(index.get_children().count(), n if pages else 0):
        add_program(index, title=f"Program {k}")
    for k in range(program.price_tiers.count(), n):
        ProgramPriceTier.objects.create(program=program, label=f"Tier {k}", amount=Decimal(80 + k), sort_order=k)
    for k in range(program.cohorts.count(), n):
        CohortFactory(program=program, title=f"Group {k}", weeks=FEW)
    main.recurrence = build_rule(
        pattern=WeeklyPattern(every_weeks=1, session_count=n), start_time=main.start_time, zone=main.zone
    )
    main.save()
    expand_schedule(cohort_id=main.pk)

    first_session = world.first_session
    for k in range(first_session.materials.count(), n):
        SessionMaterial.objects.create(
            session=first_session, title=f"Reading {k}", url=f"https://example.org/{k}", sort_order=k
        )
    tier = program.price_tiers.order_by("sort_order").first()
    for k in range(main.bookings.count(), n):
        booking = place_booking(
            cohort_id=main.pk, participant=participant_for(program, k, name=f"Person {k}"),
            tier_id=tier.pk, payment_method="pay_later",
        )
        mark_paid(booking_id=booking.pk, note="Bank transfer")
        Attendance.objects.create(booking=booking, session=first_session, mark="present")
    for k in range(main.waitlist.count(), n):
        WaitlistEntry.objects.create(cohort=main, name=f"Waiting {k}", email=f"waiting{k}@example.org")
    for k in range(main.messages.count(), n):
        CohortMessage.objects.create(
            cohort=main, session=first_session if k % 2 else None, subject=f"Note {k}", body="See you soon.",
            author=world.facilitator,
        )

    for k in range(Facilitator.objects.count(), n):
        program.facilitators.add(FacilitatorFactory(name=f"Guide {k}", photo=photo(f"Guide {k}") if pages else None))
    program.save()
    for k in range(Venue.objects.count(), n):
        VenueFactory(name=f"Room {k}")
    returning = participant_for(program, 0, name="Person 0")
    for cohort in program.cohorts.exclude(bookings__email=returning.email):
        place_booking(cohort_id=cohort.pk, participant=returning, tier_id=tier.pk, payment_method="pay_later")
    plan_emails()


def photo(title: str):
    """An image whose rendition on the program page is already made, as on a site in use."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (120, 120), "#8a9a8a").save(buffer, "PNG")
    image = get_image_model().objects.create(title=title, file=ImageFile(buffer, name="photo.png"))
    image.get_rendition("fill-96x96")
    return image


@dataclass(frozen=True)
class Listing:
    name: str
    url: Callable[[World], str]
    # Text only the grown world has, so a page that lists nothing cannot pass.
    shows: str
    # Whether the page shows pages or photos, which `grow` makes only when asked.
    pages: bool = False
    # A public page's N+1, left to the page's owners: the case is expected to fail until it is fixed.
    n_plus_one: str = ""


def url(name: str, *args, query: str = "") -> Callable[[World], str]:
    """The URL named `name`; an argument that is a function is read from the world once it has grown."""
    return lambda w: reverse(name, args=[arg(w) if callable(arg) else arg for arg in args]) + query


def the_main_cohort(w: World) -> int:
    return w.main.pk


def the_first_session(w: World) -> int:
    return w.first_session.pk


def the_first_booking(w: World) -> int:
    return w.first_booking.pk


def the_address_download(w: World) -> str:
    """The download behind the signed link that proves the participant's address."""
    plan_privacy_link(email=w.first_booking.email)
    link_email = EmailLog.objects.filter(kind=EmailKind.PRIVACY_LINK).latest("pk")
    return reverse("bookings:your-data-download", args=[address_token(link_email)])


PUBLIC = [
    Listing("home page (menu, programs)", lambda w: w.home.url, "Program 19", pages=True),
    Listing("program page (facilitators)", lambda w: w.program.url, "Guide 19", pages=True),
    Listing("booking form (drop-in sessions, price tiers)", url("bookings:book", the_main_cohort), "Tier 19"),
    Listing("booking page (sessions, materials)", lambda w: w.first_booking.get_absolute_url(), "Reading 19"),
    Listing("my data (every booking of a proven address)", lambda w: the_address_download(w), "Group 19"),
]

# Lists filtered through `cohorts_visible_to`: for staff, and for a facilitator of one program.
SCOPED = [
    Listing("cohorts", url("cohorts:index"), "Group 10"),
    Listing("cohorts of a program", lambda w: reverse("cohorts:index") + f"?program={w.program.pk}", "Group 10"),
    Listing("cohort edit (its sessions)", url("cohorts:edit", the_main_cohort), "Tue 20 Jul 2027"),
    Listing("sessions", url("sessions:index"), "Group 10"),
    Listing("sessions of a cohort", lambda w: reverse("sessions:index") + f"?cohort={w.main.pk}", "20 Jul 2027"),
    Listing("session edit (its materials)", url("sessions:edit", the_first_session), "Reading 19"),
    Listing("roster", url("bookings_roster", the_main_cohort), "Waiting 19"),
    Listing("bookings", url("bookings_admin:index"), "Person 10"),
    Listing("bookings of a cohort", lambda w: reverse("bookings_admin:index") + f"?cohort={w.main.pk}", "Person 19"),
    Listing("move a booking (cohort choice)", url("bookings_booking_action", the_first_booking, "move"), "Group 19"),
    Listing("payments", url("payments_admin:index"), "Person 10"),
    Listing("emails", url("email_log:index"), "person10@example.org"),
    Listing("cohort messages", url("cohort_messages:index"), "Note 19"),
    Listing("new cohort message (cohort and session choices)", url("cohort_messages:add"), "Group 19"),
    *[
        export
        for file_format in ("csv", "xlsx")
        for export in [
            Listing(f"roster export {file_format}", url("bookings_admin:index", query=f"?export={file_format}"),
                    "Person 19"),
            Listing(f"roster with intake answers {file_format}",
                    url("bookings_roster_intake_export", the_main_cohort, file_format), "Person 19"),
            Listing(f"attendance export {file_format}",
                    url("bookings_attendance_export", the_main_cohort, file_format), "Person 19"),
            Listing(f"payments export {file_format}", url("payments_admin:index", query=f"?export={file_format}"),
                    "person19@example.org"),
        ]
    ],
]

# The same for everyone who may see them.
UNSCOPED = [
    Listing("facilitators", url("wagtailsnippets_programs_facilitator:list"), "Guide 10"),
    Listing("venues", url("wagtailsnippets_programs_venue:list"), "Room 10"),
    Listing("page explorer (programs)", lambda w: reverse("wagtailadmin_explore", args=[w.index.pk]), "Program 19",
            pages=True),
]

# Pinned for staff in tests/bookings/test_roster.py.
FACILITATOR_ONLY = [
    Listing("attendance", url("bookings_attendance", the_first_session), "Person 19"),
    Listing("admin home (week ahead)", url("wagtailadmin_home"), "Group 19"),
]

CASES = [
    pytest.param(
        listing, None, id=f"public: {listing.name}",
        marks=[pytest.mark.xfail(strict=True, reason=listing.n_plus_one)] if listing.n_plus_one else [],
    )
    for listing in PUBLIC
] + [
    pytest.param(listing, viewer, id=f"{viewer}: {listing.name}")
    for listing in SCOPED
    for viewer in ("staff", "facilitator")
] + [
    pytest.param(listing, "staff", id=f"staff: {listing.name}") for listing in UNSCOPED
] + [
    pytest.param(listing, "facilitator", id=f"facilitator: {listing.name}") for listing in FACILITATOR_ONLY
]


@pytest.mark.parametrize(("listing", "viewer"), CASES)
def test_a_listing_takes_the_same_queries_for_2_and_20_rows(request, client, world, listing, viewer):
    if viewer == "staff":
        client = request.getfixturevalue("staff_client")
    elif viewer == "facilitator":
        client.force_login(world.facilitator)
    grow(world, FEW, pages=listing.pages)
    page_url = listing.url(world)
    fetch(client, page_url)  # warm-up: the site's settings row, Wagtail's site root paths, content types
    few = count_queries(client, page_url)

    grow(world, MANY, pages=listing.pages)
    with CaptureQueriesContext(connection) as queries:
        response, body = fetch(client, page_url)

    assert response.status_code == 200
    assert listing.shows in text_of(response, body)
    assert len(queries) == few, (
        f"{few} queries for {FEW} rows, {len(queries)} for {MANY}; most repeated:\n{most_repeated(queries)}"
    )


def fetch(client, url):
    """GET `url` and read all of it: exports stream, and their queries run while they stream."""
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response, _ = fetch(client, url)
    assert response.status_code == 200, url
    return len(queries)


def text_of(response, body: bytes) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        rows = load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)
        return "\n".join(",".join(str(cell) for cell in row if cell is not None) for row in rows)
    return body.decode()


def most_repeated(queries) -> str:
    """The statement run most often, its values blanked: where an N+1 shows itself."""
    shapes = Counter(re.sub(r"\b\d+\b|'[^']*'", "?", query["sql"]) for query in queries.captured_queries)
    shape, times = shapes.most_common(1)[0]
    return f"{times} × {shape}"
