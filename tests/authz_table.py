"""Which kind of URL each served pattern is, and what to fill its arguments with.

The first rule whose glob matches a pattern's name (or its route, when it has none)
classifies it. A pattern no rule matches fails the matrix, naming it: a new view is
classified here on purpose, never by accident.

Categories, and who may get what (tests/test_authorization_matrix.py checks it):

- public: anyone; a page shows none of B's private data.
- public-object: a public page of one program or cohort; an unpublished one is 404.
- participant-code: takes a booking (or waitlist) code; a code opens its own booking only,
  an unknown code is 404.
- signed-token: a signed link that opens one material for one booking.
- protected-file: a file that only those allowed may download.
- webhook: machines post here; anything unauthenticated is a 4xx.
- admin-any-staff: any admin user may open it; a facilitator sees none of another's data.
- admin-object-of-owner: names one of B's objects; only B (and staff) may see or act on it.
- admin-staff-only: site-wide set-up (users, groups, sites, settings, collections,
  redirects, workflows); facilitators are refused.
- not-used: installed with Wagtail but not used by the project (images); facilitators
  are refused.
- deliberate-error: Wagtail's "does error reporting work" view; only anonymous is checked.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from bookings.privacy_links import address_token
from tests.authz_world import (
    ALL_MARKERS, SECRET_MARKERS, World, document_link_for_another_booking, expired_address_token,
    material_link_for_another_booking,
)

PUBLIC = "public"
PUBLIC_OBJECT = "public-object"
PARTICIPANT_CODE = "participant-code"
SIGNED_TOKEN = "signed-token"
PROTECTED_FILE = "protected-file"
WEBHOOK = "webhook"
ADMIN_ANY = "admin-any-staff"
ADMIN_OWNER = "admin-object-of-owner"
ADMIN_STAFF = "admin-staff-only"
NOT_USED = "not-used"
DELIBERATE_ERROR = "deliberate-error"

# An id no row has: the view must answer 404 (or refuse), never 500.
MISSING = 987654

Fill = Callable[[World], object]


@dataclass(frozen=True)
class Variant:
    """One way to call a pattern: kwargs beyond the defaults, a query string, or a whole path."""

    label: str = ""
    kwargs: Mapping[str, Fill] = field(default_factory=dict)
    query: Fill | None = None
    path: Fill | None = None
    # For public kinds: this object is not public (an unpublished program), so 404.
    private: bool = False


@dataclass(frozen=True)
class Rule:
    glob: str
    category: str
    why: str
    # Marker strings a refused role must not find in a 200 response.
    hidden: Mapping[str, str] = field(default_factory=lambda: ALL_MARKERS)
    fill: Mapping[str, Fill] = field(default_factory=dict)
    variants: tuple[Variant, ...] = (Variant(),)
    # Mounted only in some configurations (e.g. DEBUG): not missing when absent.
    optional: bool = False


def _id(attribute: str) -> Fill:
    return lambda world: getattr(world, attribute).pk


def _literal(value) -> Fill:
    return lambda world: value


def _path_of(attribute: str) -> Fill:
    return lambda world: urlsplit(getattr(world, attribute).url).path


# By kwarg name: B's object of that kind. `pk` depends on the pattern's namespace (below).
KWARG_VALUES: dict[str, Fill] = {
    "page_id": _id("b_program"),
    "parent_page_id": _id("b_program"),
    "page_to_move_id": _id("b_program"),
    "page_pk": _id("b_program"),
    "object_id": lambda world: str(world.b_program.pk),
    "destination_id": _id("home"),
    "revision_id": lambda world: world.b_draft_revision_id,
    "revision_id_a": lambda world: world.b_published_revision_id,
    "revision_id_b": lambda world: world.b_draft_revision_id,
    "cohort_id": _id("b_cohort"),
    "session_id": _id("b_session"),
    "booking_id": _id("b_booking"),
    "entry_id": _id("b_waitlist"),
    "document_id": _id("b_document"),
    "doc_id": _id("b_document"),
    "collection_id": _id("b_collection"),
    "code": lambda world: world.b_booking.code,
    "file_format": _literal("csv"),
    "action": _literal("cancel"),
    "action_name": _literal("publish"),
    "filter_spec": _literal("original"),
    "content_type_app_name": _literal("cms"),
    "content_type_model_name": _literal("standardpage"),
    "app_label": _literal("programs"),
    "model_name": _literal("programpage"),
    "app_name": _literal("cms"),
    "uidb64": _literal("MQ"),
    **{
        name: _literal(MISSING)
        for name in (
            "restriction_id", "page_view_restriction_id", "uploaded_file_id", "task_state_id", "task_id",
            "workflow_state_id", "workflow_pk", "image_id", "redirect_id",
        )
    },
}

PK_BY_NAMESPACE: dict[str, Fill] = {
    "cohorts": _id("b_cohort"),
    "programs_duplicate_cohort": _id("b_cohort"),
    "sessions": _id("b_session"),
    "bookings_admin": _id("b_booking"),
    "bookings_booking_action": _id("b_booking"),
    "payments_admin": _id("b_payment"),
    "email_log": _id("b_email_log"),
    "cohort_messages": _id("b_message"),
    "wagtailadmin_pages": _id("b_program"),
    "wagtailadmin_api:pages": _id("b_program"),
    "wagtailadmin_api:documents": _id("b_document"),
    "wagtailadmin_api:images": _literal(MISSING),
    "wagtaildocs_chooser": _id("b_document"),
    "wagtailimages_chooser": _literal(MISSING),
    "wagtailsnippets_programs_facilitator": _id("b_facilitator"),
    "wagtailsnippetchoosers_programs_facilitator": _id("b_facilitator"),
    "wagtailsnippets_programs_venue": _id("b_venue"),
    "wagtailsnippetchoosers_programs_venue": _id("b_venue"),
    "wagtailadmin_collections": _id("b_collection"),
    "wagtailusers_users": _id("facilitator_b"),
    "wagtailusers_groups": lambda world: world.facilitator_b.groups.get(name="Facilitators").pk,
    "wagtailsites": lambda world: world.site.pk,
    "wagtailsettings": lambda world: world.site.pk,
    "wagtailadmin_workflows": _literal(MISSING),
}

_EXPORTS = (Variant("list"), Variant("csv", query=_literal("export=csv")), Variant("xlsx", query=_literal("export=xlsx")))
_FORMATS = (Variant("csv", kwargs={"file_format": _literal("csv")}), Variant("xlsx", kwargs={"file_format": _literal("xlsx")}))
_BOOKING_ACTIONS = tuple(
    Variant(action, kwargs={"action": _literal(action)})
    for action in ("approve", "decline", "mark-paid", "move", "erase", "cancel")
)


_ADDRESS_TOKENS = (
    Variant("forged", kwargs={"token": _literal("not-a-signed-token")}),
    Variant("expired-link-to-b-participant", kwargs={"token": lambda world: expired_address_token(world)}),
    # Signed by the site, but the id of an email that was not an address link.
    Variant("signed-id-of-another-email", kwargs={"token": lambda world: address_token(world.b_email_log)}),
)


def _bulk(app_label: str, model_name: str, action: str, target: str) -> Variant:
    return Variant(
        f"{model_name}-{action}",
        kwargs={"app_label": _literal(app_label), "model_name": _literal(model_name), "action": _literal(action)},
        query=lambda world: f"id={getattr(world, target).pk}",
    )


RULES: tuple[Rule, ...] = (
    # --- Public: what a reader of the site, or someone signing in, reaches. ---
    Rule("wagtail_serve", PUBLIC_OBJECT, "Wagtail's page tree as readers see it", hidden=SECRET_MARKERS, variants=(
        Variant("home", path=_literal("/")),
        Variant("program-index", path=lambda world: world.index.url),
        Variant("b-program", path=lambda world: world.b_program.url),
        Variant("b-unpublished-program", path=lambda world: world.b_hidden_program.url, private=True),
    )),
    Rule("bookings:book", PUBLIC_OBJECT, "the booking form of a bookable cohort", hidden=SECRET_MARKERS, variants=(
        Variant("b-cohort"),
        Variant("b-unpublished-program-cohort", kwargs={"cohort_id": _id("b_hidden_cohort")}, private=True),
    )),
    Rule("bookings:join-waitlist", PUBLIC_OBJECT, "joining a full cohort's waitlist", hidden=SECRET_MARKERS, variants=(
        Variant("b-cohort"),
        Variant("b-unpublished-program-cohort", kwargs={"cohort_id": _id("b_hidden_cohort")}, private=True),
    )),
    Rule("bookings:booked", PUBLIC_OBJECT, "'check your inbox' after booking: the same page whoever booked",
         hidden=SECRET_MARKERS, variants=(
             Variant("b-cohort"),
             Variant("b-unpublished-program-cohort", kwargs={"cohort_id": _id("b_hidden_cohort")}, private=True),
         )),
    Rule("bookings:waitlist-sent", PUBLIC_OBJECT, "'check your inbox' after joining a waitlist: the same page whoever joined",
         hidden=SECRET_MARKERS, variants=(
             Variant("b-cohort"),
             Variant("b-unpublished-program-cohort", kwargs={"cohort_id": _id("b_hidden_cohort")}, private=True),
         )),
    Rule("bookings:lost-link", PUBLIC, "asks for an address; answers the same whether it is known or not",
         hidden=SECRET_MARKERS),
    Rule("favicon", PUBLIC, "a redirect to the site's icon", hidden=SECRET_MARKERS),
    Rule("robots-txt", PUBLIC, "what search engines may read: private pages are disallowed", hidden=SECRET_MARKERS),
    Rule("sitemap", PUBLIC, "Wagtail's sitemap of live, public pages only", hidden=SECRET_MARKERS),
    Rule("bookings:your-data-request", PUBLIC, "asks for a proven-address link; the same answer either way",
         hidden=SECRET_MARKERS),
    Rule("wagtailadmin_login", PUBLIC, "the admin sign-in form", hidden=SECRET_MARKERS),
    Rule("wagtailadmin_password_reset*", PUBLIC, "password reset; a bad link is refused", hidden=SECRET_MARKERS,
         fill={"token": _literal("bad-token")}),
    Rule("wagtailadmin_javascript_catalog", PUBLIC, "translations for the admin's scripts", hidden=SECRET_MARKERS),
    Rule("wagtailadmin_sprite", PUBLIC, "the admin's icons", hidden=SECRET_MARKERS),
    Rule("wagtailcore_login", PUBLIC, "sign-in for pages restricted to logged-in users", hidden=SECRET_MARKERS),
    Rule("wagtailcore_authenticate_with_password", PUBLIC, "password form of a protected page; unknown is 404",
         hidden=SECRET_MARKERS),
    Rule("wagtaildocs_authenticate_with_password", PUBLIC, "password form of a protected collection; unknown is 404",
         hidden=SECRET_MARKERS),
    Rule("^media/*", PUBLIC, "the development server's media files (DEBUG only)", hidden=SECRET_MARKERS,
         optional=True, variants=(Variant(path=lambda world: "/media/documents/b-prep.txt"),)),
    # --- A participant's private link. ---
    *(
        Rule(name, PARTICIPANT_CODE, "a participant's booking, opened by its secret code")
        for name in ("bookings:detail", "bookings:calendar", "bookings:pay", "bookings:my-data", "bookings:erase",
                     "bookings:edit-details", "bookings:cancel")
    ),
    Rule("bookings:waitlist", PARTICIPANT_CODE, "a waitlist place, opened by its secret code"),
    Rule("bookings:material", SIGNED_TOKEN, "a prep material behind a signed link", variants=(
        Variant("forged", kwargs={"token": _literal("not-a-signed-token")}),
        Variant("minted-for-another-booking",
                path=lambda world: urlsplit(material_link_for_another_booking(world)).path),
        Variant("b-document-minted-for-another-booking",
                path=lambda world: urlsplit(document_link_for_another_booking(world)).path),
    )),
    *(
        Rule(name, SIGNED_TOKEN, "every booking of an address, opened only by a fresh link sent to it (finding 1)",
             variants=_ADDRESS_TOKENS)
        for name in ("bookings:your-data", "bookings:your-data-download")
    ),
    Rule("wagtaildocs_serve", PROTECTED_FILE, "a document's file; prep documents are private (finding 6)",
         variants=(Variant("b-document", path=_path_of("b_document")),)),
    # --- Machines. ---
    Rule("bookings:stripe-webhook", WEBHOOK, "Stripe's events, signed"),
    Rule("anymail:*", WEBHOOK, "ESP delivery and inbound webhooks, behind anymail's webhook secret"),
    # --- Admin pages any admin user may open: each shows only the user's own data. ---
    Rule("wagtailadmin_home", ADMIN_ANY, "the dashboard; its panels show the user's own cohorts"),
    Rule("wagtailadmin_account", ADMIN_ANY, "the user's own account settings"),
    Rule("wagtailadmin_logout", ADMIN_ANY, "signing out"),
    Rule("wagtailadmin_dismissibles", ADMIN_ANY, "the user's dismissed hints"),
    Rule("wagtailadmin_block_preview", ADMIN_ANY, "preview of an empty StreamField block"),
    Rule("admin/test404/", ADMIN_ANY, "Wagtail's admin 404 page", variants=(Variant(path=_literal("/admin/test404/")),)),
    Rule("admin/^.*/$", ADMIN_ANY, "the admin's catch-all for unknown admin URLs",
         variants=(Variant(path=_literal("/admin/no-such-screen/")),)),
    Rule("wagtailadmin_explore_root", ADMIN_ANY, "the page explorer starts at the user's own programs"),
    Rule("wagtailadmin_pages:search*", ADMIN_ANY, "page search finds only pages the user may edit (finding 12)"),
    Rule("wagtailadmin_pages:type_use*", ADMIN_ANY, "where a page type is used: only the user's own pages",
         fill={"content_type_app_name": _literal("programs"), "content_type_model_name": _literal("programpage")}),
    Rule("wagtailadmin_pages:choose_parent", ADMIN_ANY, "where a new program may go"),
    Rule("wagtailadmin_choose_page_child", ADMIN_ANY, "the page chooser: only pages the user may explore",
         hidden=SECRET_MARKERS, variants=(
             Variant("program-index", kwargs={"parent_page_id": _id("index")}),
             Variant("b-program", kwargs={"parent_page_id": _id("b_program")}),
         )),
    Rule("wagtailadmin_choose_*", ADMIN_ANY, "the link choosers: public pages only", hidden=SECRET_MARKERS),
    Rule("wagtailadmin_tag_*autocomplete", ADMIN_ANY, "tag suggestions", fill={
        "app_name": _literal("wagtaildocs"), "model_name": _literal("document")}),
    Rule("wagtailadmin_api:pages:listing", ADMIN_ANY, "the explorer menu's page list: no one else's drafts",
         hidden=SECRET_MARKERS),
    Rule("wagtailadmin_api:pages:find", ADMIN_ANY, "the admin API's page lookup", hidden=SECRET_MARKERS),
    Rule("wagtailadmin_api:documents:listing", ADMIN_ANY, "the admin API's documents: the user's own collection"),
    Rule("wagtailadmin_api:documents:find", ADMIN_ANY, "the admin API's document lookup"),
    # Wagtail's names for the paths that config/urls.py mounts the staff-only reports on.
    Rule("wagtailadmin_reports:site_history*", ADMIN_STAFF, "every object's history, site-wide (finding 12)"),
    Rule("wagtailadmin_reports:page_types_usage*", ADMIN_STAFF, "names pages site-wide by their draft titles"),
    Rule("wagtailadmin_reports:*", ADMIN_ANY, "reports list only what the user may see (site history: finding 12)"),
    Rule("wagtailembeds:*", ADMIN_ANY, "the embed chooser used while editing a page; holds no data"),
    *(
        Rule(f"{namespace}:{view}", ADMIN_ANY, "lists and new-object forms show only the user's own cohorts",
             variants=_EXPORTS if (namespace, view) in {("bookings_admin", "index"), ("payments_admin", "index")}
             else (Variant(),))
        for namespace in ("cohorts", "sessions", "bookings_admin", "payments_admin", "email_log", "cohort_messages")
        for view in ("index", "index_results", "add")
    ),
    *(
        Rule(name, ADMIN_ANY, "documents: a facilitator sees their own private collection only (findings 6, 11)")
        for name in ("wagtaildocs:index", "wagtaildocs:index_results", "wagtaildocs:add", "wagtaildocs:add_multiple",
                     "wagtaildocs_chooser:choose", "wagtaildocs_chooser:choose_results", "wagtaildocs_chooser:create",
                     "wagtaildocs_chooser:chosen_multiple")
    ),
    Rule("wagtailsnippets:index", ADMIN_ANY, "the list of snippet types"),
    Rule("wagtailsnippets_programs_facilitator:list*", ADMIN_ANY, "facilitators' public names and bios"),
    Rule("wagtailsnippets_programs_facilitator:add", ADMIN_ANY, "a new facilitator profile (no user link: finding 9)"),
    Rule("wagtailsnippetchoosers_programs_facilitator:*", ADMIN_ANY, "choosing a facilitator by public name"),
    Rule("wagtailsnippets_programs_venue:*", ADMIN_ANY, "venues are a shared directory of public addresses"),
    Rule("wagtailsnippetchoosers_programs_venue:*", ADMIN_ANY, "choosing a venue"),
    # --- Admin views that name one of B's objects. ---
    Rule("wagtailadmin_explore*", ADMIN_OWNER, "the children of B's program"),
    Rule("wagtailadmin_pages:add*", ADMIN_OWNER, "adding a page under B's program"),
    Rule("wagtailadmin_pages:preview_on_add", ADMIN_OWNER, "preview of a page added under B's program"),
    Rule("wagtailadmin_pages:*", ADMIN_OWNER,
         "every page action, revision, history and workflow view of B's program (finding 10)"),
    Rule("wagtailadmin_api:pages:*", ADMIN_OWNER, "B's program through the admin API"),
    Rule("wagtailadmin_api:documents:detail", ADMIN_OWNER, "B's document through the admin API"),
    Rule("wagtail_bulk_action", ADMIN_OWNER, "bulk actions on B's page and document (finding 10)", variants=(
        *(_bulk("wagtailcore", "page", action, "b_program") for action in ("publish", "unpublish", "delete", "move")),
        *(_bulk("wagtaildocs", "document", action, "b_document")
          for action in ("delete", "add_to_collection", "add_tags")),
    )),
    Rule("wagtailadmin_editing_sessions:*", ADMIN_OWNER, "who is editing B's program", fill={
        "app_label": _literal("wagtailcore"), "model_name": _literal("page"), "session_id": _literal(MISSING)}),
    Rule("programs_duplicate_cohort", ADMIN_OWNER, "duplicating B's cohort"),
    Rule("bookings_booking_action", ADMIN_OWNER, "staff actions on B's booking (finding 18)",
         variants=_BOOKING_ACTIONS),
    Rule("bookings_intake", ADMIN_OWNER, "the intake answers of B's participant (audited)"),
    Rule("bookings_roster", ADMIN_OWNER, "B's cohort roster"),
    Rule("bookings_attendance", ADMIN_OWNER, "attendance of B's session"),
    Rule("bookings_offer_seat", ADMIN_OWNER, "offering a seat to B's waitlist entry"),
    Rule("bookings_roster_intake_export", ADMIN_OWNER, "B's roster with intake answers", variants=_FORMATS),
    Rule("bookings_attendance_export", ADMIN_OWNER, "B's attendance sheet", variants=_FORMATS),
    *(
        Rule(f"{namespace}:*", ADMIN_OWNER, "one row of B's cohorts (edit, delete, inspect, history, usage)")
        for namespace in ("cohorts", "sessions", "bookings_admin", "payments_admin", "email_log", "cohort_messages")
    ),
    Rule("wagtaildocs:*", ADMIN_OWNER, "B's document (edit, delete, usage); upload ids that do not exist are 404"),
    Rule("wagtaildocs_chooser:chosen", ADMIN_OWNER, "B's document picked in a chooser"),
    Rule("wagtailsnippets_programs_facilitator:*", ADMIN_OWNER,
         "B's facilitator profile: its user link is B's login (finding 9)"),
    Rule("admin-2fa-*", ADMIN_ANY, "the signed-in user's own second factor: enter a code or set one up"),
    Rule("wagtailadmin_workflows:task_chooser*", ADMIN_ANY,
         "names of moderation tasks, opened by Wagtail to editors; no program or participant data"),
    # --- Site-wide set-up: staff only. ---
    *(
        Rule(f"{namespace}:*", ADMIN_STAFF, why)
        for namespace, why in (
            ("wagtailusers_users", "accounts: who may sign in"),
            ("wagtailusers_groups", "groups: what each role may do"),
            ("wagtailsites", "sites and their hostnames"),
            ("wagtailadmin_collections", "collections and their privacy: where documents live"),
            ("wagtailredirects", "redirects for the whole site"),
            ("wagtailadmin_workflows", "moderation workflows"),
        )
    ),
    Rule("programs_site_history*", ADMIN_STAFF, "the site-history report, every object's history (finding 12)"),
    Rule("programs_page_types_usage*", ADMIN_STAFF, "the page-types report: names pages site-wide by draft title"),
    Rule("wagtailsettings:*", ADMIN_STAFF, "the organisation's settings",
         fill={"app_name": _literal("cms"), "model_name": _literal("sitesettings")}),
    # --- Installed with Wagtail, not used by the project. ---
    Rule("wagtailimages:*", NOT_USED, "images: programs use none; facilitators hold no image permission"),
    # Wagtail opens these to every admin user; with no images on the site they show nothing.
    Rule("wagtailimages_chooser:*", ADMIN_ANY, "the image chooser: programs use no images"),
    Rule("wagtailadmin_api:images:*", ADMIN_ANY, "images through the admin API: programs use no images"),
    Rule("wagtailadmin_error_test", DELIBERATE_ERROR, "raises on purpose, to test error reporting"),
)


def classify(pattern) -> Rule | None:
    return next((rule for rule in RULES if fnmatchcase(pattern.key, rule.glob)), None)


def kwargs_for(pattern, rule: Rule, variant: Variant, world: World) -> dict:
    """B's ids for each of the pattern's kwargs: the variant's, then the rule's, then by name."""
    values = {}
    for name in pattern.kwarg_names:
        fill = variant.kwargs.get(name) or rule.fill.get(name)
        if fill is None and name == "pk":
            fill = PK_BY_NAMESPACE.get(pattern.namespace or pattern.name)
        fill = fill or KWARG_VALUES.get(name)
        if fill is None:
            raise LookupError(f"no value for kwarg {name!r} of {pattern.label}: add one to tests/authz_table.py")
        values[name] = fill(world)
    return values
