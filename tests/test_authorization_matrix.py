"""Every URL the project serves, tried by every role against facilitator B's objects (issue 14).

The patterns come from Django's resolver, so a new view is in the matrix without anyone
remembering to add it; tests/authz_table.py says what kind of URL each one is, and a
pattern it does not classify fails `test_every_served_pattern_is_classified`.

Roles: anonymous; a participant holding the code of another booking (made in A's program
with B's participant's address, as finding 1's attack does) and an unknown code;
facilitator A; facilitator B, who owns every object; staff. A participant has no
session, so on admin URLs they are anonymous and only the anonymous cells run there.

Each cell is one (pattern, variant, role). B's objects are built once per module inside
a transaction that is rolled back at the end; each cell runs in its own savepoint.
"""

import io
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import (
    Collection, CollectionViewRestriction, GroupPagePermission, ModelLogEntry, Page, PageLogEntry,
    PageViewRestriction, Revision,
)

from bookings.models import Booking, CohortMessage, EmailLog, Payment, Refund, StripeEvent, WaitlistEntry
from bookings.privacy_links import address_token
from programs.models import Cohort, Facilitator, Session
from tests.authz_table import (
    ADMIN_ANY, ADMIN_OWNER, ADMIN_STAFF, DELIBERATE_ERROR, NOT_USED, PARTICIPANT_CODE, PROTECTED_FILE, PUBLIC,
    PUBLIC_OBJECT, RULES, SIGNED_TOKEN, WEBHOOK, classify, kwargs_for,
)
from tests.authz_world import ALL_MARKERS, SECRET_MARKERS, build_world
from tests.bookings.helpers import NOW
from tests.url_walk import served_patterns

pytestmark = pytest.mark.django_db

ADMIN_ROLES = ("anonymous", "facilitator_a", "facilitator_b", "staff")
ROLES = {
    PUBLIC: ("anonymous", "facilitator_a", "staff"),
    PUBLIC_OBJECT: ("anonymous", "facilitator_a", "staff"),
    PARTICIPANT_CODE: ("own-code", "other-booking-code", "unknown-code"),
    SIGNED_TOKEN: ("anonymous",),
    PROTECTED_FILE: ADMIN_ROLES,
    WEBHOOK: ("anonymous-get", "anonymous-post"),
    # B is a facilitator like A here, and A's check is the stricter one.
    ADMIN_ANY: ("anonymous", "facilitator_a", "staff"),
    ADMIN_OWNER: ADMIN_ROLES,
    ADMIN_STAFF: ("anonymous", "facilitator_a", "staff"),
    NOT_USED: ("anonymous", "facilitator_a", "staff"),
    DELIBERATE_ERROR: ("anonymous",),
}
UNKNOWN_CODE = "Unknowncode" * 4
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PATTERNS = served_patterns()
CLASSIFIED = [(pattern, classify(pattern)) for pattern in PATTERNS]


def _cells(categories=None, roles=None):
    for pattern, rule in CLASSIFIED:
        if rule is None or (categories and rule.category not in categories):
            continue
        for variant in rule.variants:
            for role in roles or ROLES[rule.category]:
                label = f"{pattern.key}[{variant.label}]" if variant.label else pattern.key
                yield pytest.param(pattern, rule, variant, role, id=f"{label}-{role}")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    # Documents on disk, as in production: the test settings' in-memory storage has no path
    # for Wagtail's document view to send, so it would answer 404 to everyone.
    media = tmp_path_factory.mktemp("authz-media")
    files = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(media)}}
    with (
        override_settings(STORAGES={**settings.STORAGES, "default": files}, MEDIA_ROOT=str(media)),
        django_db_blocker.unblock(),
        time_machine.travel(NOW, tick=False),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def session_cookies(world, django_db_blocker):
    """One signed-in session per user, made once: logging in for each of ~1,400 cells is most of their time."""
    cookies = {}
    with django_db_blocker.unblock():
        for role in ("facilitator_a", "facilitator_b", "staff"):
            client = Client()
            client.force_login(getattr(world, role))
            cookies[role] = client.cookies
    return cookies


@pytest.fixture
def client_for(world, session_cookies):
    def client_for(role: str, *, raise_request_exception: bool = True) -> Client:
        client = Client(raise_request_exception=raise_request_exception)
        if role in session_cookies:
            # A copy: a response that rotates the session must not change the next cell's.
            client.cookies = SimpleCookie(session_cookies[role].output(header=""))
        return client

    return client_for


def url_for(pattern, rule, variant, role, world) -> str:
    if variant.path:
        path = variant.path(world)
    else:
        kwargs = kwargs_for(pattern, rule, variant, world)
        if "code" in kwargs:
            kwargs["code"] = _code(pattern, role, world)
        path = reverse(pattern.name, kwargs=kwargs)
    query = variant.query(world) if variant.query else ""
    return f"{path}?{query}" if query else path


def _code(pattern, role, world) -> str:
    waitlist = pattern.name == "bookings:waitlist"
    if role == "own-code":
        return world.b_waitlist.code if waitlist else world.b_booking.code
    if role == "other-booking-code":
        return world.attacker_waitlist.code if waitlist else world.attacker_booking.code
    return UNKNOWN_CODE


def visible_text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(XLSX):
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
            for value in row if value is not None
        )
    return body.decode("utf-8", "replace")


