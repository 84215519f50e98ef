"""A program that is unpublished, private or behind a password is neither listed nor bookable."""

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import PageViewRestriction

from bookings.models import Booking, WaitlistEntry
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

MARKER = "Hidden healing circle"


@pytest.fixture(autouse=True)
def before_the_cohorts_start():
    with time_machine.travel("2026-11-24 12:00Z", tick=False):
        yield


def hide_by_unpublishing(program, index):
    program.unpublish()


def hide_by_password(program, index):
    PageViewRestriction.objects.create(page=program, restriction_type=PageViewRestriction.PASSWORD, password="x")


def hide_by_login(program, index):
    PageViewRestriction.objects.create(page=program, restriction_type=PageViewRestriction.LOGIN)


def hide_by_group(program, index):
    restriction = PageViewRestriction.objects.create(page=program, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.create(name="Members"))


def hide_the_index_by_password(program, index):
    # A restriction above the program hides it too.
    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.PASSWORD, password="x")


HIDINGS = [hide_by_unpublishing, hide_by_password, hide_by_login, hide_by_group, hide_the_index_by_password]


@pytest.fixture
def hidden_cohort():
    home, index = build_site()
    add_program(index, title="Open to all", default_price=0)
    program = add_program(index, title=MARKER, default_price=0)
    return home, index, program, CohortFactory(program=program, price=0, capacity=1)


@pytest.mark.parametrize("hide", HIDINGS, ids=lambda hide: hide.__name__)
def test_a_hidden_program_is_not_listed(client, hidden_cohort, hide):
    home, index, program, _ = hidden_cohort
    assert MARKER in client.get(home.url).content.decode()  # shown while public
    hide(program, index)
    assert MARKER not in client.get(home.url).content.decode()
    listing = client.get(index.url)
    assert listing.status_code != 200 or MARKER not in listing.content.decode()


@pytest.mark.parametrize("hide", HIDINGS, ids=lambda hide: hide.__name__)
def test_a_hidden_programs_cohort_cannot_be_booked_or_waitlisted(client, hidden_cohort, hide):
    _, index, program, cohort = hidden_cohort
    hide(program, index)
    person = {"name": "Stranger", "email": "stranger@example.org", "consent": "on"}
    for url in (reverse("bookings:book", args=[cohort.pk]), reverse("bookings:join-waitlist", args=[cohort.pk])):
        assert client.get(url).status_code == 404
        assert client.post(url, person).status_code == 404
    assert not Booking.objects.exists() and not WaitlistEntry.objects.exists()


def test_a_public_programs_cohort_can_still_be_booked(client, hidden_cohort):
    _, _, _, cohort = hidden_cohort
    assert client.get(reverse("bookings:book", args=[cohort.pk])).status_code == 200
    assert client.get(reverse("bookings:join-waitlist", args=[cohort.pk])).status_code == 200
