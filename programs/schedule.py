"""A cohort's recurrence rule: building it from what a facilitator types, and reading its dates.

The rule is stored as a django-recurrence `Recurrence` (RFC 5545 RRULE/RDATE/EXDATE).
Every session of a cohort starts at the cohort's local start time, so the rule is
expanded as *dates* in the cohort's zone and each date is then combined with that time:
a 19:00 session stays 19:00 on both sides of a daylight-saving change.

Extra and skipped dates are stored as the local start on that date (serialised in UTC
by django-recurrence) and read back as dates in the cohort's zone, so they survive a
later change of the cohort's start time.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import recurrence
from django.utils import timezone

from programs.exceptions import EmptyRule, RuleError, TooManySessions, UnboundedRule
from programs.time_zones import local_start

__all__ = ["RuleError", "WeeklyPattern", "build_rule", "read_pattern", "session_dates"]




@dataclass(frozen=True)
class WeeklyPattern:
    """The rule in the words of the cohort form."""

    every_weeks: int | None  # None: no repeat, only the extra dates
    session_count: int | None = None
    last_date: date | None = None
    skip_dates: tuple[date, ...] = ()
    extra_dates: tuple[date, ...] = ()


def build_rule(*, pattern: WeeklyPattern, start_time: time, zone: ZoneInfo) -> recurrence.Recurrence:
    rrules = []
    if pattern.every_weeks:
        until = None
        if pattern.last_date:
            until = local_start(pattern.last_date, time(23, 59, 59), zone)
        rrules.append(
            recurrence.Rule(
                recurrence.WEEKLY, interval=pattern.every_weeks, count=pattern.session_count, until=until
            )
        )
    return recurrence.Recurrence(
        rrules=rrules,
        rdates=[local_start(day, start_time, zone) for day in sorted(set(pattern.extra_dates))],
        exdates=[local_start(day, start_time, zone) for day in sorted(set(pattern.skip_dates))],
    )


def read_pattern(rule: recurrence.Recurrence | None, *, zone: ZoneInfo) -> WeeklyPattern:
    """The inverse of `build_rule`, to fill the form when a cohort is edited."""
    if not rule:
        return WeeklyPattern(every_weeks=1)
    weekly = next((r for r in rule.rrules if r.freq == recurrence.WEEKLY), None)
    last_date = None
    if weekly and weekly.until:
        last_date = _as_local_date(weekly.until, zone)
    return WeeklyPattern(
        every_weeks=weekly.interval if weekly else None,
        session_count=weekly.count if weekly else None,
        last_date=last_date,
        skip_dates=tuple(_as_local_date(dt, zone) for dt in rule.exdates),
        extra_dates=tuple(_as_local_date(dt, zone) for dt in rule.rdates),
    )


def session_dates(
    rule: recurrence.Recurrence | None, *, first_date: date, zone: ZoneInfo, limit: int
) -> list[date]:
    """Every local date the rule gives, first date included, in order.

    Raises `EmptyRule`, `UnboundedRule` or `TooManySessions` instead of returning a
    list nobody meant.
    """
    rule = rule or recurrence.Recurrence()
    for rrule in list(rule.rrules) + list(rule.exrules):
        if rrule.count is None and rrule.until is None:
            raise UnboundedRule("The schedule repeats forever: give a number of sessions or a last date.")

    skipped = {_as_local_date(dt, zone) for dt in rule.exdates}
    # RFC 5545: the first start is always an occurrence, whatever the rule adds.
    days = {first_date} | {_as_local_date(dt, zone) for dt in rule.rdates}
    if rule.rrules:
        # Expand on naive local midnights: the rule speaks of days, not instants, and
        # django-recurrence reads aware UNTIL values in the current zone, set here to the
        # cohort's own.
        with timezone.override(zone):
            start = datetime.combine(first_date, time.min)
            expansion = recurrence.Recurrence(rrules=rule.rrules, exrules=rule.exrules, include_dtstart=False)
            for occurrence in expansion.occurrences(dtstart=start):
                days.add(occurrence.date())
                if len(days) > limit + len(skipped):
                    break
    days -= skipped
    if not days:
        raise EmptyRule("Every date of the schedule is skipped: it has no sessions left.")
    if len(days) > limit:
        raise TooManySessions(f"The schedule has more than {limit} sessions; is the repeat right?")
    return sorted(days)


def _as_local_date(value: datetime | date, zone: ZoneInfo) -> date:
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            return value.date()
        return value.astimezone(zone).date()
    return value
