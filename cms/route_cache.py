"""Which page a public URL leads to, remembered under the page cache's generation.

Before Wagtail serves a page it finds the site (one query), walks the path (two queries per
level) and looks for view restrictions on the page and its ancestors (two more). Those answers
change only when a site, a page or a restriction changes, and each of those moves the
generation on; so for FRAGMENT_CACHE_SECONDS they are kept, for every reader.

What is kept is only where the path leads. The page itself is loaded fresh on every request,
in one query that also checks that it is still live and at that path, and that neither it nor
an ancestor has a view restriction or is an alias (whose restrictions are its source's); if
any of that fails, Wagtail routes the request as usual. So privacy never rests on the cache
being cleared in time. Only the site's own public page types are routed from here
(`RoutedFromCache`); any other page, such as a stock Wagtail one, pays the cache reads and is
routed by Wagtail.
"""

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from wagtail.url_routing import RouteResult

from cms.page_cache import generation_key, give_up_on_cache

ROUTED_ELSEWHERE = "wagtail"  # stored for a page this cache leaves to Wagtail


class RoutedFromCache:
    """For public Page models whose URL may be remembered (see the module's docstring)."""

    def get_view_restrictions(self):
        if getattr(self, "_known_unrestricted", False):
            from wagtail.models import PageViewRestriction

            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class RouteCacheMiddleware:
    """Answers Wagtail's questions about the site and the route before its `serve` view asks them."""

    def __init__(self, get_response):
        from wagtail.views import serve

        self.get_response = get_response
        self.wagtail_serve = serve

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_route_cache_miss", None)
        if key is not None and response.status_code == 200:
            self._remember(request, key)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is not self.wagtail_serve or request.method not in ("GET", "HEAD"):
            return None
        if not settings.FRAGMENT_CACHE_SECONDS:
            return None
        path = view_args[0] if view_args else view_kwargs.get("path", "")
        key = generation_key(request, "route", request.get_port(), path)
        if key is None:
            return None
        try:
            stored = cache.get(key)
        except Exception:
            give_up_on_cache(request, "Route cache")
            return None
        if stored is None:
            request._route_cache_miss = key
        elif stored != ROUTED_ELSEWHERE:
            page = _load_page(stored)
            if page is not None:
                request._wagtail_site = stored["site"]
                request._wagtail_route_for_request = RouteResult(page)
        return None

    @staticmethod
    def _remember(request, key: str) -> None:
        route = getattr(request, "_wagtail_route_for_request", None)
        site = getattr(request, "_wagtail_site", None)
        if route is None or site is None:
            return
        page, args, kwargs = route
        if isinstance(page, RoutedFromCache) and not args and not kwargs:
            stored = {"site": _without_loaded_relations(site), "model": page._meta.label, "page_id": page.pk,
                      "path": page.path, "url_path": page.url_path}
        else:
            stored = ROUTED_ELSEWHERE
        try:
            cache.set(key, stored, settings.FRAGMENT_CACHE_SECONDS)
        except Exception:
            give_up_on_cache(request, "Route cache")


def _load_page(stored: dict):
    """The page the path led to, if it is still live, still there and still public; else None."""
    try:
        model = apps.get_model(stored["model"])
    except LookupError:  # stored by a version of the site that had this page type
        return None
    found = list(
        model.objects.filter(pk=stored["page_id"], path=stored["path"], url_path=stored["url_path"], live=True)
        .annotate(private_or_alias=_private_or_alias(stored["path"]))
        .order_by()[:1]
    )
    if not found or found[0].private_or_alias:
        return None
    page = found[0]
    page._known_unrestricted = True
    return page


def _private_or_alias(path: str) -> RawSQL:
    """Whether the page at `path` or an ancestor has a view restriction or is an alias.

    Raw SQL in the page's own query: this runs on every routed request, and the equivalent
    pair of `Exists` took longer to build than the whole query took to run.
    """
    from wagtail.models import Page, PageViewRestriction

    itself_and_ancestors = [path[:end] for end in range(Page.steplen, len(path) + 1, Page.steplen)]
    paths = ", ".join(["%s"] * len(itself_and_ancestors))
    pages, restrictions = Page._meta.db_table, PageViewRestriction._meta.db_table
    sql = (
        f"EXISTS (SELECT 1 FROM {restrictions} r JOIN {pages} p ON p.id = r.page_id WHERE p.path IN ({paths})) "
        f"OR EXISTS (SELECT 1 FROM {pages} p WHERE p.path IN ({paths}) AND p.alias_of_id IS NOT NULL)"
    )
    return RawSQL(sql, [*itself_and_ancestors, *itself_and_ancestors], output_field=BooleanField())


def _without_loaded_relations(site):
    """The site's own fields only: not the home page that was loaded (and rendered) with it."""
    return type(site)(**{field.attname: getattr(site, field.attname) for field in site._meta.concrete_fields})
