"""Read queries for the public pages, with their joins chosen so templates cannot add queries."""

from django.db.models import Count, F, Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from bookings.seats import seats_taken_subquery

from programs.models import Cohort, ProgramPage, Session

SCHEDULED = Q(sessions__status=Session.Status.SCHEDULED)


def upcoming_cohorts() -> QuerySet[Cohort]:
    """Public cohorts that still have a session to come, soonest first, with their date range."""
    now = timezone.now()
    return (
        Cohort.objects.visible()
        .annotate(seats_taken=seats_taken_subquery(now=now))
        .annotate(seats_left=F("capacity") - F("seats_taken"))
        .annotate(
            first_starts_at=Min("sessions__starts_at", filter=SCHEDULED),
            last_ends_at=Max("sessions__ends_at", filter=SCHEDULED),
            session_count=Count("sessions", filter=SCHEDULED),
        )
        .filter(last_ends_at__gt=now)
        .order_by("first_starts_at", "pk")
    )


def program_cards(*, index_page) -> list[ProgramPage]:
    """The live programs under `index_page`, each with `next_cohort` (or None) attached.

    Two queries whatever the number of programs and cohorts.
    """
    programs = list(ProgramPage.objects.child_of(index_page).live().order_by("path"))
    next_by_program: dict[int, Cohort] = {}
    for cohort in upcoming_cohorts().filter(program__in=[p.pk for p in programs]):
        next_by_program.setdefault(cohort.program_id, cohort)
    for program in programs:
        program.next_cohort = next_by_program.get(program.pk)
    return programs


def program_page_cohorts(*, program: ProgramPage) -> list[Cohort]:
    """The program's upcoming cohorts with their sessions (removed dates left out) and venue."""
    sessions = Session.objects.exclude(status=Session.Status.REMOVED).select_related("venue_override")
    return list(
        upcoming_cohorts()
        .filter(program=program)
        .select_related("venue")
        .prefetch_related(Prefetch("sessions", queryset=sessions, to_attr="timetable"))
    )
