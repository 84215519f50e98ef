"""The anonymous readers' page cache: who is served from it, what clears it, and forms still work."""

import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bookings.services.placing import place_booking
from tests.bookings.helpers import participant_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=[0, 1], ids=["asking-the-cache-each-time", "remembering-for-a-second"])
def page_cache_on(settings, request):
    """Every test runs twice: with each read asking the shared cache, and with this process
    remembering a page it has just served (which must never change who gets it)."""
    settings.PAGE_CACHE_SECONDS = 30
    settings.PAGE_CACHE_LOCAL_SECONDS = request.param
    with time_machine.travel("2026-11-24 12:00Z", tick=False):
        yield


def served_from_cache(response) -> bool:
    return response.get("X-Page-Cache") == "hit"


@pytest.mark.parametrize("page", ["program", "index", "book"])
def test_a_second_anonymous_read_comes_from_the_cache_without_a_query(client, cohort, page):
    url = {"program": cohort.program.url, "index": cohort.program.get_parent().url, "book": f"/book/{cohort.pk}/"}[page]
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)

    assert not served_from_cache(first)
    assert served_from_cache(second)
    assert second.content.decode().count("Meeting your inner child") == first.content.decode().count(
        "Meeting your inner child"
    )
    assert len(queries) == 0
    assert "Content-Security-Policy" in second


def test_a_booking_clears_the_cache_once_committed_so_seats_left_is_fresh(
    client, cohort, django_capture_on_commit_callbacks
):
    assert "12 of 12 left" in client.get(cohort.program.url).content.decode()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program))
        assert served_from_cache(client.get(cohort.program.url))  # not cleared before the commit
    response = client.get(cohort.program.url)

    assert callbacks
    assert not served_from_cache(response)
    assert "11 of 12 left" in response.content.decode()


def test_publishing_an_edit_clears_the_cache(client, cohort, django_capture_on_commit_callbacks):
    program = cohort.program
    client.get(program.url)

    program.title = "Meeting your inner child, gently"
    with django_capture_on_commit_callbacks(execute=True):
        program.save_revision().publish()
    response = client.get(program.url)

    assert not served_from_cache(response)
    assert "Meeting your inner child, gently" in response.content.decode()


def test_a_reader_with_a_session_is_never_served_a_stored_page(client, cohort, admin_user):
    client.get(cohort.program.url)
    client.force_login(admin_user)

    response = client.get(cohort.program.url)

    assert not served_from_cache(response)


def test_query_strings_and_waitlist_offers_bypass_the_cache(client, cohort):
    client.get(f"/book/{cohort.pk}/?offer=abc")
    assert not served_from_cache(client.get(f"/book/{cohort.pk}/?offer=abc"))
    client.get(cohort.program.url + "?utm=x")
    assert not served_from_cache(client.get(cohort.program.url + "?utm=x"))


def test_cache_off_when_the_setting_is_zero(client, cohort, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(cohort.program.url)
    assert not served_from_cache(client.get(cohort.program.url))


def csrf_token_in(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


def test_each_reader_of_a_stored_booking_form_gets_their_own_working_csrf_token(cohort):
    first_reader, second_reader = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    url = f"/book/{cohort.pk}/"
    first_reader.get(url)

    page = second_reader.get(url)
    token = csrf_token_in(page)
    answer = second_reader.post(url, {"csrfmiddlewaretoken": token, "name": ""})

    assert served_from_cache(page)
    assert "__page_cache_csrf_token__" not in page.content.decode()
    assert token != csrf_token_in(first_reader.get(url))
    assert answer.status_code == 422  # past the CSRF check, refused only for the empty form
    stolen = Client(enforce_csrf_checks=True).post(url, {"csrfmiddlewaretoken": token, "name": ""})
    assert stolen.status_code == 403


def test_a_refused_form_is_never_stored(client, cohort):
    url = f"/book/{cohort.pk}/"
    client.post(url, {"name": ""})
    assert not served_from_cache(client.get(url))


def test_making_a_page_private_clears_the_cache(client, cohort, django_capture_on_commit_callbacks):
    from wagtail.models import PageViewRestriction

    program = cohort.program
    client.get(program.url)
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=program, restriction_type="password", password="quiet")

    response = client.get(program.url)

    assert not served_from_cache(response)
    assert 'name="password"' in response.content.decode()  # Wagtail's password form, not the page


class BrokenCache:
    def __getattr__(self, name):
        raise ConnectionError("the cache server is down")


def test_a_cache_that_is_down_serves_pages_uncached_and_keeps_later_jobs(
    client, cohort, monkeypatch, django_capture_on_commit_callbacks
):
    from cms import page_cache

    monkeypatch.setattr(page_cache, "cache", BrokenCache())
    later_job = []

    response = client.get(cohort.program.url)
    with django_capture_on_commit_callbacks(execute=True):
        place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program))
        from django.db import transaction

        transaction.on_commit(lambda: later_job.append("ran"))

    assert response.status_code == 200
    assert not served_from_cache(response)
    assert later_job == ["ran"]


def test_a_response_marked_private_is_never_stored(rf, cohort):
    from django.http import HttpResponse

    from cms.page_cache import AnonymousPageCacheMiddleware, cache_for_readers

    def private_view(request):
        response = cache_for_readers(HttpResponse("for one person"))
        response["Cache-Control"] = "private"
        return response

    middleware = AnonymousPageCacheMiddleware(private_view)
    middleware(rf.get("/somewhere/"))
    assert middleware(rf.get("/somewhere/")).get("X-Page-Cache") != "hit"


