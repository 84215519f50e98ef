"""The demo site: pages, facilitators, a venue, programs, cohorts and two logins.

Run it as often as you like. Everything is looked up by its natural key (a page's slug under
its parent, a facilitator's or venue's name, a cohort's program and title) and only what is
missing is created: a second run writes nothing, and never overwrites what someone has
edited since the first.
"""

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import GroupPagePermission, Page, Site

from cms.models import HomePage, ProgramIndexPage, SiteSettings, StandardPage
from programs.demo import content
from programs.models import Cohort, Facilitator, ProgramPage, ProgramPriceTier, SessionMaterial, Venue
from programs.schedule import WeeklyPattern, build_rule
from programs.services import expand_schedule

DEMO_ACCOUNTS = (content.ADMIN_ACCOUNT, content.FACILITATOR_ACCOUNT)


def demo_password(account: dict) -> str:
    """The account's password: its environment variable, else the laptop-only default."""
    return os.environ.get(account["password_env"]) or account["default_password"]


@dataclass
class Tally:
    """What one run created, for the summary line."""

    pages: int = 0
    facilitators: int = 0
    venues: int = 0
    cohorts: int = 0
    sessions: int = 0
    accounts: int = 0

    def summary(self) -> str:
        head = f"Demo content: {self.pages} pages, {self.cohorts} cohorts created"
        details = [
            f"{count} {noun if count == 1 else noun + 's'}"
            for count, noun in (
                (self.sessions, "session"),
                (self.facilitators, "facilitator"),
                (self.venues, "venue"),
                (self.accounts, "account"),
            )
            if count
        ]
        if details:
            return f"{head} (also {', '.join(details)})"
        if self.pages or self.cohorts:
            return head
        return f"{head} (already loaded)"


class DemoNotLoadable(Exception):
    """The demo cannot be loaded as things stand; the message says what to change."""


def load_demo(*, quiet: bool = True) -> Tally:
    """Create whatever part of the demo is missing, in one transaction; returns what it made."""
    refuse_default_passwords_in_production()
    tally = Tally()
    with _quiet_wagtail_log(unless=not quiet), transaction.atomic():
            home, home_is_new = _ensure_home_page(tally)
            site = _ensure_default_site(home, home_is_new=home_is_new)
            index = _ensure_child_page(home, ProgramIndexPage, content.PROGRAM_INDEX_PAGE, tally)
            standard_pages = {
                data["slug"]: _ensure_child_page(home, StandardPage, data, tally)
                for data in content.STANDARD_PAGES
            }
            _ensure_site_settings(site, faq_page=standard_pages.get(content.FAQ_PAGE["slug"]))

            facilitators = {data["name"]: _ensure_facilitator(data, tally) for data in content.FACILITATORS}
            venues = {data["name"]: _ensure_venue(data, tally) for data in content.VENUES}
            programs = {
                data["slug"]: _ensure_program(index, data, facilitators=facilitators, tally=tally)
                for data in content.PROGRAMS
            }
            for data in content.COHORTS:
                _ensure_cohort(data, programs=programs, venues=venues, tally=tally)

            group = ensure_facilitators_group(index)
            _ensure_accounts(group=group, facilitators=facilitators, tally=tally)
    return tally


def refuse_default_passwords_in_production() -> None:
    # Checked before anything is written: a demo login with a published password on a
    # public site is an open door.
    if not settings.IS_PRODUCTION:
        return
    User = get_user_model()
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(username=account["username"]).exists():
            continue
        if demo_password(account) == account["default_password"]:
            raise DemoNotLoadable(
                f"Refusing to create the demo login {account['username']!r} with its default "
                f"password in production. Set {account['password_env']} to a strong password "
                "and run load_demo again."
            )


@contextmanager
def _quiet_wagtail_log(*, unless: bool):
    """Keep Wagtail's line-per-page audit log ("Page created", "Published") out of the summary."""
    logger = logging.getLogger("wagtail")
    previous = logger.level
    if not unless:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)


# Pages -----------------------------------------------------------------------------------------


