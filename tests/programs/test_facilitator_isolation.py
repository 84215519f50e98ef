"""One facilitator against another: profiles, creating programs, histories and the site history
(issue 14, findings 9 and 12)."""

import pytest
from django.urls import reverse
from wagtail.log_actions import log
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from programs.models import Facilitator, ProgramPage
from tests.factories import CohortFactory
from tests.programs.roles import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(rivals, client):
    client.force_login(rivals["ana"])
    return {**rivals, "client": client, "ana_profile": rivals["ana"].facilitator,
            "ben_profile": rivals["ben"].facilitator}


def snippet_url(action, profile):
    return reverse(f"wagtailsnippets_programs_facilitator:{action}", args=[profile.pk])


# Finding 9: a facilitator edits only their own profile, and never links a login --------------


def test_a_facilitator_edits_their_own_profile_without_the_login_field(world):
    client, profile = world["client"], world["ana_profile"]
    form = client.get(snippet_url("edit", profile))
    assert form.status_code == 200
    assert 'name="user"' not in form.content.decode()

    response = client.post(snippet_url("edit", profile), {"name": "Ana", "role": "Counsellor", "bio": "Hello",
                                                          "user": world["ben"].pk})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.bio == "Hello" and profile.user == world["ana"]
    assert Facilitator.objects.get(pk=world["ben_profile"].pk).user == world["ben"]


def test_a_facilitator_cannot_take_over_another_facilitators_profile(world):
    client, theirs = world["client"], world["ben_profile"]
    assert refused(client.get(snippet_url("edit", theirs)))
    assert refused(client.post(snippet_url("edit", theirs), {"name": "Ben", "user": world["ana"].pk}))
    for action in ("delete", "history", "usage"):
        assert refused(client.get(snippet_url(action, theirs))), action
    assert refused(client.post(snippet_url("delete", theirs)))
    client.post(reverse("wagtail_bulk_action", args=["programs", "facilitator", "delete"]) + f"?id={theirs.pk}", {})

    theirs.refresh_from_db()
    assert theirs.user == world["ben"] and theirs.name == "Ben"
    assert world["theirs"].permissions_for_user(world["ana"]).can_edit() is False
    listing = client.get(reverse("wagtailsnippets_programs_facilitator:list")).content.decode()
    assert snippet_url("edit", world["ana_profile"]) in listing
    assert snippet_url("edit", theirs) not in listing


def test_a_facilitator_deletes_no_profile_not_even_their_own(world):
    client, profile = world["client"], world["ana_profile"]
    assert refused(client.post(snippet_url("delete", profile)))
    assert Facilitator.objects.filter(pk=profile.pk).exists()


def test_staff_link_a_login_to_a_profile(world, staff_client, django_user_model):
    profile, newcomer = world["ben_profile"], django_user_model.objects.create_user("ben2")
    assert 'name="user"' in staff_client.get(snippet_url("edit", profile)).content.decode()
    response = staff_client.post(snippet_url("edit", profile), {"name": "Ben", "user": newcomer.pk})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.user == newcomer


# Creating a program: the creator leads it from the first save ------------------------------


def program_form(*, facilitators):
    data = {
        "title": "Ana's new circle", "slug": "anas-new-circle", "summary": "Six evenings.",
        "safety_note": "Go gently.", "format": "online", "default_price": "0", "default_capacity": "8",
        "prep_lead_time_hours": "48", "pay_later_due_days": "7", "full_refund_days": "14",
        "partial_refund_days": "7", "partial_refund_percent": "50", "prorate_late_joiners": "on",
        "body": streamfield([]), "intake_questions": streamfield([]), "price_tiers": inline_formset([]),
        "comments": inline_formset([]),
    }
    # Outside nested_form_data, which would spread a list over "facilitators-0", "-1"...
    return {**nested_form_data(data), "facilitators": facilitators}


def add_url(index):
    return reverse("wagtailadmin_pages:add", args=["programs", "programpage", index.pk])


def test_the_creator_of_a_program_leads_it_from_the_first_draft_and_can_publish_it(world):
    client, ana = world["client"], world["ana"]
    form = client.get(add_url(world["index"])).content.decode()
    assert f'value="{world["ana_profile"].pk}" checked' in form or f'value="{world["ana_profile"].pk}" selected' in form

    response = client.post(add_url(world["index"]), program_form(facilitators=[world["ana_profile"].pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    program = ProgramPage.objects.get(slug="anas-new-circle")
    assert list(program.facilitators.all()) == [world["ana_profile"]]
    permissions = program.permissions_for_user(ana)
    assert permissions.can_edit() and permissions.can_publish()
    assert not program.permissions_for_user(world["ben"]).can_edit()


def test_a_facilitator_cannot_drop_themselves_from_a_program_they_lead(world):
    client = world["client"]
    response = client.post(add_url(world["index"]), program_form(facilitators=[world["ben_profile"].pk]))
    assert response.status_code == 200
    assert "Keep yourself among the facilitators" in response.content.decode()
    assert not Page.objects.filter(slug="anas-new-circle").exists()


# Finding 12: histories, usage and the site-history report ----------------------------------


def test_cohort_and_session_history_and_usage_of_another_program_are_not_found(world):
    client = world["client"]
    theirs, mine = CohortFactory(program=world["theirs"]), CohortFactory(program=world["mine"])
    from programs.services import expand_schedule

    for cohort in (theirs, mine):
        expand_schedule(cohort_id=cohort.pk)
    for viewset, row_of in (("cohorts", lambda c: c), ("sessions", lambda c: c.sessions.first())):
        for action in ("history", "history_results", "usage"):
            assert client.get(reverse(f"{viewset}:{action}", args=[row_of(theirs).pk])).status_code == 404, (viewset, action)
            assert client.get(reverse(f"{viewset}:{action}", args=[row_of(mine).pk])).status_code == 200, (viewset, action)


def test_the_site_history_report_is_for_staff_only(world, django_user_model):
    # Another program's cohort has history a facilitator would otherwise read here.
    log(CohortFactory(program=world["theirs"], title="Ben's spring group"), "wagtail.create")
    site_history = reverse("wagtailadmin_reports:site_history")
    client = world["client"]
    assert refused(client.get(site_history))
    assert refused(client.get(reverse("wagtailadmin_reports:site_history_results")))
    assert site_history not in client.get(reverse("wagtailadmin_home")).content.decode()

    client.force_login(django_user_model.objects.create_superuser("boss", "boss@example.org", "pw"))
    assert "Ben&#x27;s spring group" in client.get(site_history).content.decode()
    assert site_history in client.get(reverse("wagtailadmin_home")).content.decode()
