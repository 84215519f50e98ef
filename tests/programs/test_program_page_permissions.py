"""Facilitator A against facilitator B's program: every page action follows Wagtail's page
permissions, which come from leading a program (issue 14, finding 10)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Page

from programs.demo.loader import ensure_facilitators_group
from tests.factories import add_program
from tests.programs.roles import facilitator_login, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def programs(rivals):
    for program in (rivals["mine"], rivals["theirs"]):
        program.save_revision().publish()
        program.title = f"{program.title} (new draft)"
        program.save_revision()
    draft = add_program(rivals["index"], title="Ben's unpublished draft", slug="bens-draft", live=False)
    facilitator_login("cleo", draft)
    return {**rivals, "draft": draft}


def as_ana(client):
    client.force_login(get_user_model().objects.get(username="ana"))
    return client


PAGE_VIEWS = {
    "edit": lambda page: reverse("wagtailadmin_pages:edit", args=[page.pk]),
    "view draft": lambda page: reverse("wagtailadmin_pages:view_draft", args=[page.pk]),
    "history": lambda page: reverse("wagtailadmin_pages:history", args=[page.pk]),
    "revision": lambda page: reverse(
        "wagtailadmin_pages:revisions_view", args=[page.pk, page.get_latest_revision().pk]
    ),
    "revision compare": lambda page: reverse("wagtailadmin_pages:revisions_compare", args=[page.pk, "earliest", "latest"]),
    "usage": lambda page: reverse("wagtailadmin_pages:usage", args=[page.pk]),
    "privacy": lambda page: reverse("wagtailadmin_pages:set_privacy", args=[page.pk]),
    "unpublish": lambda page: reverse("wagtailadmin_pages:unpublish", args=[page.pk]),
    "copy": lambda page: reverse("wagtailadmin_pages:copy", args=[page.pk]),
    "delete": lambda page: reverse("wagtailadmin_pages:delete", args=[page.pk]),
    "move": lambda page: reverse("wagtailadmin_pages:move", args=[page.pk]),
}


@pytest.mark.parametrize("action", PAGE_VIEWS)
def test_a_facilitator_is_refused_every_page_view_of_another_facilitators_program(programs, client, action):
    response = as_ana(client).get(PAGE_VIEWS[action](programs["theirs"]))
    assert refused(response), (action, response.status_code)


@pytest.mark.parametrize("action", PAGE_VIEWS)
def test_a_facilitator_opens_every_page_view_of_their_own_program(programs, client, action):
    response = as_ana(client).get(PAGE_VIEWS[action](programs["mine"]))
    assert response.status_code == 200, action


@pytest.mark.parametrize("action", PAGE_VIEWS)
def test_staff_open_every_page_view_of_every_program(programs, staff_client, action):
    response = staff_client.get(PAGE_VIEWS[action](programs["theirs"]))
    assert response.status_code == 200, action


def test_a_facilitator_cannot_publish_unpublish_or_protect_another_facilitators_program(programs, client):
    client = as_ana(client)
    theirs, draft = programs["theirs"], programs["draft"]
    edit = reverse("wagtailadmin_pages:edit", args=[theirs.pk])
    assert refused(client.post(edit, {"title": "Taken", "slug": "bens-circle", "action-publish": "action-publish"}))
    assert refused(client.post(reverse("wagtailadmin_pages:unpublish", args=[theirs.pk])))
    assert refused(
        client.post(reverse("wagtailadmin_pages:set_privacy", args=[theirs.pk]),
                    {"restriction_type": "password", "password": "mine-now"})
    )
    assert refused(client.post(reverse("wagtailadmin_pages:delete", args=[theirs.pk])))
    bulk = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    client.post(f"{bulk}?id={draft.pk}", {})
    client.post(reverse("wagtail_bulk_action", args=["wagtailcore", "page", "unpublish"]) + f"?id={theirs.pk}", {})

    theirs.refresh_from_db()
    draft.refresh_from_db()
    assert theirs.live and theirs.title == "Ben's circle" and not theirs.view_restrictions.exists()
    assert not draft.live
    assert Page.objects.filter(pk=theirs.pk).exists()


def test_a_facilitator_publishes_and_bulk_publishes_their_own_program(programs, client):
    client = as_ana(client)
    mine = programs["mine"]
    bulk = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "unpublish"])
    client.post(f"{bulk}?id={mine.pk}", {})
    mine.refresh_from_db()
    assert not mine.live
    client.post(reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"]) + f"?id={mine.pk}", {})
    mine.refresh_from_db()
    assert mine.live and mine.title == "Ana's circle (new draft)"


def test_page_search_and_listing_show_a_facilitator_only_their_own_programs(programs, client):
    client = as_ana(client)
    searched = client.get(reverse("wagtailadmin_pages:search") + "?q=circle").content.decode()
    assert "Ana&#x27;s circle" in searched or "Ana's circle" in searched
    assert "Ben" not in searched
    listing = client.get(reverse("wagtailadmin_explore", args=[programs["index"].pk]))
    assert listing.status_code == 200
    listed = listing.content.decode()
    assert "anas-circle" in listed or "Ana" in listed
    assert "Ben" not in listed


def test_facilitators_hold_neither_change_nor_publish_on_the_program_index(programs, client):
    ana = as_ana(client).get(reverse("wagtailadmin_home")).wsgi_request.user
    permissions = programs["index"].permissions_for_user(ana)
    assert permissions.can_add_subpage()
    assert not permissions.can_edit() and not permissions.can_publish() and not permissions.can_reorder_children()


def test_a_new_facilitator_login_leads_nothing_until_linked(programs, django_user_model):
    newcomer = django_user_model.objects.create_user("dee", password="pw")
    newcomer.groups.add(ensure_facilitators_group(programs["index"]))
    for program in (programs["mine"], programs["theirs"]):
        permissions = program.permissions_for_user(newcomer)
        assert not permissions.can_edit() and not permissions.can_publish()


def test_wagtail_asks_who_may_publish_a_program_and_hears_its_facilitators(programs):
    from wagtail.permissions import policy_registry

    policy = policy_registry.get_by_type(Page)
    publishers = set(policy.users_with_permission_for_instance("publish", programs["theirs"]).values_list("username", flat=True))
    assert "ben" in publishers and "ana" not in publishers


def test_the_migration_takes_change_and_publish_on_the_index_from_an_existing_facilitators_group(programs):
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    group, index = Group.objects.get(name="Facilitators"), programs["index"]
    for codename in ("change_page", "publish_page"):
        GroupPagePermission.objects.create(group=group, page=index, permission=Permission.objects.get(
            content_type__app_label="wagtailcore", codename=codename))
    migration = importlib.import_module("programs.migrations.0003_facilitators_lead_only_their_programs")
    migration.narrow_facilitators_group(apps, None)

    assert set(group.page_permissions.values_list("permission__codename", flat=True)) == {"add_page"}
