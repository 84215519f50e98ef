"""Roles for admin tests, set up as a real site has them.

A facilitator is a login in the Facilitators group (the demo's permissions, made by
`programs.demo.loader.ensure_facilitators_group`: model permissions plus "add" on the program
index) whose Facilitator profile is among a program's `facilitators`. Leading a program is what
gives change and publish on its page (`programs.permissions.ProgramPagePermissionPolicy`) and its
cohorts, sessions and bookings (`programs.access`); no group per program is needed.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse

from cms.models import ProgramIndexPage
from programs.demo.loader import ensure_facilitators_group
from programs.models import Facilitator, ProgramPage


def facilitator_login(username: str, *programs: ProgramPage):
    """A facilitator login (password "pw") leading `programs`."""
    user = get_user_model().objects.create_user(username, email=f"{username}@example.org", password="pw")
    user.groups.add(ensure_facilitators_group(ProgramIndexPage.objects.get()))
    profile = Facilitator.objects.create(name=username.title(), user=user)
    for program in programs:
        lead(program, profile)
    return user


def lead(program: ProgramPage, profile: Facilitator) -> None:
    """Make `profile` one of the program's facilitators, as publishing the program page would."""
    program.facilitators.add(profile)
    # A ParentalManyToManyField is written on save; only the relation, nothing else of the page.
    program.save(update_fields=["facilitators"], clean=False)


def refused(response) -> bool:
    """Whether the admin refused: Wagtail turns PermissionDenied into a redirect to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )
