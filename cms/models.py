"""Pages that are not programs, and the site-wide settings."""

from django.db import models
from django.utils.functional import SimpleLazyObject
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page, Site
from wagtail.permission_policies.sites import SitePermissionPolicy
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.page_cache import CachedForReadersMixin
from cms.route_cache import RoutedFromCache
from programs.time_zones import validate_time_zone


class HomePage(CachedForReadersMixin, RoutedFromCache, Page):
    """The site's front page: a welcome, and the programs that are open."""

    intro = models.TextField(help_text="A few calm sentences that say what this site offers.")
    body = StreamField(BodyBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.ProgramIndexPage", "cms.StandardPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from programs.selectors import program_cards

        context = super().get_context(request, *args, **kwargs)
        index_page = ProgramIndexPage.objects.live().child_of(self).first()
        context["program_index"] = index_page
        context["programs"] = SimpleLazyObject(lambda: program_cards(index_page=index_page) if index_page else [])
        return context


class ProgramIndexPage(CachedForReadersMixin, RoutedFromCache, Page):
    """Lists every published program with its next cohort."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["programs.ProgramPage"]

    def get_context(self, request, *args, **kwargs):
        from programs.selectors import program_cards

        context = super().get_context(request, *args, **kwargs)
        context["programs"] = SimpleLazyObject(lambda: program_cards(index_page=self))
        return context

    def route(self, request, path_components):
        """As Wagtail routes, but its children are programs: one query for the program, not two."""
        from programs.models import ProgramPage

        program = ProgramPage.objects.child_of(self).filter(slug=path_components[0]).first() if path_components else None
        if program is None:  # this page itself, or not a program: Wagtail's own way (and its 404)
            return super().route(request, path_components)
        program._cached_parent_obj = self
        return program.route(request, path_components[1:])


class StandardPage(CachedForReadersMixin, RoutedFromCache, Page):
    """A page of text: the FAQ, "about inner child healing", the privacy notice."""

    intro = models.TextField(blank=True)
    body = StreamField(BodyBlock())

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]


class SitePermissionPolicyForPostgres(SitePermissionPolicy):
    """Wagtail's, less its DISTINCT over sites ordered by an expression (the Site manager's
    ordering): PostgreSQL refuses that query, so opening the settings without permission was
    a 500 there instead of a refusal."""

    def sites_user_has_any_permission_for(self, user, actions):
        sites = super().sites_user_has_any_permission_for(user, actions)
        return Site.objects.filter(pk__in=sites.order_by().values("pk"))


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    """Who runs the site and how to reach them."""

    @classmethod
    def get_permission_policy(cls):
        return SitePermissionPolicyForPostgres(cls)

    organisation_name = models.CharField(max_length=120, default="Inner Child Circles")
    contact_email = models.EmailField(blank=True)
    default_time_zone = models.CharField(
        max_length=64,
        default="Europe/London",
        validators=[validate_time_zone],
        help_text="An IANA time zone name, e.g. Europe/London or America/New_York.",
    )

    faq_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Linked from every program page.",
    )

    panels = [
        FieldPanel("organisation_name"),
        FieldPanel("contact_email"),
        FieldPanel("default_time_zone"),
        FieldPanel("faq_page"),
    ]

    class Meta:
        verbose_name = "Organisation"
