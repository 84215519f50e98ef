"""The page and fragment caches on Redis, as `CACHE_BACKEND=redis` runs them at scale (CI: fails if Redis is missing)."""

from datetime import date

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client, override_settings

from bookings.services.placing import place_booking
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

# A Redis database of its own, emptied before and after, so nothing else on the server is touched.
REDIS_CACHE = {"default": {"BACKEND": "config.cache.RedisCache",
                           "LOCATION": "redis://127.0.0.1:6379/14"}}


@pytest.fixture
def redis_cache():
    with override_settings(CACHES=REDIS_CACHE, PAGE_CACHE_SECONDS=30, FRAGMENT_CACHE_SECONDS=30):
        cache = caches["default"]
        cache.clear()
        with time_machine.travel("2026-11-24 12:00Z", tick=False):
            yield cache
        cache.clear()


def test_two_web_workers_share_the_cache_and_a_booking_in_one_clears_it_for_both(
    redis_cache, django_capture_on_commit_callbacks
):
    _, index = build_site()
    program = add_program(index, title="Meeting your inner child", default_price=0)
    cohort = CohortFactory(program=program, capacity=12, price=0, start_date=date(2027, 3, 9), weeks=4)
    Client().get(program.url)  # the site's first request creates its settings row
    redis_cache.clear()
    one_worker_reader, another_worker_reader = Client(), Client()

    assert one_worker_reader.get(program.url).get("X-Page-Cache") is None
    stored = another_worker_reader.get(program.url)
    assert stored.get("X-Page-Cache") == "hit"  # stored in Redis by the first, read back (unpickled) here
    assert "12 of 12 left" in stored.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        place_booking(cohort_id=cohort.pk, participant=participant_for(program))
    fresh = another_worker_reader.get(program.url)

    assert fresh.get("X-Page-Cache") is None
    assert "11 of 12 left" in fresh.content.decode()
    assert another_worker_reader.get(f"/book/{cohort.pk}/").status_code == 200


def test_the_cache_keeps_one_redis_client_and_still_reads_and_writes(redis_cache):
    client = redis_cache._cache.get_client()

    redis_cache.set("greeting", {"said": "hello"}, 30)

    assert redis_cache._cache.get_client() is client
    assert redis_cache._cache.get_client(write=True) is client  # one server: one pool
    assert redis_cache.get("greeting") == {"said": "hello"}
    assert redis_cache.get_many(["greeting", "missing"]) == {"greeting": {"said": "hello"}}
