"""Searching in the admin on both databases: the search backend's queries survive prepared statements on PostgreSQL."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from programs.models import Facilitator
from tests.factories import add_program, build_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed_site():
    _, index = build_site()
    add_program(index, title="Meeting your inner child")
    add_program(index, title="Gentle boundaries")
    Facilitator.objects.create(name="Robin Ash", role="Facilitator", bio="Runs the evening circles.")
    Facilitator.objects.create(name="Sam Birch", role="Facilitator", bio="Runs the morning circles.")
    call_command("update_index", verbosity=0)


@pytest.mark.parametrize(("url", "query", "found", "not_found"), [
    (reverse("wagtailadmin_pages:search"), "inner", "Meeting your inner child", "Gentle boundaries"),
    (reverse("wagtailsnippets_programs_facilitator:list"), "Robin", "Robin Ash", "Sam Birch"),
])
def test_admin_search_finds_what_it_should(staff_client, indexed_site, url, query, found, not_found):
    response = staff_client.get(url, {"q": query})

    assert response.status_code == 200
    page = response.content.decode()
    assert found in page
    assert not_found not in page


def test_a_search_run_twice_in_a_row_still_answers(staff_client, indexed_site):
    # psycopg prepares a statement the sixth time a connection runs it, and runs it prepared after that.
    for _ in range(7):
        response = staff_client.get(reverse("wagtailadmin_pages:search"), {"q": "boundaries"})
        assert response.status_code == 200
    assert "Gentle boundaries" in response.content.decode()
