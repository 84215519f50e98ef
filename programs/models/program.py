"""The program: a multi-week course, published as a Wagtail page."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import SimpleLazyObject
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.page_cache import CachedForReadersMixin
from cms.route_cache import RoutedFromCache
from programs.blocks import IntakeQuestionsBlock
from programs.forms import ProgramPageForm


class ProgramFormat(models.TextChoices):
    ONLINE = "online", "Online"
    IN_PERSON = "in_person", "In person"
    HYBRID = "hybrid", "Online and in person"


class ProgramPage(CachedForReadersMixin, RoutedFromCache, Page):
    """A course such as "Meeting your inner child: an 8-week online circle"; runs as cohorts."""

    summary = models.TextField(max_length=400, help_text="Two or three sentences for the program list.")
    body = StreamField(BodyBlock(), blank=True)
    facilitators = ParentalManyToManyField("programs.Facilitator", blank=True, related_name="programs")
    format = models.CharField(max_length=16, choices=ProgramFormat.choices, default=ProgramFormat.ONLINE)
    default_price = models.DecimalField(
        max_digits=8, decimal_places=2, default=0, validators=[MinValueValidator(0)],
        help_text="Price of a place; 0 means free. New cohorts start from it.",
    )
    default_capacity = models.PositiveIntegerField(
        default=12, validators=[MinValueValidator(1)], help_text="Places per cohort; new cohorts start from it."
    )
    suitable_for = models.TextField(
        blank=True, help_text="Who this program suits, and who it does not (e.g. not for young children)."
    )
    safety_note = models.TextField(
        help_text="What participants should know before taking part. Quoted in the consent question of the booking form."
    )
    intake_questions = StreamField(IntakeQuestionsBlock(), blank=True)
    prep_lead_time_hours = models.PositiveIntegerField(
        default=48, help_text="How many hours before each session its prep materials and join details are sent."
    )
    requires_screening = models.BooleanField(
        default=False,
        help_text="People apply first; a facilitator approves or declines before a place is held or paid for.",
    )
    allow_pay_later = models.BooleanField(
        default=False, help_text="Let people book now and pay before the first session (bank transfer, at the door)."
    )
    pay_later_due_days = models.PositiveIntegerField(
        default=7, help_text="With pay later: payment is due this many days before the first session."
    )
    allow_late_joiners = models.BooleanField(
        default=False, help_text="People may still join after the first session, until the cohort closes."
    )
    prorate_late_joiners = models.BooleanField(
        default=True, help_text="Late joiners pay only for the sessions left."
    )
    full_refund_days = models.PositiveIntegerField(
        default=14, help_text="Cancelling at least this many days before the first session refunds everything."
    )
    partial_refund_days = models.PositiveIntegerField(
        default=7, help_text="Cancelling later than the full-refund limit but at least this many days before refunds part."
    )
    partial_refund_percent = models.PositiveIntegerField(
        default=50, validators=[MaxValueValidator(100)], help_text="The part refunded then, in percent."
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("facilitators"),
        MultiFieldPanel(
            [FieldPanel("format"), FieldPanel("default_price"), FieldPanel("default_capacity")],
            heading="Format, price and places",
        ),
        MultiFieldPanel([FieldPanel("suitable_for"), FieldPanel("safety_note")], heading="Who it is for"),
        FieldPanel("intake_questions"),
        FieldPanel("prep_lead_time_hours"),
        MultiFieldPanel(
            [
                FieldPanel("requires_screening"),
                FieldPanel("allow_pay_later"),
                FieldPanel("pay_later_due_days"),
                FieldPanel("allow_late_joiners"),
                FieldPanel("prorate_late_joiners"),
                InlinePanel("price_tiers", heading="Sliding scale", label="Price tier"),
            ],
            heading="Booking and payment",
        ),
        MultiFieldPanel(
            [FieldPanel("full_refund_days"), FieldPanel("partial_refund_days"), FieldPanel("partial_refund_percent")],
            heading="Cancellation policy",
        ),
        HelpPanel(
            content="Cohorts (the dates this program runs) are managed under Programs → Cohorts in the menu.",
            heading="Cohorts",
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]

    base_form_class = ProgramPageForm
    parent_page_types = ["cms.ProgramIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "program"

    def get_context(self, request, *args, **kwargs):
        from programs.selectors import program_page_cohorts

        context = super().get_context(request, *args, **kwargs)
        # Lazy: a cached fragment of the page may not need them.
        context["cohorts"] = SimpleLazyObject(lambda: program_page_cohorts(program=self))
        context["facilitator_list"] = SimpleLazyObject(lambda: self.facilitators.select_related("photo"))
        return context


class ProgramPriceTier(Orderable):
    """One amount of a sliding scale, with an honest word on who it is for."""

    program = ParentalKey(ProgramPage, on_delete=models.CASCADE, related_name="price_tiers")
    label = models.CharField(max_length=80, help_text='e.g. "Supported place"')
    amount = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    description = models.CharField(max_length=300, blank=True, help_text='e.g. "If money is tight right now."')

    panels = [FieldPanel("label"), FieldPanel("amount"), FieldPanel("description")]

    def __str__(self) -> str:
        return f"{self.label} ({self.amount})"
