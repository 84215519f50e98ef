"""A facilitator attaches only documents they may choose (by collection), to a cohort message or a
session's materials; a message's session is one of its cohort. A forged choice is a form error,
and nothing is sent or saved."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from bookings.models import CohortMessage, EmailLog
from bookings.services.email_planning import plan_emails
from bookings.services.placing import place_booking
from programs.models import SessionMaterial
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, FacilitatorFactory, add_collection, add_document, add_program, build_site

pytestmark = pytest.mark.django_db

PERMISSIONS = [
    ("wagtailadmin", "access_admin"), ("programs", "view_cohort"), ("programs", "view_session"),
    ("programs", "change_session"),
    ("bookings", "view_cohortmessage"), ("bookings", "add_cohortmessage"),
]


def facilitator_of(program, django_user_model, name: str):
    user = django_user_model.objects.create_user(name, password="pw")
    group = Group.objects.create(name=f"{name}'s group")
    group.permissions.add(*[Permission.objects.get(content_type__app_label=a, codename=c) for a, c in PERMISSIONS])
    user.groups.add(group)
    program.facilitators.add(FacilitatorFactory(name=name, user=user))
    program.save_revision().publish()
    return user, group


@pytest.fixture
def world(client, django_user_model):
    _, index = build_site()
    mine = add_program(index, title="My circle", default_price=Decimal("0"))
    theirs = add_program(index, title="Their circle", default_price=Decimal("0"))
    maya, maya_group = facilitator_of(mine, django_user_model, "maya")
    _, ben_group = facilitator_of(theirs, django_user_model, "ben")
    my_cohort = CohortFactory(program=mine, title="Mine", price=Decimal("0"), weeks=2)
    my_other_cohort = CohortFactory(program=mine, title="Mine too", price=Decimal("0"), weeks=2)
    place_booking(cohort_id=my_cohort.pk, participant=participant_for(mine, 1))
    client.force_login(maya)
    return {
        "client": client,
        "cohort": my_cohort,
        "other_cohort": my_other_cohort,
        "my_document": add_document("Mine", collection=add_collection("Maya's", group=maya_group, actions=("choose",))),
        "their_document": add_document("Theirs", collection=add_collection("Ben's", group=ben_group, actions=("choose",))),
    }


def message_data(world, **overrides) -> dict:
    data = {"cohort": world["cohort"].pk, "session": "", "subject": "Reading", "body": "See the link.",
            "attachment": ""}
    return {**data, **overrides}


def nothing_sent() -> bool:
    plan_emails()
    return not CohortMessage.objects.exists() and not EmailLog.objects.filter(kind="cohort_message").exists() and not [
        m for m in mail.outbox if m.subject == "Reading"]


def test_the_form_offers_only_documents_the_facilitator_may_choose(world):
    form = world["client"].get(reverse("cohort_messages:add")).context["form"]
    assert list(form.fields["attachment"].queryset) == [world["my_document"]]


def test_a_forged_document_of_another_facilitator_is_refused_and_nothing_is_sent(world):
    response = world["client"].post(reverse("cohort_messages:add"),
                                    message_data(world, attachment=world["their_document"].pk))
    assert response.status_code == 200
    assert "attachment" in response.context["form"].errors
    assert nothing_sent()


def test_the_facilitators_own_document_is_sent(world):
    response = world["client"].post(reverse("cohort_messages:add"),
                                    message_data(world, attachment=world["my_document"].pk))
    assert response.status_code == 302
    assert CohortMessage.objects.get().attachment == world["my_document"]


def test_a_session_of_another_cohort_is_refused_and_nothing_is_sent(world):
    elsewhere = world["other_cohort"].sessions.first()
    response = world["client"].post(reverse("cohort_messages:add"), message_data(world, session=elsewhere.pk))
    assert response.status_code == 200
    assert "session" in response.context["form"].errors
    assert nothing_sent()


def test_a_session_of_the_chosen_cohort_is_accepted(world):
    session = world["cohort"].sessions.first()
    response = world["client"].post(reverse("cohort_messages:add"), message_data(world, session=session.pk))
    assert response.status_code == 302
    assert CohortMessage.objects.get().session == session


def material_form(session, document) -> dict:
    material = session.materials.get()
    return {
        "topic": session.topic, "venue_override": "", "new_date": "", "new_start": "", "new_end": "",
        "cancel_session": "", "note": "",
        "materials-TOTAL_FORMS": "1", "materials-INITIAL_FORMS": "1", "materials-MIN_NUM_FORMS": "0",
        "materials-MAX_NUM_FORMS": "1000", "materials-0-id": str(material.pk), "materials-0-title": material.title,
        "materials-0-document": str(document.pk), "materials-0-url": "", "materials-0-note": "",
        "materials-0-ORDER": "1", "materials-0-DELETE": "",
    }


def test_a_forged_document_of_another_facilitator_is_not_made_a_sessions_material(world):
    session = world["cohort"].sessions.first()
    SessionMaterial.objects.create(session=session, title="Reading", note="To come.")
    url = reverse("sessions:edit", args=[session.pk])
    response = world["client"].post(url, material_form(session, world["their_document"]))
    assert response.status_code == 200
    assert session.materials.get().document is None
    response = world["client"].post(url, material_form(session, world["my_document"]))
    assert response.status_code == 302
    assert session.materials.get().document == world["my_document"]
