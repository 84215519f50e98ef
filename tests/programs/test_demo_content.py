"""The demo loader: runs twice without changing anything, keeps 19:00 at 19:00 across the clock
changes, and leaves a site whose pages answer and whose demo logins work."""

from datetime import UTC, date, datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest  # django-axes counts sign-ins per request
from wagtail.models import GroupPagePermission, Page, Revision, Site

from cms.models import HomePage, ProgramIndexPage, SiteSettings, StandardPage
from programs.demo import content
from programs.models import Cohort, Facilitator, ProgramPage, Session, SessionMaterial, Venue

pytestmark = pytest.mark.django_db

User = get_user_model()
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
# The demo's cohorts are written to be upcoming as seen from this day.
DEMO_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
WELCOME = "Welcome to your new Wagtail site!"


@pytest.fixture(autouse=True)
def _demo_day(time_machine, monkeypatch):
    time_machine.move_to(DEMO_NOW, tick=False)
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("DEMO_FACILITATOR_PASSWORD", raising=False)


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def demo_logins(*args: str) -> str:
    out = StringIO()
    call_command("demo_logins", *args, stdout=out)
    return out.getvalue()


def cohort_titled(title_start: str) -> Cohort:
    return Cohort.objects.get(title__startswith=title_start)


def snapshot() -> dict:
    """Everything a second run could add to or touch."""
    return {
        "pages": list(
            Page.objects.order_by("pk").values_list("pk", "path", "latest_revision_id", "last_published_at")
        ),
        "revisions": Revision.objects.count(),
        "cohorts": list(Cohort.objects.order_by("pk").values_list("pk", "updated_at")),
        "sessions": list(Session.objects.order_by("pk").values_list("pk", "starts_at", "sequence", "topic")),
        "materials": SessionMaterial.objects.count(),
        "users": list(User.objects.order_by("pk").values_list("pk", "username", "password")),
        "facilitators": list(Facilitator.objects.order_by("pk").values_list("pk", "name", "bio", "user_id")),
        "venues": Venue.objects.count(),
        "groups": list(Group.objects.order_by("pk").values_list("pk", "name")),
        "page_permissions": GroupPagePermission.objects.count(),
        "sites": list(Site.objects.values_list("pk", "root_page_id")),
        "site_settings": list(SiteSettings.objects.values()),
    }


# Idempotence -----------------------------------------------------------------------------------


def test_load_demo_twice_changes_nothing():
    first = load_demo()
    before = snapshot()

    second = load_demo()

    assert snapshot() == before
    assert "Demo content: 7 pages, 4 cohorts created" in first
    assert second.strip() == "Demo content: 0 pages, 0 cohorts created (already loaded)"
    assert Cohort.objects.count() >= 4
    assert ProgramPage.objects.count() >= 3
    assert Session.objects.count() == 28


def test_load_demo_keeps_what_someone_edited_since():
    load_demo()
    Facilitator.objects.filter(name="Maya Okafor").update(bio="Written by Maya herself.")
    session = cohort_titled("Spring 2027 · Tuesday").sessions.first()
    Session.objects.filter(pk=session.pk).update(topic="Arriving")
    SiteSettings.objects.update(contact_email="maya@example.org")

    load_demo()

    assert Facilitator.objects.get(name="Maya Okafor").bio == "Written by Maya herself."
    assert Session.objects.get(pk=session.pk).topic == "Arriving"
    assert SiteSettings.objects.get().contact_email == "maya@example.org"


def test_load_demo_puts_back_only_what_was_deleted():
    load_demo()
    Cohort.objects.filter(title__startswith="Spring 2027 · Wednesday").delete()
    others = list(Session.objects.order_by("pk").values_list("pk", "starts_at", "sequence"))

    output = load_demo()

    assert output.startswith("Demo content: 0 pages, 1 cohorts created")
    assert Cohort.objects.count() == len(content.COHORTS)
    restored = cohort_titled("Spring 2027 · Wednesday")
    assert list(
        Session.objects.exclude(cohort=restored).order_by("pk").values_list("pk", "starts_at", "sequence")
    ) == others


# The page tree and the site ------------------------------------------------------------------


def test_load_demo_replaces_the_wagtail_welcome_page_and_points_the_site_at_home():
    assert Page.objects.filter(title=WELCOME).exists()

    load_demo()

    home = HomePage.objects.get()
    assert home.depth == 2
    assert not Page.objects.filter(title=WELCOME).exists()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    menu = [page.slug for page in home.get_children().live().in_menu()]
    assert menu == ["programs", "about-inner-child-healing", "faq"]
    assert all(page.live and page.live_revision_id for page in Page.objects.filter(depth__gt=1))


