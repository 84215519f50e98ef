"""A facilitator reaches only the cohorts of the programs they lead; staff reach everything."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from bookings.models import CohortMessage
from bookings.services.email_planning import plan_emails
from bookings.services.placing import place_booking
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, FacilitatorFactory, add_program, build_site

pytestmark = pytest.mark.django_db

PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("programs", "view_cohort"), ("programs", "change_cohort"), ("programs", "add_cohort"),
    ("programs", "view_session"), ("programs", "change_session"),
    ("bookings", "view_booking"), ("bookings", "change_booking"),
    ("bookings", "view_emaillog"), ("bookings", "view_cohortmessage"), ("bookings", "add_cohortmessage"),
]


@pytest.fixture
def world(client, django_user_model):
    _, index = build_site()
    mine = add_program(index, title="My circle", default_price=Decimal("0"))
    theirs = add_program(index, title="Their circle", default_price=Decimal("0"))
    user = django_user_model.objects.create_user("maya", password="pw")
    group = Group.objects.create(name="Facilitators")
    group.permissions.add(*[Permission.objects.get(content_type__app_label=a, codename=c) for a, c in PERMISSIONS])
    user.groups.add(group)
    mine.facilitators.add(FacilitatorFactory(name="Maya", user=user))
    mine.save_revision().publish()
    my_cohort = CohortFactory(program=mine, title="Mine", price=Decimal("0"))
    their_cohort = CohortFactory(program=theirs, title="Theirs", price=Decimal("0"))
    my_booking = place_booking(cohort_id=my_cohort.pk, participant=participant_for(mine, 1, name="Ana Mine"))
    their_booking = place_booking(cohort_id=their_cohort.pk, participant=participant_for(theirs, 2, name="Ben Theirs"))
    plan_emails()
    client.force_login(user)
    return {"client": client, "mine": my_cohort, "theirs": their_cohort, "my_booking": my_booking,
            "their_booking": their_booking}


def body(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_lists_show_only_the_facilitators_own_cohorts(world):
    client = world["client"]
    cohorts = body(client, reverse("cohorts:index"))
    assert "Mine" in cohorts and "Theirs" not in cohorts
    sessions = body(client, reverse("sessions:index"))
    assert "My circle" in sessions and "Their circle" not in sessions
    bookings = body(client, reverse("bookings_admin:index"))
    assert "Ana Mine" in bookings and "Ben Theirs" not in bookings
    emails = body(client, reverse("email_log:index"))
    assert "person1@example.org" in emails and "person2@example.org" not in emails
    searched = body(client, reverse("bookings_admin:index") + "?q=Ben")
    assert "Ben Theirs" not in searched


def test_another_programs_rows_are_not_found_by_url(world):
    client, theirs = world["client"], world["theirs"]
    urls = [
        reverse("cohorts:edit", args=[theirs.pk]),
        reverse("cohorts:delete", args=[theirs.pk]),
        reverse("sessions:edit", args=[theirs.sessions.first().pk]),
        reverse("bookings_admin:inspect", args=[world["their_booking"].pk]),
        reverse("bookings_booking_action", args=[world["their_booking"].pk, "cancel"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("bookings_booking_action", args=[world["their_booking"].pk, "cancel"]),
                           {"refund": "0", "reason": "x"})
    assert response.status_code == 404
    world["their_booking"].refresh_from_db()
    assert world["their_booking"].state == "confirmed"


def test_their_own_rows_open(world):
    client, mine = world["client"], world["mine"]
    assert client.get(reverse("cohorts:edit", args=[mine.pk])).status_code == 200
    assert client.get(reverse("bookings_admin:inspect", args=[world["my_booking"].pk])).status_code == 200


def test_a_facilitator_cannot_message_another_programs_cohort(world):
    client, theirs = world["client"], world["theirs"]
    response = client.post(
        reverse("cohort_messages:add"),
        {"cohort": theirs.pk, "session": "", "subject": "Hi", "body": "Hello", "attachment": ""},
    )
    assert response.status_code == 200
    assert CohortMessage.objects.count() == 0


def test_a_facilitator_cannot_move_a_cohort_into_another_program(world):
    from tests.programs.test_cohort_admin import cohort_form_data

    client, mine = world["client"], world["mine"]
    response = client.post(
        reverse("cohorts:edit", args=[mine.pk]), cohort_form_data(world["theirs"].program, title="Mine")
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.program_id != world["theirs"].program_id


def test_staff_see_every_program(world, staff_client):
    cohorts = body(staff_client, reverse("cohorts:index"))
    assert "Mine" in cohorts and "Theirs" in cohorts


def test_exports_hold_only_the_facilitators_own_rows(world):
    client, theirs = world["client"], world["theirs"]
    response = client.get(reverse("bookings_admin:index") + "?export=csv")
    roster = b"".join(response.streaming_content).decode()
    assert "person1@example.org" in roster and "person2@example.org" not in roster
    assert client.get(reverse("bookings_attendance_export", args=[theirs.pk, "csv"])).status_code == 404
    assert client.get(reverse("bookings_roster", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("bookings_attendance", args=[theirs.sessions.first().pk])).status_code == 404
    assert client.get(reverse("bookings_intake", args=[world["their_booking"].pk])).status_code == 404
    assert client.get(reverse("bookings_roster", args=[world["mine"].pk])).status_code == 200


def test_a_facilitator_edits_only_the_program_pages_they_lead(world):
    from wagtail.models import GroupPagePermission, Page

    client, mine, theirs = world["client"], world["mine"].program, world["theirs"].program
    index = mine.get_parent()
    group = Group.objects.get(name="Facilitators")
    # As the demo's group has it: "add" on the index; change and publish come from leading.
    GroupPagePermission.objects.create(group=group, page=index, permission=Permission.objects.get(
        content_type__app_label="wagtailcore", codename="add_page"))
    assert client.get(reverse("wagtailadmin_pages:edit", args=[mine.pk])).status_code == 200
    # Wagtail turns the refusal into a redirect to the dashboard with a message.
    assert client.get(reverse("wagtailadmin_pages:edit", args=[theirs.pk])).status_code in (302, 403)
    assert client.post(reverse("wagtailadmin_pages:edit", args=[theirs.pk]), {"title": "Hijacked"}).status_code in (302, 403)
    assert Page.objects.get(pk=theirs.pk).title == "Their circle"


def test_the_intake_export_of_another_programs_cohort_is_not_found(world):
    from wagtail.models import ModelLogEntry

    url = reverse("bookings_roster_intake_export", args=[world["theirs"].pk, "csv"])
    assert world["client"].get(url).status_code == 404
    assert not ModelLogEntry.objects.filter(action="bookings.export").exists()
