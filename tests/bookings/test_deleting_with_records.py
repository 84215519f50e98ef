"""A program or cohort that people booked is kept: deleting it is refused with a clear way on, never a 500."""

import pytest
from django.urls import reverse
from wagtail.models import Page

from bookings.services.placing import place_booking
from programs.models import Cohort, ProgramPage
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked_program():
    _, index = build_site()
    program = add_program(index)
    cohort = CohortFactory(program=program, price=0)
    place_booking(cohort_id=cohort.pk, participant=participant_for(program))
    return program


def test_deleting_a_booked_program_is_refused_before_the_confirmation_page(staff_client, booked_program):
    for send in (staff_client.get, staff_client.post):
        response = send(reverse("wagtailadmin_pages:delete", args=[booked_program.pk]), follow=True)
        assert response.status_code == 200
        body = response.content.decode()
        assert "can&#x27;t be deleted: it has bookings" in body and "Unpublish it instead" in body
        assert response.redirect_chain[-1][0] == reverse("wagtailadmin_pages:edit", args=[booked_program.pk])
    assert ProgramPage.objects.filter(pk=booked_program.pk).exists()


def test_deleting_the_parent_of_a_booked_program_is_refused(staff_client, booked_program):
    index = booked_program.get_parent()
    response = staff_client.post(reverse("wagtailadmin_pages:delete", args=[index.pk]))
    assert response.status_code == 302
    assert Page.objects.filter(pk=index.pk).exists() and ProgramPage.objects.filter(pk=booked_program.pk).exists()


def test_bulk_deleting_a_booked_program_is_refused(staff_client, booked_program):
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"]) + f"?id={booked_program.pk}"
    response = staff_client.post(url, follow=True)
    assert response.status_code == 200
    assert "can&#x27;t be deleted" in response.content.decode()
    assert ProgramPage.objects.filter(pk=booked_program.pk).exists()


def test_a_program_nobody_booked_can_still_be_deleted(staff_client):
    _, index = build_site()
    program = add_program(index, title="Never booked")
    CohortFactory(program=program)
    assert staff_client.get(reverse("wagtailadmin_pages:delete", args=[program.pk])).status_code == 200
    response = staff_client.post(reverse("wagtailadmin_pages:delete", args=[program.pk]))
    assert response.status_code == 302
    assert not ProgramPage.objects.filter(pk=program.pk).exists() and not Cohort.objects.exists()


def test_deleting_a_booked_cohort_is_refused_and_an_empty_one_is_deleted(staff_client, booked_program):
    booked = booked_program.cohorts.get()
    response = staff_client.post(reverse("cohorts:delete", args=[booked.pk]), follow=True)
    assert "can&#x27;t be deleted: it has bookings" in response.content.decode()
    assert Cohort.objects.filter(pk=booked.pk).exists()

    empty = CohortFactory(program=booked_program)
    assert staff_client.get(reverse("cohorts:delete", args=[empty.pk])).status_code == 200
    assert staff_client.post(reverse("cohorts:delete", args=[empty.pk])).status_code == 302
    assert not Cohort.objects.filter(pk=empty.pk).exists()
