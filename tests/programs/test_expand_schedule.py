"""Re-expanding a cohort's rule keeps each surviving session's identity and one-off changes."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import recurrence

from programs.exceptions import EmptyRule, SessionNotMovable, UnboundedRule
from programs.models import Session, SessionMaterial
from programs.schedule import WeeklyPattern, build_rule
from programs.services import cancel_session, expand_schedule, reschedule_session
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def cohort():
    _, index = build_site()
    return CohortFactory(program=add_program(index), start_date=date(2027, 3, 9), weeks=8)


def set_rule(cohort, **pattern):
    cohort.recurrence = build_rule(
        pattern=WeeklyPattern(every_weeks=1, **pattern), start_time=cohort.start_time, zone=cohort.zone
    )
    cohort.save()
    return expand_schedule(cohort_id=cohort.pk)


def snapshot(cohort):
    return {s.occurrence_date: (s.pk, s.starts_at, s.status, s.sequence) for s in cohort.sessions.all()}


def add_material(session, title="Reading"):
    SessionMaterial.objects.create(session=session, title=title, note="Bring a notebook.")


def materials_of(session) -> int:
    return SessionMaterial.objects.filter(session_id=session.pk).count()


def test_expanding_twice_changes_nothing(cohort):
    before = snapshot(cohort)
    changes = expand_schedule(cohort_id=cohort.pk)
    assert not changes.changed
    assert snapshot(cohort) == before


def test_more_weeks_adds_sessions_and_keeps_the_others(cohort):
    first = cohort.sessions.order_by("starts_at").first()
    add_material(first)
    before = snapshot(cohort)

    changes = set_rule(cohort, session_count=10)

    after = snapshot(cohort)
    assert len(changes.added) == 2 and not changes.removed
    assert {day: after[day] for day in before} == before
    assert materials_of(first) == 1
    assert sorted(after)[-1] == date(2027, 5, 11)


def test_fewer_weeks_removes_the_dropped_sessions_without_deleting_them(cohort):
    last = cohort.sessions.order_by("starts_at").last()
    add_material(last)

    changes = set_rule(cohort, session_count=6)

    assert [s.occurrence_date for s in changes.removed] == [date(2027, 4, 20), date(2027, 4, 27)]
    last.refresh_from_db()
    assert last.status == Session.Status.REMOVED
    assert materials_of(last) == 1
    assert cohort.sessions.filter(status=Session.Status.SCHEDULED).count() == 6


def test_a_removed_date_comes_back_as_the_same_session(cohort):
    last = cohort.sessions.order_by("starts_at").last()
    set_rule(cohort, session_count=7)
    changes = set_rule(cohort, session_count=8)
    assert [s.pk for s in changes.restored] == [last.pk]
    last.refresh_from_db()
    assert last.status == Session.Status.SCHEDULED
    assert last.sequence == 2


def test_an_exclusion_removes_only_that_date(cohort):
    before = snapshot(cohort)
    changes = set_rule(cohort, session_count=8, skip_dates=(date(2027, 3, 30),))
    after = snapshot(cohort)
    assert [s.occurrence_date for s in changes.removed] == [date(2027, 3, 30)]
    assert after[date(2027, 3, 30)][2] == Session.Status.REMOVED
    untouched = {day: value for day, value in before.items() if day != date(2027, 3, 30)}
    assert {day: after[day] for day in untouched} == untouched


def test_an_extra_date_is_added_at_the_cohort_start_time(cohort):
    before = snapshot(cohort)
    changes = set_rule(cohort, session_count=8, extra_dates=(date(2027, 5, 8),))
    assert [s.occurrence_date for s in changes.added] == [date(2027, 5, 8)]
    extra = cohort.sessions.get(occurrence_date=date(2027, 5, 8))
    assert extra.starts_at.astimezone(LONDON).time() == time(19, 0)
    assert {day: snapshot(cohort)[day] for day in before} == before


def test_a_session_moved_by_hand_stays_moved_when_the_rule_changes(cohort):
    session = cohort.sessions.get(occurrence_date=date(2027, 3, 16))
    thursday = datetime(2027, 3, 18, 19, 0, tzinfo=LONDON)
    reschedule_session(session_id=session.pk, starts_at=thursday, ends_at=thursday.replace(hour=21), note="Room booked")

    set_rule(cohort, session_count=9, skip_dates=(date(2027, 4, 6),))
    cohort.start_time, cohort.end_time = time(18, 30), time(20, 0)
    cohort.save()
    changes = expand_schedule(cohort_id=cohort.pk)

    session.refresh_from_db()
    assert session.starts_at == thursday
    assert session.is_rescheduled
    assert session not in changes.retimed
    others = cohort.sessions.filter(status=Session.Status.SCHEDULED, is_rescheduled=False)
    assert {s.starts_at.astimezone(LONDON).time() for s in others} == {time(18, 30)}


def test_changing_the_start_time_retimes_sessions_in_place_and_bumps_their_sequence(cohort):
    before = snapshot(cohort)
    cohort.start_time = time(18, 0)
    cohort.save()
    changes = expand_schedule(cohort_id=cohort.pk)
    after = snapshot(cohort)
    assert len(changes.retimed) == 8
    assert {day: value[0] for day, value in after.items()} == {day: value[0] for day, value in before.items()}
    assert all(after[day][3] == before[day][3] + 1 for day in before)


def test_a_cancelled_session_stays_cancelled_when_the_rule_is_expanded_again(cohort):
    session = cohort.sessions.get(occurrence_date=date(2027, 3, 23))
    cancel_session(session_id=session.pk, note="Facilitator unwell")
    set_rule(cohort, session_count=9)
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    assert session.change_note == "Facilitator unwell"


def test_cancelling_twice_changes_nothing_the_second_time(cohort):
    session = cohort.sessions.first()
    cancel_session(session_id=session.pk)
    again = cancel_session(session_id=session.pk)
    assert again.sequence == 1


def test_moving_a_session_to_end_before_it_starts_is_refused_and_writes_nothing(cohort):
    session = cohort.sessions.first()
    start = datetime(2027, 3, 10, 19, 0, tzinfo=LONDON)
    with pytest.raises(SessionNotMovable):
        reschedule_session(session_id=session.pk, starts_at=start, ends_at=start)
    session.refresh_from_db()
    assert not session.is_rescheduled and session.sequence == 0


def test_an_endless_rule_is_refused_and_leaves_the_sessions_alone(cohort):
    before = snapshot(cohort)
    cohort.recurrence = build_rule(
        pattern=WeeklyPattern(every_weeks=1), start_time=cohort.start_time, zone=cohort.zone
    )
    cohort.save()
    with pytest.raises(UnboundedRule):
        expand_schedule(cohort_id=cohort.pk)
    assert snapshot(cohort) == before


def test_a_rule_that_does_not_repeat_gives_the_first_date_alone(cohort):
    cohort.recurrence = recurrence.Recurrence()
    cohort.save()
    expand_schedule(cohort_id=cohort.pk)
    scheduled = cohort.sessions.filter(status=Session.Status.SCHEDULED)
    assert [s.occurrence_date for s in scheduled] == [cohort.start_date]


def test_a_rule_whose_every_date_is_skipped_is_refused(cohort):
    before = snapshot(cohort)
    cohort.recurrence = recurrence.Recurrence(exdates=[cohort.local_start_on(cohort.start_date)])
    cohort.save()
    with pytest.raises(EmptyRule):
        expand_schedule(cohort_id=cohort.pk)
    assert snapshot(cohort) == before


def test_a_last_date_bounds_the_rule_in_the_cohort_zone():
    _, index = build_site()
    cohort = CohortFactory(program=add_program(index), time_zone="America/New_York", start_date=date(2027, 3, 4), expanded=False)
    cohort.recurrence = build_rule(
        pattern=WeeklyPattern(every_weeks=1, last_date=date(2027, 3, 25)), start_time=time(19, 0), zone=cohort.zone
    )
    cohort.save()
    expand_schedule(cohort_id=cohort.pk)
    assert [s.occurrence_date for s in cohort.sessions.all()] == [
        date(2027, 3, 4), date(2027, 3, 11), date(2027, 3, 18), date(2027, 3, 25)
    ]
