"""Rate limits key on the address the site can trust, count once for every server process, and answer kindly."""

import json
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from bookings.services.placing import place_booking
from config.client_ip import client_ip
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def counts_of_their_own(settings, tmp_path):
    """Each test counts in a folder of its own, so no other test process sharing VAR_DIR can
    clear its counts halfway (the folder is per machine, as in production)."""
    var_dir = tmp_path / "var"
    settings.VAR_DIR = var_dir
    settings.CACHES = {**settings.CACHES, "ratelimit": {**settings.CACHES["ratelimit"], "LOCATION": var_dir / "ratelimit"}}


@pytest.fixture
def booking():
    _, index = build_site()
    program = add_program(index, default_price=Decimal("0"))
    return place_booking(cohort_id=CohortFactory(program=program, price=Decimal("0"), capacity=1).pk,
                         participant=participant_for(program, 1))


def lost_link(client, **headers):
    return client.post(reverse("bookings:lost-link"), {"email": "x@example.org"}, **headers)


def test_a_made_up_forwarded_for_header_does_not_give_a_fresh_count(client, booking):
    for n in range(5):
        assert lost_link(client, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code == 200
    response = lost_link(client, HTTP_X_FORWARDED_FOR="203.0.113.77")
    assert response.status_code == 429
    assert "Please wait a moment" in response.content.decode()


def test_behind_one_trusted_proxy_the_right_most_hop_is_the_client(client, booking, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(5):  # what the client wrote itself (left of the proxy's value) changes nothing
        assert lost_link(client, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.5", **proxy).status_code == 200
    assert lost_link(client, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 429
    assert lost_link(client, HTTP_X_FORWARDED_FOR="203.0.113.5, 203.0.113.6", **proxy).status_code == 200


@pytest.mark.parametrize(("count", "forwarded", "expected"), [
    (0, "203.0.113.5", "10.0.0.1"),
    (1, "198.51.100.1, 203.0.113.5", "203.0.113.5"),
    (2, "198.51.100.1, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
    (2, "203.0.113.5", "10.0.0.1"),  # fewer hops than proxies: it did not come through them
    (1, "not-an-address", "10.0.0.1"),
    (1, "", "10.0.0.1"),
])
def test_the_client_address_is_counted_from_the_right(rf, settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)) == expected


def test_the_booking_form_the_waitlist_and_the_booking_page_are_limited(client, booking):
    cohort_id = booking.cohort_id
    book = [client.post(reverse("bookings:book", args=[cohort_id]), {"name": ""}).status_code for _ in range(21)]
    waitlist = [client.post(reverse("bookings:join-waitlist", args=[cohort_id]), {"name": ""}).status_code
                for _ in range(21)]
    page = [client.get(booking.get_absolute_url()).status_code for _ in range(121)]
    assert book[-2:] == [422, 429] and waitlist[-2:] == [422, 429] and page[-2:] == [200, 429]
    assert "Please wait a moment" in client.get(booking.get_absolute_url()).content.decode()


COUNT_IN_ANOTHER_PROCESS = """
import json, pathlib, sys, django
django.setup()
from django.test import RequestFactory
from bookings.ratelimit import over_limit
scope, barrier = sys.argv[1], pathlib.Path(sys.argv[2])
request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
with barrier.open("a") as ready:
    ready.write("x")
while len(barrier.read_text()) < 2:  # both processes count at the same time, so a lost update would show
    pass
print(json.dumps([over_limit(request, scope=scope, limit=400, window=86400, methods=("POST",))
                  for _ in range(300)]))
"""


def count_in_two_processes_at_once(tmp_path, **env) -> list[bool]:
    scope = f"two-processes-{uuid.uuid4().hex}"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", **env}
    processes = [
        subprocess.Popen([sys.executable, "-c", COUNT_IN_ANOTHER_PROCESS, scope, str(tmp_path / "barrier")],
                         cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    return [limited for process in processes for limited in json.loads(process.communicate(timeout=120)[0])]


def test_two_server_processes_share_one_count_and_lose_none_of_it(settings, tmp_path):
    # 2 × 300 requests against a limit of 400, counted at the same time: exactly 200 refused.
    assert count_in_two_processes_at_once(tmp_path, VAR_DIR=str(settings.VAR_DIR)).count(True) == 200


@pytest.mark.redis
def test_with_redis_two_server_processes_share_one_count(settings, tmp_path):
    limited = count_in_two_processes_at_once(tmp_path, VAR_DIR=str(settings.VAR_DIR), CACHE_BACKEND="redis",
                                             REDIS_CACHE_URL="redis://127.0.0.1:6379/1")
    assert limited.count(True) == 200
