"""Admin list filters whose choices stop at the programs and cohorts the user may see."""

import django_filters
from wagtail.admin.filters import WagtailFilterSet

from programs.access import visible_cohorts_for_request, visible_programs_for_request
from programs.models import Cohort, Session


class CohortFilterSet(WagtailFilterSet):
    program = django_filters.ModelChoiceFilter(queryset=visible_programs_for_request)

    class Meta:
        model = Cohort
        fields = ["program", "status", "mode"]


def cohort_filterset(model, *extra_fields):
    """A filter set on `model` with a `cohort` filter limited to the user's cohorts."""
    meta = type("Meta", (), {"model": model, "fields": ["cohort", *extra_fields]})
    cohort = django_filters.ModelChoiceFilter(queryset=visible_cohorts_for_request)
    return type(f"{model.__name__}FilterSet", (WagtailFilterSet,), {"Meta": meta, "cohort": cohort})


SessionFilterSet = cohort_filterset(Session)
