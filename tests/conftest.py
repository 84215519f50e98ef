"""Suite-wide fixtures and the rule for tests that need a real service.

A test marked `postgres` or `redis` needs that service. Locally it is skipped when the
service is not there; in CI (the `CI` variable set) it fails instead, so a missing
service can never turn a locking or queueing test into a silent pass.
"""

import os
import socket

import pytest
from django.db import connection

# The local Stripe stand-in's `stripe_stand_in` fixture, for every test that needs it.
pytest_plugins = ["tests.stripe_stand_in"]


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _require_services(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("sqlite") and connection.vendor != "sqlite":
        # The SQLite variant of a test that has a PostgreSQL one; .ci/run leaves it out there.
        pytest.skip("the SQLite variant; it runs on the SQLite pass")
    if request.node.get_closest_marker("redis") and not _redis_reachable():
        _missing("needs Redis on 127.0.0.1:6379")


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("staff", "staff@example.org", "pw"))
    return client


@pytest.fixture(autouse=True)
def _anymail_test_backend(settings):
    # Django's test runner swaps in locmem; anymail's test backend also reports message ids
    # and ESP statuses the way a real ESP does.
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the cache; each test starts with none, and no page a
    # test served from it is remembered by the next.
    from django.core.cache import caches

    from cms.page_cache import forget_recent_pages

    for alias in ("default", "ratelimit"):
        caches[alias].clear()
    forget_recent_pages()
