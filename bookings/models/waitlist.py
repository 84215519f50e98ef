"""The waitlist of a full cohort, and the time-limited offers made from it."""

from django.db import models
from django.db.models import Q

from bookings.codes import new_secret_code


class WaitlistState(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OFFERED = "offered", "Offered a seat"
    ACCEPTED = "accepted", "Took the seat"
    DECLINED = "declined", "Declined the offer"
    LAPSED = "lapsed", "Offer lapsed"
    LEFT = "left", "Left the waitlist"


class WaitlistEntry(models.Model):
    """Someone waiting for a seat in a full cohort; first come, first offered."""

    State = WaitlistState

    cohort = models.ForeignKey("programs.Cohort", on_delete=models.PROTECT, related_name="waitlist")
    name = models.CharField(max_length=120)
    email = models.EmailField()
    code = models.CharField(max_length=64, unique=True, default=new_secret_code, editable=False)
    state = models.CharField(max_length=16, choices=WaitlistState.choices, default=WaitlistState.WAITING)
    # An offer is recorded here (the emails issue sends it); while it stands it holds a seat.
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    booking = models.OneToOneField(
        "bookings.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="waitlist_entry",
        help_text="The booking made when the offer was taken.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the person's details were erased: the entry's code opens nothing any more.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                "cohort", models.functions.Lower("email"),
                condition=Q(state__in=["waiting", "offered"]),
                name="waitlist_one_entry_per_email",
            ),
            models.CheckConstraint(condition=Q(state__in=WaitlistState.values), name="waitlist_state_valid"),
            models.CheckConstraint(
                condition=~Q(state="offered") | Q(offer_expires_at__isnull=False), name="waitlist_offer_has_expiry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} waiting for {self.cohort}"
