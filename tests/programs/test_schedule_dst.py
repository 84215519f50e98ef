"""Sessions keep their local wall time across daylight-saving changes."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from programs.time_zones import local_start
from tests.factories import CohortFactory, add_program, build_site

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")


@pytest.fixture
def program():
    _, index = build_site()
    return add_program(index)


@pytest.mark.parametrize(
    ("zone_name", "first_date", "change_day"),
    [
        ("Europe/London", date(2027, 3, 16), date(2027, 3, 28)),  # spring forward
        ("Europe/London", date(2027, 10, 19), date(2027, 10, 31)),  # fall back
        ("America/New_York", date(2027, 3, 2), date(2027, 3, 14)),
        ("America/New_York", date(2027, 10, 26), date(2027, 11, 7)),
    ],
)
def test_weekly_sessions_keep_their_local_start_across_a_clock_change(program, zone_name, first_date, change_day):
    cohort = CohortFactory(program=program, time_zone=zone_name, start_date=first_date, weeks=5)
    zone = ZoneInfo(zone_name)
    sessions = list(cohort.sessions.order_by("starts_at"))

    assert len(sessions) == 5
    assert [s.starts_at.astimezone(zone).time() for s in sessions] == [time(19, 0)] * 5
    assert [s.ends_at.astimezone(zone).time() for s in sessions] == [time(20, 30)] * 5
    assert [s.starts_at.astimezone(zone).date() for s in sessions] == [first_date + timedelta(weeks=w) for w in range(5)]
    before = [s for s in sessions if s.starts_at.astimezone(zone).date() < change_day]
    after = [s for s in sessions if s.starts_at.astimezone(zone).date() > change_day]
    assert before and after
    # The UTC instant shifts by exactly the hour the clocks moved, so the wall time does not.
    utc_hours = {s.starts_at.astimezone(UTC).hour for s in sessions}
    assert len(utc_hours) == 2


def test_sessions_are_stored_in_utc(program):
    cohort = CohortFactory(program=program, start_date=date(2027, 3, 23), weeks=2)
    first, second = cohort.sessions.order_by("starts_at")
    assert first.starts_at == datetime(2027, 3, 23, 19, 0, tzinfo=UTC)  # GMT
    assert second.starts_at == datetime(2027, 3, 30, 18, 0, tzinfo=UTC)  # BST


def test_a_start_time_in_the_spring_gap_moves_forward_by_the_gap():
    # 01:30 does not exist in London on 28 March 2027: clocks go from 01:00 to 02:00.
    instant = local_start(date(2027, 3, 28), time(1, 30), LONDON)
    assert instant.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert instant.astimezone(LONDON).time() == time(2, 30)


def test_a_start_time_in_the_autumn_fold_means_the_first_of_the_two():
    # 01:30 happens twice in New York on 7 November 2027; the first is still EDT (UTC-4).
    instant = local_start(date(2027, 11, 7), time(1, 30), NEW_YORK)
    assert instant.astimezone(UTC) == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)


def test_a_cohort_meeting_in_the_gap_hour_gets_a_real_instant_each_week(program):
    cohort = CohortFactory(
        program=program, start_date=date(2027, 3, 21), start_time=time(1, 30), end_time=time(3, 0), weeks=3
    )
    starts = [s.starts_at.astimezone(LONDON) for s in cohort.sessions.order_by("starts_at")]
    assert [s.time() for s in starts] == [time(1, 30), time(2, 30), time(1, 30)]
    assert all(s.ends_at > s.starts_at for s in cohort.sessions.all())