def leaked(response, hidden) -> list[str]:
    """The labels of `hidden` markers found in the body (which, if streamed, this reads up)."""
    text = visible_text(response)
    return [label for label, marker in hidden.items() if marker in text]


def assert_shows_none(response, hidden, where: str) -> None:
    found = leaked(response, hidden)
    assert not found, f"{where} shows B's {found}"


def _login_paths() -> set[str]:
    return {reverse("wagtailadmin_login"), reverse("wagtailcore_login")}


def refused_anonymously(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    return response.status_code == 302 and urlsplit(response["Location"]).path in _login_paths()


def refused(response) -> bool:
    """Not served: an error, or a redirect elsewhere (Wagtail sends a refused user to the dashboard)."""
    return response.status_code in (302, 400, 403, 404, 405)


def fingerprint(world) -> dict:
    """Everything of B's (and the site-wide rows) that someone else's request must never change."""
    b_programs = [world.b_program.pk, world.b_hidden_program.pk]
    return {
        "pages": list(Page.objects.order_by("pk").values_list(
            "pk", "title", "draft_title", "live", "has_unpublished_changes", "locked", "latest_revision_id", "path")),
        "revisions": Revision.objects.count(),
        "page log": PageLogEntry.objects.count(),
        "model log": ModelLogEntry.objects.count(),
        "restrictions": (PageViewRestriction.objects.count(), CollectionViewRestriction.objects.count()),
        "collections": Collection.objects.count(),
        "documents": list(get_document_model().objects.order_by("pk").values_list("pk", "title", "collection_id")),
        "facilitators": list(Facilitator.objects.order_by("pk").values_list("pk", "user_id", "name")),
        "cohorts": list(Cohort.objects.order_by("pk").values_list("pk", "title", "program_id", "status")),
        "sessions": list(Session.objects.filter(cohort__program_id__in=b_programs).order_by("pk").values_list(
            "pk", "status", "starts_at")),
        "messages": list(CohortMessage.objects.order_by("pk").values_list("pk", "cohort_id", "attachment_id")),
        "users": list(get_user_model().objects.order_by("pk").values_list("pk", "is_active", "is_superuser")),
        "page permissions": GroupPagePermission.objects.count(),
        # Looks at intake answers are log entries (bookings/audit.py); "model log" counts them too.
        "intake looks": ModelLogEntry.objects.filter(action="bookings.view_intake").count(),
        "stripe events": StripeEvent.objects.count(),
        "refunds": Refund.objects.count(),
        **b_fingerprint(world),
    }


def b_fingerprint(world) -> dict:
    """B's participant's rows only: what another booking's code must never reach."""
    b_programs = [world.b_program.pk, world.b_hidden_program.pk]
    return {
        "b bookings": list(Booking.objects.filter(cohort__program_id__in=b_programs).order_by("pk").values_list(
            "pk", "state", "name", "email", "cohort_id", "intake_answers", "emergency_contact", "access_needs")),
        "b payments": list(Payment.objects.filter(booking__cohort__program_id__in=b_programs).order_by("pk")
                           .values_list("pk", "status", "amount")),
        "b waitlist": list(WaitlistEntry.objects.filter(cohort__program_id__in=b_programs).order_by("pk")
                           .values_list("pk", "state", "name", "email")),
        "b emails": list(EmailLog.objects.filter(booking__cohort__program_id__in=b_programs).order_by("pk")
                         .values_list("pk", "to", "status", "delivery_status")),
    }


def test_every_served_pattern_is_classified():
    missing = [pattern.label for pattern, rule in CLASSIFIED if rule is None]
    assert not missing, "classify these URL patterns in tests/authz_table.py:\n" + "\n".join(missing)


def test_every_rule_still_matches_a_served_pattern():
    used = {rule.glob for _, rule in CLASSIFIED if rule is not None}
    stale = [rule.glob for rule in RULES if rule.glob not in used and not rule.optional]
    assert not stale, f"these rules match no served pattern any more (remove or fix them): {stale}"


def test_the_walk_reaches_every_part_of_the_site():
    names = {pattern.name for pattern in PATTERNS}
    for name in ("wagtailadmin_home", "wagtailadmin_pages:edit", "wagtaildocs_serve", "bookings:detail",
                 "bookings_roster", "cohorts:edit", "wagtail_serve"):
        assert name in names, name
    assert any(name and name.startswith("anymail:") for name in names)


@pytest.mark.parametrize(("pattern", "rule", "variant", "role"), list(_cells()))
def test_get(pattern, rule, variant, role, world, client_for):
    url = url_for(pattern, rule, variant, role, world)
    category = rule.category
    # Whether a GET changes anything is asked where it matters: B's objects and B's participant.
    watched = role in ("other-booking-code", "anonymous-post") or (role == "facilitator_a" and category == ADMIN_OWNER)
    before = fingerprint(world) if watched else None
    client = client_for(role)
    if role == "anonymous-post":
        response = client.post(url, data="{}", content_type="application/json")
    else:
        response = client.get(url)
    status = response.status_code
    where = f"{role} GET {url} -> {status}"

    if role in ("staff", "facilitator_b", "own-code"):
        assert status < 500, where
        if pattern.name == "bookings:detail" and role == "own-code":
            # The fixture's sanity: B's own code does open B's booking.
            assert status == 200 and SECRET_MARKERS["booking name"] in visible_text(response), where
    elif category in (PUBLIC, PUBLIC_OBJECT):
        if variant.private:
            assert status == 404 or refused_anonymously(response), f"{where}: not public, must be 404"
        assert status < 500, where
        assert_shows_none(response, rule.hidden, where)
    elif category == PARTICIPANT_CODE:
        if role == "unknown-code":
            # 405: a POST-only view refuses a GET before it looks at the code.
            assert status in (404, 405), where
        assert status < 500, where
        assert_shows_none(response, SECRET_MARKERS, where)
    elif category == SIGNED_TOKEN:
        assert status in (400, 403, 404, 410), where
    elif category == WEBHOOK:
        assert 400 <= status < 500, f"{where}: an unauthenticated call must get a 4xx"
    elif role == "anonymous":
        assert refused_anonymously(response), f"{where}: must send to the login page or refuse"
    elif category == PROTECTED_FILE:
        assert refused(response), f"{where}: only those allowed may download it"
        assert_shows_none(response, ALL_MARKERS, where)
    elif category == ADMIN_ANY:
        assert status < 500, where
        assert_shows_none(response, rule.hidden, where)
    elif category == ADMIN_OWNER:
        assert status < 500, where
        if not refused(response):
            assert_shows_none(response, rule.hidden, where)
    elif category in (ADMIN_STAFF, NOT_USED):
        assert refused(response), f"{where}: staff only"
    else:
        pytest.fail(f"no expectation for {category} / {role}")

    if before is not None:
        assert fingerprint(world) == before, f"{where} changed something"


@pytest.mark.parametrize("role", ["facilitator_b", "staff"])
def test_b_and_staff_do_see_b_markers(role, world, client_for):
    """The markers are really on B's screens, so their absence from A's responses means something."""
    client = client_for(role)
    inspect = client.get(reverse("bookings_admin:inspect", args=[world.b_booking.pk]))
    assert SECRET_MARKERS["booking name"] in visible_text(inspect)
    revision = client.get(reverse("wagtailadmin_pages:revisions_view",
                                  args=[world.b_program.pk, world.b_draft_revision_id]))
    assert SECRET_MARKERS["draft summary"] in visible_text(revision)
    # The screens that name only what the user may see (programs/admin_visibility.py) do name B's.
    for url, marker in (
        (reverse("wagtailadmin_choose_page_child", args=[world.index.pk]), "draft title"),
        (reverse("wagtailadmin_explore", args=[world.b_program.pk]), "draft title"),
        (reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"]) + f"?id={world.b_program.pk}",
         "draft title"),
        (reverse("wagtailadmin_api:documents:listing"), "document title"),
    ):
        assert SECRET_MARKERS[marker] in visible_text(client.get(url)), url


def test_a_fresh_address_link_does_open_b_participants_booking(world, client_for):
    """The address pages refuse stale, forged and misdirected links only: a fresh one does open."""
    token = address_token(world.b_address_link)
    response = client_for("anonymous").get(reverse("bookings:your-data-download", kwargs={"token": token}))
    assert response.status_code == 200
    assert SECRET_MARKERS["intake answer"] in visible_text(response)


def test_the_deliberate_error_view_is_only_for_admin_users(client_for):
    response = client_for("facilitator_a", raise_request_exception=False).get(
        reverse("wagtailadmin_error_test"))
    assert response.status_code == 500
    assert not leaked(response, ALL_MARKERS)


@pytest.mark.parametrize(
    ("pattern", "rule", "variant", "role"),
    list(_cells(categories=(ADMIN_OWNER, ADMIN_STAFF, NOT_USED), roles=("facilitator_a",))),
)
def test_post_by_facilitator_a_changes_nothing(pattern, rule, variant, role, world, client_for):
    """An empty POST is enough to run any confirm-and-do view (delete, unpublish, lock, copy...)."""
    url = url_for(pattern, rule, variant, role, world)
    before = fingerprint(world)
    response = client_for(role).post(url, {})
    where = f"facilitator A POST {url} -> {response.status_code}"
    assert response.status_code < 500, where
    if rule.category != ADMIN_OWNER:
        assert refused(response), f"{where}: staff only"
    elif not refused(response):
        assert_shows_none(response, rule.hidden, where)
    assert fingerprint(world) == before, f"{where} changed something"


def _valid_posts():
    """Actions by facilitator A on B's objects, with the data a real form would send."""
    booking_actions = {
        "approve": {"message": "Welcome"}, "decline": {"message": "Not this time"}, "mark-paid": {"note": "Cash"},
        "move": lambda world: {"cohort": world.b_other_cohort.pk}, "erase": {"confirm": "on"},
        "cancel": {"refund": "0", "reason": "Taken over"},
    }
    for action, data in booking_actions.items():
        yield pytest.param(
            lambda world, action=action: reverse("bookings_booking_action", args=[world.b_booking.pk, action]),
            data, id=f"booking-{action}",
        )
    page = "wagtailadmin_pages"
    yield pytest.param(lambda world: reverse(f"{page}:edit", args=[world.b_program.pk]),
                       {"title": "Hijacked", "slug": "hijacked", "action-publish": "action-publish"}, id="page-publish")
    yield pytest.param(lambda world: reverse(f"{page}:set_privacy", args=[world.b_program.pk]),
                       {"restriction_type": "password", "password": "hijacked"}, id="page-set-password")
    yield pytest.param(lambda world: reverse(f"{page}:copy", args=[world.b_program.pk]),
                       lambda world: {"new_title": "Copied", "new_slug": "copied", "new_parent_page": world.index.pk},
                       id="page-copy")
    yield pytest.param(lambda world: reverse(f"{page}:move_confirm", args=[world.b_program.pk, world.index.pk]),
                       {}, id="page-move-within-index")
    yield pytest.param(
        lambda world: reverse("wagtailsnippets_programs_facilitator:edit", args=[world.b_facilitator.pk]),
        lambda world: {"name": world.b_facilitator.name, "role": "", "bio": "", "photo": "", "user": ""},
        id="facilitator-unlink-owner",  # finding 9: the owner is locked out of their program
    )
    yield pytest.param(
        lambda world: reverse("cohort_messages:add"),
        lambda world: {"cohort": world.a_cohort.pk, "session": "", "subject": "Hi", "body": "Read this",
                       "attachment": world.b_document.pk},
        id="message-own-cohort-with-b-document",  # finding 11
    )


@pytest.mark.parametrize(("url", "data"), list(_valid_posts()))
def test_facilitator_a_cannot_act_on_b_objects(url, data, world, client_for):
    url, data = url(world), data(world) if callable(data) else data
    before = fingerprint(world)
    response = client_for("facilitator_a").post(url, data)
    where = f"facilitator A POST {url} -> {response.status_code}"
    assert response.status_code < 500, where
    assert fingerprint(world) == before, f"{where} changed something"


@pytest.mark.parametrize(("name", "data"), [
    ("bookings:erase", {"confirm": "on"}),
    ("bookings:cancel", {"confirm": "on"}),
    ("bookings:waitlist", {}),
])
def test_another_bookings_code_changes_nothing_of_b(name, data, world, client_for):
    """Finding 1: a code acts on its own booking only, even when its address is B's participant's."""
    code = world.attacker_waitlist.code if name == "bookings:waitlist" else world.attacker_booking.code
    before = b_fingerprint(world)
    response = client_for("anonymous").post(reverse(name, kwargs={"code": code}), data)
    assert response.status_code < 500
    assert b_fingerprint(world) == before, f"{name} with another booking's code changed B's participant's rows"