def test_load_demo_keeps_a_welcome_page_someone_turned_into_content():
    welcome = Page.objects.get(title=WELCOME)
    welcome.title = "Our story"
    welcome.save()

    load_demo()

    assert Page.objects.filter(pk=welcome.pk, title="Our story").exists()
    home = HomePage.objects.get()
    assert home.get_parent().depth == 1
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk


def test_load_demo_sets_the_organisation_settings():
    load_demo()

    site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    assert site_settings.organisation_name == "Inner Child Circles"
    assert site_settings.contact_email == "hello@innerchildcircles.example"
    assert site_settings.default_time_zone == "Europe/London"
    assert site_settings.faq_page.specific.slug == "faq"


def test_demo_texts_fit_their_blocks():
    """Wagtail drops unknown block types silently and checks limits only in the editor."""
    load_demo()

    pages = {
        content.HOME_PAGE["slug"]: (HomePage, content.HOME_PAGE),
        content.ABOUT_PAGE["slug"]: (StandardPage, content.ABOUT_PAGE),
        content.FAQ_PAGE["slug"]: (StandardPage, content.FAQ_PAGE),
    } | {data["slug"]: (ProgramPage, data) for data in content.PROGRAMS}
    for slug, (page_class, data) in pages.items():
        page = page_class.objects.get(slug=slug)
        page.full_clean()
        for field in ("body", "intake_questions"):
            if field in data:
                value = getattr(page, field)
                assert len(value) == len(data[field]), (slug, field)
                value.stream_block.clean(value)
    faq = StandardPage.objects.get(slug="faq")
    questions = [item["question"] for item in faq.body[0].value["items"]]
    assert len(questions) == 8


def test_programs_have_their_facilitators_formats_and_prices():
    load_demo()

    programs = {page.slug: page for page in ProgramPage.objects.all()}
    assert {page.format for page in programs.values()} == {"online", "in_person", "hybrid"}
    assert any(page.default_price == 0 for page in programs.values())
    for data in content.PROGRAMS:
        page = programs[data["slug"]]
        assert sorted(f.name for f in page.facilitators.all()) == sorted(data["facilitators"])
        assert "children" in page.suitable_for
        assert page.safety_note
    assert ProgramIndexPage.objects.get().get_children().count() == len(content.PROGRAMS)


# Cohorts and sessions --------------------------------------------------------------------------


def test_london_cohort_stays_at_19_00_london_time_across_the_uk_clock_change():
    load_demo()
    cohort = cohort_titled("Spring 2027 · Tuesday")
    sessions = list(cohort.sessions.order_by("starts_at"))

    local_starts = [session.starts_at.astimezone(LONDON) for session in sessions]

    assert len(sessions) == 8
    assert local_starts[0].date() == date(2027, 3, 9)
    assert {start.time() for start in local_starts} == {time(19, 0)}
    assert {(start.date().weekday()) for start in local_starts} == {1}  # Tuesdays
    change = date(2027, 3, 28)
    assert any(start.date() < change for start in local_starts)
    assert any(start.date() > change for start in local_starts)
    # The same wall time is a different instant either side of the change.
    assert {session.starts_at.astimezone(UTC).hour for session in sessions} == {19, 18}
    assert {session.ends_at.astimezone(LONDON).time() for session in sessions} == {time(20, 30)}


def test_new_york_cohort_stays_at_18_30_new_york_time_across_the_us_clock_change():
    load_demo()
    cohort = cohort_titled("Spring 2027 · Thursday")

    local_starts = [s.starts_at.astimezone(NEW_YORK) for s in cohort.sessions.order_by("starts_at")]

    assert {start.time() for start in local_starts} == {time(18, 30)}
    change = date(2027, 3, 14)
    assert any(start.date() < change for start in local_starts)
    assert any(start.date() > change for start in local_starts)


def test_in_person_cohort_skips_its_skipped_date():
    load_demo()
    cohort = cohort_titled("Winter 2027 · Saturday")

    dates = list(cohort.sessions.order_by("starts_at").values_list("occurrence_date", flat=True))

    assert date(2027, 2, 13) not in dates
    assert dates == [
        date(2027, 1, 16),
        date(2027, 1, 23),
        date(2027, 1, 30),
        date(2027, 2, 6),
        date(2027, 2, 20),
        date(2027, 2, 27),
    ]
    assert cohort.mode == "in_person" and cohort.venue.name == content.VENUES[0]["name"]
    assert {s.starts_at.astimezone(LONDON).time() for s in cohort.sessions.all()} == {time(10, 0)}


