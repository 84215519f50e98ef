"""Two facilitators, A and B, and everything of B's that someone else could try to reach.

Every piece of B's data carries a marker string found nowhere else, so a test can tell
from a response body alone whether it leaked. `SECRET_MARKERS` never appear outside
B's own views; `OWNER_MARKERS` are public on the site (B's published program, its
cohort) but no other facilitator's admin screen should show them.

B's participant's addresses are not markers: the attacker's booking in A's program is made
with them (finding 1's attack), so they rightly show on the attacker's own page and in A's
lists. B's participant's name, answers and the rest tell a leak of B's rows apart.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page, Site

from bookings.material_links import document_link, material_link
from bookings.models import Booking, CohortMessage, EmailKind, EmailLog, Payment, WaitlistEntry
from bookings.models.payments import PaymentStatus
from bookings.privacy_links import LIFETIME_SECONDS, address_token
from bookings.services.email_planning import plan_emails, plan_privacy_link
from bookings.services.placing import place_booking
from cms.models import ProgramIndexPage
from programs.models import Cohort, Facilitator, ProgramPage, SessionMaterial
from tests.bookings.helpers import participant_for
from tests.factories import CohortFactory, VenueFactory, add_collection, add_program, build_site
from tests.programs.roles import facilitator_login, lead

SECRET_MARKERS = {
    "draft title": "Draftmark Fennel",
    "draft summary": "Draftsummarymark",
    "unpublished program": "Hiddenmark Sorrel",
    "booking name": "Namemark Quillon",
    "intake answer": "Intakemark heron",
    "emergency contact": "Emergencymark Wren",
    "access needs": "Accessmark ramp",
    "document title": "Docmark Larch",
    "document content": "Filemark contents",
    "material title": "Materialmark",
    "message subject": "Subjectmark Alder",
    "message body": "Bodymark Alder",
    "payment note": "Paynotemark",
    "waitlist name": "Waitmark Tansy",
}
OWNER_MARKERS = {
    "program title": "Brambleprogram",
    "cohort title": "Cohortmark Birch",
}
ALL_MARKERS = {**SECRET_MARKERS, **OWNER_MARKERS}
B_PARTICIPANT_EMAIL = "quillon@example.org"
B_WAITLIST_EMAIL = "tansy@example.org"


@dataclass
class World:
    """Ids and objects the matrix fills URLs with; `b_*` belong to facilitator B."""

    home: Page
    site: Site
    index: ProgramIndexPage
    staff: object
    facilitator_a: object
    facilitator_b: object
    a_program: ProgramPage
    a_cohort: Cohort
    b_program: ProgramPage
    b_hidden_program: ProgramPage
    b_hidden_cohort: Cohort
    b_cohort: Cohort
    b_other_cohort: Cohort
    b_session: object
    b_booking: Booking
    b_payment: Payment
    b_email_log: EmailLog
    b_message: CohortMessage
    b_document: object
    b_collection: Collection
    b_material: SessionMaterial
    b_waitlist: WaitlistEntry
    b_facilitator: Facilitator
    b_venue: object
    b_published_revision_id: int
    b_draft_revision_id: int
    # A booking in A's program made with B's participant's address (finding 1's attack):
    # its code is "a participant's code for another booking".
    attacker_booking: Booking
    attacker_waitlist: WaitlistEntry
    # The email that carried a proven-address link to B's participant's address.
    b_address_link: EmailLog


def build_world() -> World:
    User = get_user_model()
    home, index = build_site()
    staff = User.objects.create_superuser("matrix-staff", "staff@example.org", "pw")

    # Facilitators as a real site has them (tests/programs/roles.py): the Facilitators group,
    # and page rights that follow `program.facilitators`.
    a_program = add_program(index, title="Alderprogram", default_price=Decimal("0"))
    user_a = facilitator_login("facilitator-a", a_program)
    a_cohort = CohortFactory(program=a_program, title="Alder cohort", price=Decimal("0"))

    b_program = add_program(index, title=OWNER_MARKERS["program title"], default_price=Decimal("0"))
    user_b = facilitator_login("facilitator-b", b_program)
    b_facilitator = user_b.facilitator
    b_published_revision = b_program.save_revision(user=user_b)
    b_published_revision.publish()
    b_published_revision_id = b_published_revision.pk
    b_program.title = SECRET_MARKERS["draft title"]
    b_program.summary = SECRET_MARKERS["draft summary"]
    b_draft_revision_id = b_program.save_revision(user=user_b).pk
    b_program = ProgramPage.objects.get(pk=b_program.pk)

    b_hidden_program = add_program(index, title=SECRET_MARKERS["unpublished program"], live=False)
    lead(b_hidden_program, b_facilitator)
    b_hidden_program.save_revision()
    b_hidden_cohort = CohortFactory(program=b_hidden_program, title="Hidden cohort", price=Decimal("0"))

    b_cohort = CohortFactory(program=b_program, title=OWNER_MARKERS["cohort title"], price=Decimal("0"))
    b_other_cohort = CohortFactory(program=b_program, title="Birch second cohort", price=Decimal("0"))
    b_session = b_cohort.sessions.order_by("starts_at").first()

    b_booking = place_booking(
        cohort_id=b_cohort.pk,
        participant=participant_for(
            b_program, 1,
            name=SECRET_MARKERS["booking name"],
            email=B_PARTICIPANT_EMAIL,
            emergency_contact=SECRET_MARKERS["emergency contact"],
            access_needs=SECRET_MARKERS["access needs"],
            answers={"why": {"question": "What brings you here?", "answer": SECRET_MARKERS["intake answer"]}},
        ),
    )
    attacker_booking = place_booking(
        cohort_id=a_cohort.pk,
        participant=participant_for(a_program, 2, name="Attacker", email=B_PARTICIPANT_EMAIL),
    )
    b_payment = Payment.objects.create(
        booking=b_booking, provider="manual", status=PaymentStatus.SUCCEEDED, amount=Decimal("10.00"), currency="GBP",
        note=SECRET_MARKERS["payment note"],
    )

    # B's private collection, granted to B alone (through a group of B's own), as a site sets one up.
    b_documents_group = Group.objects.create(name="B's documents")
    user_b.groups.add(b_documents_group)
    b_collection = add_collection("B's private materials", group=b_documents_group, actions=("add", "change", "choose"))
    b_document = get_document_model().objects.create(
        title=SECRET_MARKERS["document title"],
        file=ContentFile(SECRET_MARKERS["document content"].encode(), name="b-prep.txt"),
        collection=b_collection,
    )
    b_material = SessionMaterial.objects.create(
        session=b_session, title=SECRET_MARKERS["material title"], document=b_document
    )
    b_message = CohortMessage.objects.create(
        cohort=b_cohort, subject=SECRET_MARKERS["message subject"], body=SECRET_MARKERS["message body"],
        attachment=b_document, author=user_b,
    )
    b_waitlist = WaitlistEntry.objects.create(
        cohort=b_cohort, name=SECRET_MARKERS["waitlist name"], email=B_WAITLIST_EMAIL
    )
    attacker_waitlist = WaitlistEntry.objects.create(
        cohort=a_cohort, name="Attacker", email=B_WAITLIST_EMAIL
    )
    plan_emails()
    plan_privacy_link(email=B_PARTICIPANT_EMAIL)
    b_address_link = EmailLog.objects.get(kind=EmailKind.PRIVACY_LINK)
    b_email_log = EmailLog.objects.filter(booking=b_booking).order_by("pk").first()
    assert b_email_log is not None, "the planner wrote no email for B's booking"

    return World(
        home=home, site=Site.objects.get(is_default_site=True), index=index, staff=staff, facilitator_a=user_a, facilitator_b=user_b,
        a_program=a_program, a_cohort=a_cohort, b_program=b_program, b_hidden_program=b_hidden_program,
        b_hidden_cohort=b_hidden_cohort, b_cohort=b_cohort, b_other_cohort=b_other_cohort,
        b_session=b_session, b_booking=b_booking, b_payment=b_payment, b_email_log=b_email_log,
        b_message=b_message, b_document=b_document, b_collection=b_collection, b_material=b_material,
        b_waitlist=b_waitlist, b_facilitator=b_facilitator, b_venue=VenueFactory(name="Venuemark hall"),
        b_published_revision_id=b_published_revision_id, b_draft_revision_id=b_draft_revision_id,
        attacker_booking=attacker_booking, attacker_waitlist=attacker_waitlist, b_address_link=b_address_link,
    )


def expired_address_token(world: World) -> str:
    """A proven-address link to B's participant's address, genuinely sent but past its lifetime."""
    with time_machine.travel(timezone.now() - timedelta(seconds=LIFETIME_SECONDS + 60), tick=False):
        return address_token(world.b_address_link)


def material_link_for_another_booking(world: World) -> str:
    """A genuinely signed material link naming B's material, minted for the attacker's booking."""
    return material_link(booking=world.attacker_booking, material=world.b_material)


def document_link_for_another_booking(world: World) -> str:
    """A genuinely signed link to B's message attachment, minted for the attacker's booking."""
    return document_link(booking=world.attacker_booking, document=world.b_document)
