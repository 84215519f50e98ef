"""Read queries for the public pages, with their joins chosen so templates cannot add queries."""

from django.db.models import Count, Max, Min, Prefetch, prefetch_related_objects
from django.utils import timezone

from bookings.seats import seats_taken_by_cohort

from programs.models import Cohort, ProgramPage, Session


def upcoming_cohorts(*, programs) -> list[Cohort]:
    """The public cohorts of `programs` that still have a session to come, soonest first.

    Each comes with `first_starts_at`, `last_ends_at`, `session_count`, `seats_taken` and
    `seats_left`. Four short queries whatever the number of cohorts: finished ones are left
    out by an index scan of the sessions still to come, so the cost follows the cohorts
    shown, not every cohort there has ever been.
    """
    now = timezone.now()
    still_to_come = Session.objects.filter(status=Session.Status.SCHEDULED, ends_at__gt=now).values("cohort_id")
    cohorts = list(
        Cohort.objects.visible().filter(program__in=programs, pk__in=still_to_come)
        .select_related("venue")
        .defer("recurrence")  # the rule is parsed on load, and the sessions already say it
    )
    ids = [cohort.pk for cohort in cohorts]
    ranges = {
        row[0]: row[1:]
        for row in Session.objects.filter(cohort__in=ids, status=Session.Status.SCHEDULED)
        .order_by().values_list("cohort").annotate(Min("starts_at"), Max("ends_at"), Count("pk"))
    }
    taken = seats_taken_by_cohort(ids, now=now)
    for cohort in cohorts:
        cohort.first_starts_at, cohort.last_ends_at, cohort.session_count = ranges[cohort.pk]
        cohort.seats_taken = taken[cohort.pk]
        cohort.seats_left = cohort.capacity - cohort.seats_taken
    return sorted(cohorts, key=lambda cohort: (cohort.first_starts_at, cohort.pk))


def program_cards(*, index_page) -> list[ProgramPage]:
    """The live programs under `index_page`, each with `next_cohort` (or None) attached.

    Five queries whatever the number of programs and cohorts.
    """
    programs = list(ProgramPage.objects.child_of(index_page).live().order_by("path"))
    next_by_program: dict[int, Cohort] = {}
    for cohort in upcoming_cohorts(programs=programs):
        next_by_program.setdefault(cohort.program_id, cohort)
    for program in programs:
        program.next_cohort = next_by_program.get(program.pk)
    return programs


def program_page_cohorts(*, program: ProgramPage) -> list[Cohort]:
    """The program's upcoming cohorts with their sessions (removed dates left out) and venue."""
    cohorts = upcoming_cohorts(programs=[program])
    sessions = Session.objects.exclude(status=Session.Status.REMOVED).select_related("venue_override")
    prefetch_related_objects(cohorts, Prefetch("sessions", queryset=sessions, to_attr="timetable"))
    return cohorts
