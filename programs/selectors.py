"""Read queries for the public pages, with their joins chosen so templates cannot add queries."""

from django.db import router
from django.db.models import Count, Max, Min, Prefetch, ProtectedError, RestrictedError, prefetch_related_objects
from django.db.models.deletion import Collector
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
    return _with_figures(_date_ranges(programs=programs))


def program_cards(*, index_page) -> list[ProgramPage]:
    """The published, public programs under `index_page`, each with `next_cohort` (or None) attached.

    Five queries whatever the number of programs and cohorts; only each program's next
    cohort is loaded.
    """
    programs = list(ProgramPage.objects.child_of(index_page).live().public().order_by("path"))
    ranges = _date_ranges(programs=programs)
    next_by_program: dict[int, int] = {}
    # The next open cohort, soonest first; a closed or cancelled one only where nothing is open.
    for cohort_id, (program_id, status, first_starts_at, *_) in sorted(
        ranges.items(), key=lambda item: (item[1][1] != Cohort.Status.OPEN, item[1][2], item[0])
    ):
        next_by_program.setdefault(program_id, cohort_id)
    next_cohorts = {
        cohort.program_id: cohort
        for cohort in _with_figures({cohort_id: ranges[cohort_id] for cohort_id in next_by_program.values()})
    }
    for program in programs:
        program.next_cohort = next_cohorts.get(program.pk)
    return programs


def program_page_cohorts(*, program: ProgramPage) -> list[Cohort]:
    """The program's upcoming cohorts with their sessions (removed dates left out) and venue."""
    cohorts = upcoming_cohorts(programs=[program])
    sessions = Session.objects.exclude(status=Session.Status.REMOVED).select_related("venue_override")
    prefetch_related_objects(cohorts, Prefetch("sessions", queryset=sessions, to_attr="timetable"))
    return cohorts


def _date_ranges(*, programs) -> dict[int, tuple]:
    """cohort id -> (program id, status, first start, last end, number of sessions) of the public
    cohorts of `programs` with a session still to come; one query."""
    still_to_come = Session.objects.filter(status=Session.Status.SCHEDULED, ends_at__gt=timezone.now())
    scheduled = Session.objects.filter(
        status=Session.Status.SCHEDULED,
        cohort__program__in=programs,
        cohort__in=Cohort.objects.visible().filter(pk__in=still_to_come.values("cohort_id")),
    )
    rows = (
        scheduled.order_by().values_list("cohort", "cohort__program", "cohort__status")
        .annotate(Min("starts_at"), Max("ends_at"), Count("pk"))
    )
    return {cohort_id: rest for cohort_id, *rest in rows}


def _with_figures(ranges: dict[int, tuple]) -> list[Cohort]:
    cohorts = list(
        Cohort.objects.filter(pk__in=ranges)
        .select_related("venue")
        .defer("recurrence")  # the rule is parsed on load, and the sessions already say it
    )
    taken = seats_taken_by_cohort(list(ranges), now=timezone.now())
    for cohort in cohorts:
        _, _, cohort.first_starts_at, cohort.last_ends_at, cohort.session_count = ranges[cohort.pk]
        cohort.seats_taken = taken[cohort.pk]
        cohort.seats_left = cohort.capacity - cohort.seats_taken
    return sorted(cohorts, key=lambda cohort: (cohort.first_starts_at, cohort.pk))


def records_that_keep(*objs) -> list[str]:
    """What stops `objs` (program pages, cohorts) from being deleted: the plural names of the
    rows that must outlive them (bookings, payments, messages), or [] when they may go.

    Asks Django's own deletion collector, so the answer follows every protected foreign key
    there is, including ones added later, without deleting anything.
    """
    if not objs:
        return []
    collector = Collector(using=router.db_for_write(type(objs[0])))
    try:
        collector.collect(list(objs))
    except ProtectedError as refusal:
        return sorted({str(row._meta.verbose_name_plural) for row in refusal.protected_objects})
    except RestrictedError as refusal:
        return sorted({str(row._meta.verbose_name_plural) for row in refusal.restricted_objects})
    return []
