"""Where a public URL leads, remembered for every reader: what it saves, and that it never serves a page it should not."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from programs.models import ProgramPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def route_cache_on(settings):
    settings.FRAGMENT_CACHE_SECONDS = 30
    settings.PAGE_CACHE_SECONDS = 0  # the whole-page cache would answer before routing


@pytest.fixture
def reader(django_user_model):
    """A logged-in reader (not an editor, who would get Wagtail's user bar): never served a stored page."""
    client = Client()
    client.force_login(django_user_model.objects.create_user("reader", "reader@example.org", "a long passphrase"))
    return client


def fetch(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [query["sql"] for query in queries]


def page_queries(sql: list[str]) -> list[str]:
    return [query for query in sql if '"wagtailcore_page"' in query or "wagtailcore_site" in query
            or "pageviewrestriction" in query]


def test_a_second_read_loads_the_page_in_one_query_instead_of_routing(reader, cohort):
    url = cohort.program.url
    first, first_sql = fetch(reader, url)
    second, second_sql = fetch(reader, url)

    assert first.status_code == second.status_code == 200
    assert len(page_queries(first_sql)) >= 5  # site, two per level of the path, view restrictions
    assert len(page_queries(second_sql)) == 1
    assert "Meeting your inner child" in second.content.decode()


def test_an_unpublished_page_is_gone_at_once_even_before_the_cache_hears_of_it(reader, cohort):
    program = cohort.program
    reader.get(program.url)
    ProgramPage.objects.filter(pk=program.pk).update(live=False)  # no signal: the cache still has the route

    assert reader.get(program.url).status_code == 404


def test_a_page_moved_away_from_a_path_is_no_longer_served_there(reader, cohort):
    program = cohort.program
    old_url = program.url
    reader.get(old_url)
    Page.objects.filter(pk=program.pk).update(url_path=program.url_path.replace(program.slug, "renamed"),
                                              slug="renamed")

    assert reader.get(old_url).status_code == 404


def test_a_page_made_private_asks_for_its_password_on_the_next_read(
    client, cohort, django_capture_on_commit_callbacks
):
    program = cohort.program
    assert client.get(program.url).status_code == 200  # the route is now stored
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=program.get_parent(), restriction_type="password", password="quiet")

    response = client.get(program.url)

    assert 'name="password"' in response.content.decode()
    assert "Meeting your inner child" not in response.content.decode()


def test_a_page_made_private_is_never_served_from_a_stored_route_even_if_the_cache_missed_the_change(reader, cohort):
    from django.contrib.auth.models import Group

    program = cohort.program
    assert reader.get(program.url).status_code == 200  # the route is now stored
    # bulk_create sends no signal: the generation stays, and the stored route with it.
    restriction, = PageViewRestriction.objects.bulk_create(
        [PageViewRestriction(page=program.get_parent(), restriction_type="groups")]
    )
    restriction.groups.add(Group.objects.create(name="Facilitators only"))

    response = reader.get(program.url)

    assert response.status_code == 302  # this reader is not in the group: sent to log in as someone else
    assert "Eight gentle evenings" not in response.content.decode()


def test_a_page_under_a_freshly_passworded_section_asks_for_the_password(client, cohort):
    program = cohort.program
    client.get(program.url)
    PageViewRestriction.objects.bulk_create(
        [PageViewRestriction(page=program.get_parent(), restriction_type="password", password="quiet")]
    )

    response = client.get(program.url)

    assert 'name="password"' in response.content.decode()
    assert "Eight gentle evenings" not in response.content.decode()


def test_a_private_page_is_always_routed_by_wagtail(client, cohort):
    program = cohort.program
    PageViewRestriction.objects.create(page=program, restriction_type="password", password="quiet")
    client.get(program.url)

    second, second_sql = fetch(client, program.url)

    assert 'name="password"' in second.content.decode()
    assert any("pageviewrestriction" in query for query in second_sql)


def test_a_stock_wagtail_page_is_left_to_wagtail(reader, cohort):
    home = cohort.program.get_parent().get_parent()
    plain = home.add_child(instance=Page(title="Plain", slug="plain"))
    reader.get(plain.url)

    _, second_sql = fetch(reader, plain.url)

    assert len(page_queries(second_sql)) >= 3


def test_with_the_cache_off_every_read_is_routed_by_wagtail(reader, cohort, settings):
    settings.FRAGMENT_CACHE_SECONDS = 0
    reader.get(cohort.program.url)

    _, second_sql = fetch(reader, cohort.program.url)

    assert len(page_queries(second_sql)) >= 5


def test_a_route_is_never_shared_between_hosts(cohort, settings):
    """Each host may be a different Wagtail site, with its own page at the same path."""
    from wagtail.models import Site

    settings.ALLOWED_HOSTS = ["localhost", "other.example"]
    program = cohort.program
    home = program.get_parent().get_parent()
    other_home = Page.get_first_root_node().add_child(instance=Page(title="Other home", slug="other-home"))
    Site.objects.create(hostname="other.example", port=80, root_page=other_home)
    Client().get(program.url)  # stored for localhost

    elsewhere = Client().get(program.url, HTTP_HOST="other.example")

    assert home.url_path != other_home.url_path
    assert elsewhere.status_code == 404


def test_an_alias_follows_the_restrictions_of_its_source_page(client, cohort):
    program = cohort.program
    index = program.get_parent()
    alias_index = index.create_alias(recursive=True, update_slug="programs-again")
    alias_program = alias_index.get_children().get().specific
    assert client.get(alias_program.url).status_code == 200
    PageViewRestriction.objects.bulk_create([PageViewRestriction(page=index, restriction_type="password", password="q")])

    response = client.get(alias_program.url)

    assert 'name="password"' in response.content.decode()


def test_a_route_stored_for_a_page_type_that_no_longer_exists_is_a_miss_not_an_error():
    from cms.route_cache import _load_page

    assert _load_page({"model": "cms.RetiredPage", "page_id": 1, "path": "0001", "url_path": "/"}) is None
