"""Shared set-up for the cache tests."""

from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

from cms.page_cache import forget_recent_pages

from tests.factories import CohortFactory, add_program, build_site


@pytest.fixture
def cohort():
    """A free cohort of 12 on a published program, with the site's first request already made.

    That first request creates the site's settings row; the cache (and this process's memory
    of pages served from it) starts empty after it.
    """
    _, index = build_site()
    program = add_program(index, title="Meeting your inner child", default_price=0)
    cohort = CohortFactory(program=program, capacity=12, price=0, start_date=date(2027, 3, 9), weeks=4)
    Client().get(program.url)
    cache.clear()
    forget_recent_pages()
    return cohort