def _ensure_home_page(tally: Tally) -> tuple[HomePage, bool]:
    """The home page (there is only one, at the top of the tree), and whether it is new."""
    root = Page.get_first_root_node()
    home = HomePage.objects.child_of(root).first()
    if home is not None:
        return home, False
    _delete_wagtail_welcome_page(root)
    data = dict(content.HOME_PAGE)
    if root.get_children().filter(slug=data["slug"]).exists():
        # Something else (kept because it was edited) already holds "home" at the top.
        data["slug"] = "inner-child-circles"
    home = HomePage(**data)
    _publish_new_page(root, home, tally)
    return home, True


def _delete_wagtail_welcome_page(root: Page) -> None:
    """Remove the placeholder Wagtail's first migration makes, if nobody has touched it."""
    welcome = (
        root.get_children()
        .filter(
            title=content.WAGTAIL_WELCOME_PAGE_TITLE,
            content_type=ContentType.objects.get_for_model(Page),
        )
        .first()
    )
    if welcome is None or not welcome.is_leaf():
        return
    # A Site is deleted with its root page, so park the sites on the tree root meanwhile;
    # _ensure_default_site points the default one at the new home page.
    Site.objects.filter(root_page=welcome).update(root_page=root)
    welcome.delete()


def _ensure_default_site(home: HomePage, *, home_is_new: bool) -> Site:
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site(hostname="localhost", port=80, is_default_site=True, root_page=home)
        site.site_name = content.SITE_SETTINGS["organisation_name"]
        site.save()
        return site
    # Move the site to a new home page, or off the tree root it was parked on; one that
    # someone has pointed at another page since the first load is left alone.
    if site.root_page_id != home.pk and (home_is_new or site.root_page.depth == 1):
        site.root_page = home
        site.save(update_fields=["root_page"])
    return site


def _ensure_child_page(parent: Page, page_class: type[Page], data: dict, tally: Tally) -> Page:
    page = _existing_child(parent, data["slug"], page_class)
    if page is None:
        page = page_class(**data)
        _publish_new_page(parent, page, tally)
    return page


def _existing_child(parent: Page, slug: str, page_class: type[Page]) -> Page | None:
    existing = parent.get_children().filter(slug=slug).first()
    if existing is None:
        return None
    existing = existing.specific
    if not isinstance(existing, page_class):
        raise DemoNotLoadable(
            f"The page at “{existing.url_path}” is a {type(existing).__name__}, not a "
            f"{page_class.__name__}; change its slug or move it, then run load_demo again."
        )
    return existing


def _publish_new_page(parent: Page, page: Page, tally: Tally) -> None:
    parent.add_child(instance=page)
    page.save_revision().publish()
    tally.pages += 1


def _ensure_site_settings(site: Site, *, faq_page: Page | None) -> None:
    """Fill in the organisation's settings where they are still empty."""
    site_settings = SiteSettings.objects.filter(site=site).first()
    if site_settings is None:
        SiteSettings.objects.create(site=site, faq_page=faq_page, **content.SITE_SETTINGS)
        return
    changed = [
        name for name, value in content.SITE_SETTINGS.items() if not getattr(site_settings, name)
    ]
    for name in changed:
        setattr(site_settings, name, content.SITE_SETTINGS[name])
    if site_settings.faq_page_id is None and faq_page is not None:
        site_settings.faq_page = faq_page
        changed.append("faq_page")
    if changed:
        site_settings.save(update_fields=changed)


# People, places and programs ----------------------------------------------------------------


def _ensure_named(model: type[Facilitator] | type[Venue], data: dict) -> tuple[Facilitator | Venue, bool]:
    """The facilitator or venue with this name, created from `data` if missing."""
    existing = model.objects.filter(name=data["name"]).first()
    if existing is not None:
        return existing, False
    created = model(**data)
    created.full_clean()
    created.save()
    return created, True


def _ensure_facilitator(data: dict, tally: Tally) -> Facilitator:
    facilitator, created = _ensure_named(Facilitator, data)
    tally.facilitators += created
    return facilitator


def _ensure_venue(data: dict, tally: Tally) -> Venue:
    venue, created = _ensure_named(Venue, data)
    tally.venues += created
    return venue


