"""Read queries for the public pages, with their joins chosen so templates cannot add queries."""

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from bookings.seats import seats_taken_subquery

from programs.models import Cohort, ProgramPage, Session


def upcoming_cohorts() -> QuerySet[Cohort]:
    """Public cohorts that still have a session to come, soonest first, with their date range.

    Finished cohorts are left out by an index scan of the sessions still to come, and each
    figure is a subquery on one cohort's rows, so the cost follows the cohorts shown, not
    every cohort there has ever been.
    """
    now = timezone.now()
    scheduled = Session.objects.filter(cohort=OuterRef("pk"), status=Session.Status.SCHEDULED).order_by()
    still_to_come = Session.objects.filter(status=Session.Status.SCHEDULED, ends_at__gt=now).values("cohort_id")
    return (
        Cohort.objects.visible()
        .filter(pk__in=still_to_come)
        .defer("recurrence")  # the rule is parsed on load, and the sessions already say it
        .annotate(
            seats_taken=seats_taken_subquery(now=now),
            first_starts_at=Subquery(scheduled.order_by("starts_at").values("starts_at")[:1]),
            last_ends_at=Subquery(scheduled.order_by("-ends_at").values("ends_at")[:1]),
            session_count=Coalesce(
                Subquery(scheduled.values("cohort").annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
            ),
        )
        .annotate(seats_left=F("capacity") - F("seats_taken"))
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