def test_demo_cohorts_are_upcoming_and_pass_their_own_checks():
    load_demo()

    cohorts = list(Cohort.objects.all())
    assert {cohort.mode for cohort in cohorts} == {"online", "in_person", "hybrid"}
    for cohort in cohorts:
        cohort.full_clean()
        assert cohort.start_date > DEMO_NOW.date()
        assert cohort.status == Cohort.Status.OPEN
    assert Session.objects.exclude(topic="").count() == Session.objects.count()
    assert SessionMaterial.objects.filter(session__cohort__in=cohorts).count() >= 2
    assert SessionMaterial.objects.exclude(url="").exists()


# Logins ----------------------------------------------------------------------------------------


def test_admin_logs_in_with_the_printed_password(client):
    load_demo()
    printed = demo_logins()

    assert "admin-demo-pass" in printed
    assert client.login(request=HttpRequest(), username="admin", password="admin-demo-pass")
    assert client.get("/admin/").status_code == 200
    assert User.objects.get(username="admin").is_superuser


def test_facilitator_logs_in_to_the_admin_and_is_linked_to_their_profile(client):
    load_demo()
    printed = demo_logins()

    assert "facilitator-demo-pass" in printed
    assert client.login(request=HttpRequest(), username="facilitator", password="facilitator-demo-pass")
    assert client.get("/admin/").status_code == 200
    user = User.objects.get(username="facilitator")
    assert not user.is_superuser
    assert user.facilitator.name == content.FACILITATORS[0]["name"]
    assert user.has_perm("wagtailadmin.access_admin")
    assert user.has_perm("programs.change_cohort")
    assert user.has_perm("programs.add_sessionmaterial")
    assert not user.has_perm("programs.delete_cohort")
    index = ProgramIndexPage.objects.get()
    assert set(
        GroupPagePermission.objects.filter(group__name="Facilitators", page=index).values_list(
            "permission__codename", flat=True
        )
    ) == {"add_page"}
    # Change and publish come from leading: the demo facilitator's own programs, no other.
    led = {program.slug for program in ProgramPage.objects.all() if program.permissions_for_user(user).can_publish()}
    assert led == {program.slug for program in ProgramPage.objects.filter(facilitators__user=user)}
    assert led and led != set(ProgramPage.objects.values_list("slug", flat=True))


def test_demo_passwords_come_from_the_environment(client, monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "a-longer-admin-secret")
    monkeypatch.setenv("DEMO_FACILITATOR_PASSWORD", "a-longer-facilitator-secret")
    load_demo()

    assert "a-longer-admin-secret" in demo_logins()
    assert client.login(request=HttpRequest(), username="admin", password="a-longer-admin-secret")
    assert not client.login(request=HttpRequest(), username="admin", password="admin-demo-pass")
    assert client.login(request=HttpRequest(), username="facilitator", password="a-longer-facilitator-secret")


def test_load_demo_refuses_default_passwords_in_production(settings):
    settings.IS_PRODUCTION = True
    pages_before = Page.objects.count()

    with pytest.raises(CommandError, match="DEMO_ADMIN_PASSWORD"):
        load_demo()

    assert Page.objects.count() == pages_before
    assert not User.objects.exists()
    assert not Cohort.objects.exists()


def test_load_demo_in_production_with_passwords_set(settings, monkeypatch):
    settings.IS_PRODUCTION = True
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "a-longer-admin-secret")
    monkeypatch.setenv("DEMO_FACILITATOR_PASSWORD", "a-longer-facilitator-secret")

    load_demo()

    assert User.objects.count() == 2
    assert "a-longer-admin-secret" not in demo_logins()


def test_demo_logins_shows_the_given_site_and_the_outbox(settings):
    printed = demo_logins("--site-url", "https://circles.example/")

    assert "https://circles.example/" in printed
    assert "https://circles.example/admin/" in printed
    assert str(settings.EMAIL_FILE_PATH) in printed
    assert printed.splitlines()[0].startswith("╭")


# The public site (needs templates/cms/*.html and templates/programs/program_page.html) ----------


def public_paths() -> list[str]:
    return [
        "/",
        "/programs/",
        *[f"/programs/{data['slug']}/" for data in content.PROGRAMS],
        "/faq/",
        "/about-inner-child-healing/",
    ]


@pytest.mark.parametrize("path", public_paths())
def test_demo_pages_answer(client, path):
    load_demo()

    response = client.get(path)

    assert response.status_code == 200
    page = response.context["page"]
    assert page.title in response.content.decode()


def test_program_page_lists_its_upcoming_cohorts(client):
    load_demo()

    response = client.get(f"/programs/{content.ONLINE_CIRCLE}/")

    html = response.content.decode()
    assert "Spring 2027 · Tuesday evenings" in html
    assert "Spring 2027 · Thursday evenings" in html
    assert "meet.example.org" not in html  # the meeting link is only for confirmed participants