class BrokenCacheBackend(BrokenCache):
    """A cache backend (as CACHES names it) whose server is down."""

    def __init__(self, location, params):
        pass

    def close(self, **kwargs):  # Django closes every cache when the test puts CACHES back
        pass


class CountingBrokenCache(BrokenCache):
    calls = 0

    def __getattr__(self, name):
        CountingBrokenCache.calls += 1
        return super().__getattr__(name)


def test_with_the_cache_down_a_page_asks_it_once_and_a_booking_still_goes_through(client, cohort, monkeypatch, settings):
    from cms import page_cache
    from cms.templatetags import fragment_cache

    settings.FRAGMENT_CACHE_SECONDS = 30
    settings.CACHES = {**settings.CACHES, "ratelimit": {"BACKEND": "tests.cms.test_page_cache.BrokenCacheBackend"}}
    for module in (page_cache, fragment_cache):
        monkeypatch.setattr(module, "cache", CountingBrokenCache())
    CountingBrokenCache.calls = 0

    page = client.get(cohort.program.url)
    asked_for_the_page = CountingBrokenCache.calls
    answer = client.post(f"/book/{cohort.pk}/", {"name": ""})

    assert page.status_code == 200
    assert asked_for_the_page == 1  # the middleware's read; every fragment then steps aside
    assert answer.status_code == 422  # refused for the empty form, not a 500 from the rate limiter


def test_a_fragment_needs_a_name_first():
    from django.template import Template, TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        Template("{% load fragment_cache %}{% cached_fragment when=x %}{% endcached_fragment %}")


class Clock:
    """Stands in for `time` in cms.page_cache, so a test can let a second pass."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def kept_for_a_second(settings, monkeypatch):
    from cms import page_cache

    settings.PAGE_CACHE_LOCAL_SECONDS = 1
    clock = Clock()
    monkeypatch.setattr(page_cache, "time", clock)
    return clock


def another_process_books(cohort):
    """A booking made through another server process: the shared cache moves on, this process is not told."""
    from django.core.cache import cache

    from cms.page_cache import GENERATION_KEY

    place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program))
    cache.set(GENERATION_KEY, "moved on by another process", None)


def test_a_page_just_served_is_served_again_for_a_second_without_asking_the_shared_cache(
    client, cohort, kept_for_a_second, monkeypatch
):
    from cms import page_cache

    client.get(cohort.program.url)
    monkeypatch.setattr(page_cache, "cache", BrokenCache())  # any question to it would now fail loudly

    again = client.get(cohort.program.url)

    assert served_from_cache(again)
    assert "12 of 12 left" in again.content.decode()


def test_another_process_booking_shows_here_once_the_second_is_over(client, cohort, kept_for_a_second):
    client.get(cohort.program.url)
    another_process_books(cohort)

    within_the_second = client.get(cohort.program.url)
    kept_for_a_second.now += 1
    after_it = client.get(cohort.program.url)

    assert served_from_cache(within_the_second) and "12 of 12 left" in within_the_second.content.decode()
    assert not served_from_cache(after_it) and "11 of 12 left" in after_it.content.decode()


def test_a_booking_through_this_process_shows_at_once(
    client, cohort, kept_for_a_second, django_capture_on_commit_callbacks
):
    client.get(cohort.program.url)
    with django_capture_on_commit_callbacks(execute=True):
        place_booking(cohort_id=cohort.pk, participant=participant_for(cohort.program))

    response = client.get(cohort.program.url)

    assert not served_from_cache(response)
    assert "11 of 12 left" in response.content.decode()


def test_each_reader_of_a_remembered_booking_form_still_gets_their_own_csrf_token(cohort, kept_for_a_second):
    url = f"/book/{cohort.pk}/"
    Client().get(url)
    tokens = set()
    for _ in range(2):
        reader = Client(enforce_csrf_checks=True)
        response = reader.get(url)
        assert served_from_cache(response)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)
        assert reader.cookies["csrftoken"].value
        tokens.add(token)
    assert len(tokens) == 2


def test_this_process_remembers_a_bounded_number_of_pages(client, cohort, kept_for_a_second, monkeypatch):
    from cms import page_cache

    monkeypatch.setattr(page_cache, "RECENT_PAGES_KEPT", 2)
    urls = [cohort.program.url, cohort.program.get_parent().url, f"/book/{cohort.pk}/"]
    for url in urls:
        client.get(url)

    assert 0 < len(page_cache._recent_pages) <= 2


def test_a_page_read_while_another_thread_commits_a_change_is_not_remembered(rf, kept_for_a_second):
    from django.http import HttpResponse

    from cms import page_cache
    from cms.page_cache import AnonymousPageCacheMiddleware, cache_for_readers

    renders = []

    def view(request):
        renders.append(request.path)
        if len(renders) == 1:
            page_cache._move_generation_on()  # a booking committed by another thread while this one renders
        return cache_for_readers(HttpResponse(f"render {len(renders)}"))

    middleware = AnonymousPageCacheMiddleware(view)
    middleware(rf.get("/programs/"))
    second = middleware(rf.get("/programs/"))

    assert second.get("X-Page-Cache") != "hit"
    assert second.content == b"render 2"