def _ensure_program(
    index: ProgramIndexPage, data: dict, *, facilitators: dict[str, Facilitator], tally: Tally
) -> ProgramPage:
    program = _existing_child(index, data["slug"], ProgramPage)
    if program is not None:
        return program
    fields = {key: value for key, value in data.items() if key not in {"facilitators", "price_tiers"}}
    program = ProgramPage(**fields)
    program.price_tiers = [ProgramPriceTier(sort_order=n, **tier) for n, tier in enumerate(data.get("price_tiers", ()))]
    # A ParentalManyToManyField can be set before the page exists; it is saved with the
    # page and recorded in its first revision.
    program.facilitators = [facilitators[name] for name in data["facilitators"]]
    _publish_new_page(index, program, tally)
    return program


# Cohorts and sessions -----------------------------------------------------------------------


def _ensure_cohort(
    data: dict, *, programs: dict[str, ProgramPage], venues: dict[str, Venue], tally: Tally
) -> Cohort:
    program = programs[data["program"]]
    cohort = Cohort.objects.filter(program=program, title=data["title"]).first()
    if cohort is not None:
        return cohort
    zone = ZoneInfo(data["time_zone"])
    cohort = Cohort(
        program=program,
        title=data["title"],
        status=data["status"],
        mode=data["mode"],
        time_zone=data["time_zone"],
        start_date=data["start_date"],
        start_time=data["start_time"],
        end_time=data["end_time"],
        recurrence=build_rule(pattern=WeeklyPattern(**data["pattern"]), start_time=data["start_time"], zone=zone),
        venue=venues[data["venue"]] if data.get("venue") else None,
        meeting_url=data.get("meeting_url", ""),
        capacity=data.get("capacity", program.default_capacity),
        price=data.get("price", program.default_price),
    )
    cohort.full_clean()
    cohort.save()
    changes = expand_schedule(cohort_id=cohort.pk)
    tally.cohorts += 1
    tally.sessions += len(changes.added)

    sessions = list(cohort.sessions.order_by("starts_at"))
    for session, topic in zip(sessions, data.get("topics", ())):
        session.topic = topic
        session.save(update_fields=["topic"])
    for number, materials in data.get("materials", {}).items():
        for position, material_data in enumerate(materials):
            material = SessionMaterial(session=sessions[number - 1], sort_order=position, **material_data)
            material.full_clean()
            material.save()
    return cohort


# Logins --------------------------------------------------------------------------------------


def ensure_facilitators_group(index: ProgramIndexPage) -> Group:
    """The Facilitators group with the permissions a real facilitator has (left alone if it exists)."""
    spec = content.FACILITATORS_GROUP
    group, created = Group.objects.get_or_create(name=spec["name"])
    if not created:
        # Someone may have tuned its permissions since; leave them as they are.
        return group
    group.permissions.add(
        *[
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in spec["permissions"]
        ]
    )
    page_type = ContentType.objects.get_for_model(Page)
    for codename in spec["page_permissions"]:
        GroupPagePermission.objects.create(
            group=group, page=index, permission=Permission.objects.get(content_type=page_type, codename=codename)
        )
    return group


def _ensure_accounts(*, group: Group, facilitators: dict[str, Facilitator], tally: Tally) -> None:
    User = get_user_model()

    admin = content.ADMIN_ACCOUNT
    if not User.objects.filter(username=admin["username"]).exists():
        User.objects.create_superuser(
            username=admin["username"], email=admin["email"], password=demo_password(admin)
        )
        tally.accounts += 1

    spec = content.FACILITATOR_ACCOUNT
    if not User.objects.filter(username=spec["username"]).exists():
        user = User.objects.create_user(
            username=spec["username"],
            email=spec["email"],
            password=demo_password(spec),
            first_name=spec["first_name"],
            last_name=spec["last_name"],
        )
        user.groups.add(group)
        facilitator = facilitators[spec["facilitator"]]
        if facilitator.user_id is None:
            facilitator.user = user
            facilitator.save(update_fields=["user"])
        tally.accounts += 1
