"""Fragments of public pages cached for every reader: what they skip, what clears them, what never goes in."""


import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bookings.services.placing import place_booking
from tests.bookings.helpers import participant_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fragment_cache_on(settings):
    settings.FRAGMENT_CACHE_SECONDS = 30
    settings.PAGE_CACHE_SECONDS = 0  # the whole-page cache would hide what fragments do
    with time_machine.travel("2026-11-24 12:00Z", tick=False):
        yield


def queries_for(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_a_logged_in_reader_gets_the_dates_from_the_cache_and_a_booking_refreshes_them(
    client, cohort, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    first, first_body = queries_for(client, cohort.program.url)
    second, second_body = queries_for(client, cohort.program.url)
    assert second < first
    assert "12 of 12 left" in second_body

    with django_capture_on_commit_callbacks(execute=True):
        place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program))

    assert "11 of 12 left" in queries_for(client, cohort.program.url)[1]


def test_a_preview_of_a_draft_never_shows_the_cached_published_page(client, cohort):
    program = cohort.program
    assert "Meeting your inner child" in client.get(program.url).content.decode()  # now in the cache

    program.title = "A draft title nobody has published"
    program.summary = "A draft summary"
    preview = program.make_preview_request()

    assert "A draft summary" in preview.content.decode()


def test_a_refused_form_and_a_waitlist_offer_never_reach_the_next_reader(cohort):
    url = f"/book/{cohort.pk}/"
    first_reader = Client()
    first_reader.get(url)  # stores the blank form
    refused = first_reader.post(url, {"name": "Ada Private", "email": "not-an-address"})
    assert refused.status_code == 422
    assert "Ada Private" in refused.content.decode()

    offered = Client().get(url + "?offer=not-a-real-offer")
    next_reader = Client().get(url).content.decode()

    assert offered.status_code == 200
    assert "Ada Private" not in next_reader
    assert "not-an-address" not in next_reader
    assert 'name="csrfmiddlewaretoken"' in next_reader


def test_a_blank_booking_form_from_the_cache_skips_building_the_form(cohort):
    url = f"/book/{cohort.pk}/"
    reader = Client()
    first, first_body = queries_for(reader, url)
    second, second_body = queries_for(reader, url)

    assert second < first
    assert second_body.count('name="name"') == first_body.count('name="name"') == 1
