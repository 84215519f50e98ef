"""The program index and program pages: content, times in two zones, constant query counts."""

from datetime import date, time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.models import Cohort
from programs.services import cancel_session
from tests.factories import CohortFactory, FacilitatorFactory, VenueFactory, add_program, build_site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def before_the_cohorts_start():
    with time_machine.travel("2026-11-24 12:00Z", tick=False):
        yield


@pytest.fixture
def site():
    return build_site()


def count_queries(client, url) -> int:
    client.get(url)  # the first request of a site creates its settings row
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_cohorts(program, count, **fields):
    for week in range(count):
        CohortFactory(program=program, start_date=date(2027, 1, 5 + (week % 20)), weeks=6, **fields)


def test_program_page_lists_each_session_in_the_cohort_zone(client, site):
    _, index = site
    program = add_program(index, facilitators=[])
    program.facilitators.add(FacilitatorFactory(name="Ada Moreno", role="Psychotherapist"))
    program.save_revision().publish()
    cohort = CohortFactory(program=program, title="Spring 2027 · Tuesday evenings", time_zone="Europe/London",
                           start_date=date(2027, 3, 23), weeks=3)

    response = client.get(program.url)

    body = response.content.decode()
    assert "Spring 2027 · Tuesday evenings" in body
    # Before and after the UK clock change, still 19:00 local; the UTC instant is in the markup
    # so the reader's browser can add their own time.
    assert "Tue 23 Mar 2027, 19:00–20:30 <span class=\"zone\">London time</span>" in body
    assert "Tue 30 Mar 2027, 19:00–20:30" in body
    assert 'datetime="2027-03-30T18:00:00+00:00"' in body
    assert "12 of 12 left" in body
    assert f"/book/{cohort.pk}/" in body
    assert "Ada Moreno" in body
    assert cohort.meeting_url not in body  # the join link is private


def test_program_page_marks_a_cancelled_session_and_hides_drafts(client, site):
    _, index = site
    program = add_program(index)
    cohort = CohortFactory(program=program, weeks=3)
    cancel_session(session_id=cohort.sessions.order_by("starts_at")[1].pk)
    CohortFactory(program=program, title="Not ready yet", status=Cohort.Status.DRAFT)

    body = client.get(program.url).content.decode()

    assert "Cancelled" in body
    assert "Not ready yet" not in body


def test_finished_cohorts_are_not_listed(client, site):
    _, index = site
    program = add_program(index)
    CohortFactory(program=program, title="Last autumn", start_date=date(2026, 9, 1), weeks=4)
    body = client.get(program.url).content.decode()
    assert "Last autumn" not in body
    assert "No dates are set" in body


def test_program_index_shows_the_next_cohort_of_each_program(client, site):
    _, index = site
    online = add_program(index, title="Online circle")
    in_person = add_program(index, title="Re-parenting workshop", format="in_person")
    CohortFactory(program=online, title="Later", start_date=date(2027, 5, 4), weeks=4)
    CohortFactory(program=online, title="Sooner", start_date=date(2027, 2, 2), weeks=4)
    CohortFactory(program=in_person, title="Saturdays", mode="in_person", venue=VenueFactory(), meeting_url="",
                  start_date=date(2027, 1, 16), start_time=time(10, 0), end_time=time(12, 30), weeks=6)

    body = client.get(index.url).content.decode()

    assert "Online circle" in body and "Re-parenting workshop" in body
    assert "Sooner: 2 Feb 2027 to 23 Feb 2027 · 4 sessions" in body
    assert "Later" not in body
    assert "Saturdays: 16 Jan 2027 to 20 Feb 2027 · 6 sessions" in body
    assert "£120.00" in body


def test_program_index_takes_the_same_queries_for_1_and_50_cohorts(client, site, django_assert_num_queries):
    _, index = site
    programs = [add_program(index, title=f"Program {n}") for n in range(3)]
    add_cohorts(programs[0], 1)
    few = count_queries(client, index.url)

    for program in programs:
        add_cohorts(program, 50 // 3 + 1)
    add_program(index, title="Program without dates")
    assert Cohort.objects.count() > 50
    with django_assert_num_queries(few):
        client.get(index.url)


def test_program_page_takes_the_same_queries_for_1_and_50_cohorts(client, site, django_assert_num_queries):
    _, index = site
    program = add_program(index)
    program.facilitators.add(FacilitatorFactory(), FacilitatorFactory())
    program.save_revision().publish()
    venue = VenueFactory()
    add_cohorts(program, 1)
    few = count_queries(client, program.url)

    add_cohorts(program, 24)
    add_cohorts(program, 25, mode="hybrid", venue=venue)
    cancel_session(session_id=program.cohorts.last().sessions.first().pk)
    assert Cohort.objects.filter(program=program).count() == 50
    with django_assert_num_queries(few):
        client.get(program.url)


def test_home_page_and_standard_pages_answer(client, site):
    home, _ = site
    from cms.models import StandardPage

    faq = home.add_child(
        instance=StandardPage(
            title="Questions",
            slug="faq",
            body=[("faq", {"title": "", "items": [{"question": "Is it safe?", "answer": "<p>Gently, yes.</p>"}]})],
        )
    )
    assert client.get(home.url).status_code == 200
    response = client.get(faq.url)
    assert response.status_code == 200
    assert "Is it safe?" in response.content.decode()


def test_the_program_index_routes_only_to_its_live_programs(client, site):
    _, index = site
    live = add_program(index, title="Live program")
    draft = add_program(index, title="Draft program")
    draft.unpublish()

    assert client.get(live.url).status_code == 200
    assert client.get(f"{index.url}draft-program/").status_code == 404
    assert client.get(f"{index.url}no-such-program/").status_code == 404
    assert client.get(f"{live.url}something-below/").status_code == 404


def test_a_program_card_offers_the_next_open_group_before_a_cancelled_one(client, site):
    _, index = site
    program = add_program(index, title="Card program")
    CohortFactory(program=program, title="Cancelled January group", status=Cohort.Status.CANCELLED,
                  start_date=date(2027, 1, 5), weeks=4)
    CohortFactory(program=program, title="Open March group", start_date=date(2027, 3, 2), weeks=4)

    body = client.get(index.url).content.decode()

    assert "Open March group" in body
    assert "Cancelled January group" not in body
