"""Facilitators and venues: snippets shared by programs and cohorts."""

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Facilitator(index.Indexed, models.Model):
    """A person who leads programs; may have a login to the admin."""

    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120, blank=True, help_text='e.g. "Psychotherapist, UKCP registered"')
    bio = models.TextField(blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitator",
        help_text="The admin login this facilitator uses, if any.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("role"),
        FieldPanel("bio"),
        FieldPanel("photo"),
        # Linking a login makes it the leader of this profile's programs: staff only
        # (programs.access.MANAGE_ALL). Without the permission the field is not in the form at
        # all, so a posted value is ignored.
        FieldPanel("user", permission="programs.manage_all_cohorts"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Venue(index.Indexed, models.Model):
    """A room where in-person sessions happen."""

    name = models.CharField(max_length=120)
    address = models.TextField(help_text="As it should appear on a letter.")
    directions = models.TextField(
        blank=True, help_text="How to find the room: transport, entrance, which floor, where to wait."
    )
    access_notes = models.TextField(blank=True, help_text="Step-free access, toilets, quiet room, parking.")
    map_url = models.URLField(blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("address"),
        FieldPanel("directions"),
        FieldPanel("access_notes"),
        FieldPanel("map_url"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
