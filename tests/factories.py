"""factory_boy factories and a small page tree for the programs tests."""

from datetime import date, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from cms.models import HomePage, ProgramIndexPage
from programs.models import Cohort, Facilitator, ProgramPage, Venue
from programs.schedule import WeeklyPattern, build_rule
from programs.services import expand_schedule


def ensure_base_data() -> None:
    """What the migrations put in the database, put back if a transactional test flushed it."""
    if not ContentType.objects.exists():
        emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)
    if not Locale.objects.exists():
        Locale.objects.create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)))


def build_site() -> tuple[HomePage, ProgramIndexPage]:
    """A home page as the default site's root, with a program index under it."""
    ensure_base_data()
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Home", slug="home-test", intro="Welcome."))
    Site.objects.update_or_create(is_default_site=True, defaults={"root_page": home, "hostname": "localhost"})
    index = home.add_child(instance=ProgramIndexPage(title="Programs", slug="programs"))
    return home, index


def add_program(index: ProgramIndexPage, *, title: str = "Meeting your inner child", **fields) -> ProgramPage:
    defaults = dict(
        summary="Eight gentle evenings.",
        safety_note="This work can stir strong feelings.",
        default_price=Decimal("120.00"),
        default_capacity=10,
    )
    defaults.update(fields)
    program = ProgramPage(title=title, **defaults)
    index.add_child(instance=program)
    return program


class FacilitatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facilitator

    name = factory.Sequence(lambda n: f"Facilitator {n}")


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Room {n}")
    address = "1 Quiet Street\nLondon"


class CohortFactory(factory.django.DjangoModelFactory):
    """An open online cohort: weekly on Tuesdays at 19:00 London time, 8 sessions."""

    class Meta:
        model = Cohort
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Cohort {n}")
    status = Cohort.Status.OPEN
    mode = Cohort.Mode.ONLINE
    meeting_url = "https://meet.example.org/private-room"
    time_zone = "Europe/London"
    start_date = date(2027, 3, 9)
    start_time = time(19, 0)
    end_time = time(20, 30)
    capacity = 12
    price = Decimal("120.00")

    class Params:
        weeks = 8
        skip = ()
        extra = ()

    recurrence = factory.LazyAttribute(
        lambda o: build_rule(
            pattern=WeeklyPattern(every_weeks=1, session_count=o.weeks, skip_dates=o.skip, extra_dates=o.extra),
            start_time=o.start_time,
            zone=ZoneInfo(o.time_zone),
        )
    )

    @factory.post_generation
    def expanded(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            expand_schedule(cohort_id=obj.pk)


def add_collection(name: str, *, group=None, actions: tuple[str, ...] = ()):
    """A document collection under the root, with `group` granted these document actions on it."""
    from django.contrib.auth.models import Permission
    from wagtail.models import Collection, GroupCollectionPermission

    collection = Collection.get_first_root_node().add_child(name=name)
    for action in actions:
        GroupCollectionPermission.objects.create(
            group=group, collection=collection,
            permission=Permission.objects.get(content_type__app_label="wagtaildocs", codename=f"{action}_document"),
        )
    return collection


def add_document(title: str, *, collection=None, content: bytes = b"private prep notes"):
    """A Wagtail document holding `content`, in `collection` (the root one if not given)."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document = get_document_model()(title=title, **({"collection": collection} if collection else {}))
    document.file.save(f"{title.lower().replace(' ', '-')}.txt", ContentFile(content), save=False)
    document.save()
    return document
