"""Who may see which programs' data: facilitators their own programs' cohorts, staff everything.

Every admin list, page, export and action that shows cohort data filters through
`cohorts_visible_to`, so a facilitator of one program cannot reach another's by URL.
"""

from django.db.models import QuerySet
from django.http import Http404

from programs.models import Cohort, ProgramPage

MANAGE_ALL = "programs.manage_all_cohorts"


def sees_everything(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm(MANAGE_ALL))


def programs_led_by(user) -> QuerySet[ProgramPage]:
    """The programs whose facilitators include `user`: they edit, publish and run these."""
    return ProgramPage.objects.filter(facilitators__user=user).distinct()


def cohorts_visible_to(user) -> QuerySet[Cohort]:
    cohorts = Cohort.objects.all()
    if sees_everything(user):
        return cohorts
    return cohorts.filter(program__facilitators__user=user).distinct()


def scope_to_user(queryset: QuerySet, user, *, cohort_path: str) -> QuerySet:
    """`queryset` less the rows of cohorts the user does not run; `cohort_path` leads to the cohort."""
    if sees_everything(user):
        return queryset
    lookup = "pk__in" if not cohort_path else f"{cohort_path}__in"
    return queryset.filter(**{lookup: cohorts_visible_to(user).values("pk")})


class CohortScopedViewMixin:
    """For Wagtail's generic admin views: lists, forms and pages show only the user's cohorts' rows."""

    cohort_path = "cohort"

    def get_base_queryset(self):
        return scope_to_user(super().get_base_queryset(), self.request.user, cohort_path=self.cohort_path)

    def get_queryset(self):
        return scope_to_user(super().get_queryset(), self.request.user, cohort_path=self.cohort_path)

    def get_object(self, queryset=None):
        obj = super().get_object(queryset) if queryset is not None else super().get_object()
        visible = scope_to_user(type(obj)._default_manager.filter(pk=obj.pk), self.request.user, cohort_path=self.cohort_path)
        if not visible.exists():
            raise Http404("Not found")
        return obj


class CohortScopedObjectMixin:
    """For Wagtail's views about one row whose own list is something else (history lists log
    entries, usage lists references): the row must be one of the user's cohorts' rows."""

    cohort_path = "cohort"

    def get_base_object_queryset(self):
        return scope_to_user(super().get_base_object_queryset(), self.request.user, cohort_path=self.cohort_path)


def scoped(view_class, *, cohort_path: str = "cohort", mixin=CohortScopedViewMixin):
    """`view_class` limited to the cohorts the requesting user may see."""
    return type(f"Scoped{view_class.__name__}", (mixin, view_class), {"cohort_path": cohort_path})


class ScopedViewSetMixin:
    """A ModelViewSet whose list, edit, inspect, delete, history and usage views all filter through
    `cohorts_visible_to`.

    `list_select_related`, as in Django's admin, names the joins the list's columns and its
    export read, so a page of twenty rows takes the same queries as a page of two.
    """

    cohort_path = "cohort"
    list_select_related: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        for name in ("index_view_class", "edit_view_class", "inspect_view_class", "delete_view_class"):
            setattr(self, name, scoped(getattr(self, name), cohort_path=self.cohort_path))
        for name in ("history_view_class", "usage_view_class"):
            setattr(self, name, scoped(getattr(self, name), cohort_path=self.cohort_path, mixin=CohortScopedObjectMixin))
        super().__init__(*args, **kwargs)

    def get_index_view_kwargs(self, **kwargs):
        if self.list_select_related:
            kwargs.setdefault("queryset", self.model._default_manager.select_related(*self.list_select_related))
        return super().get_index_view_kwargs(**kwargs)


def visible_cohorts_for_request(request):
    """For filter drop-downs: only the cohorts the requesting user may see, named with their program."""
    return cohorts_visible_to(request.user).select_related("program") if request else Cohort.objects.none()


def visible_programs_for_request(request):
    if request is None:
        return ProgramPage.objects.none()
    if sees_everything(request.user):
        return ProgramPage.objects.all()
    return programs_led_by(request.user)
