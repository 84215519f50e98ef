"""The intake and consent form, generated from the program's own questions; the participant's other
forms; and the facilitator's message to a cohort."""

from django import forms
from django.utils import dateformat, timezone
from django.utils.html import escape
from wagtail.admin.forms import WagtailAdminModelForm

from bookings.models import CohortMessage, PaymentMethod
from bookings.services.placing import Participant, consent_text_for, payment_methods_for
from programs.access import cohorts_visible_to
from programs.documents import documents_user_may_attach
from programs.models import Session
from programs.templatetags.money_tags import money
from programs.time_zones import known_time_zones, zone_label

METHOD_LABELS = {
    PaymentMethod.STRIPE: "Pay now by card (secure checkout with Stripe)",
    PaymentMethod.PAY_LATER: "Pay later (bank transfer or at the first session)",
    PaymentMethod.FREE: "Free",
}


class IntakeForm(forms.Form):
    name = forms.CharField(max_length=120, label="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        max_length=254, label="Email address", help_text="We send your confirmation and the session details here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    emergency_contact = forms.CharField(
        max_length=300, required=False, label="Emergency contact (optional)",
        help_text="A name and phone number we can call if you are unwell during a session.",
    )
    access_needs = forms.CharField(
        max_length=2000, required=False, label="Access needs (optional)",
        help_text="Anything that would make the sessions easier for you to join.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    time_zone = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        program = cohort.program
        self.question_fields: list[tuple[str, str]] = []
        for block in program.intake_questions:
            self._add_question(block)
        if cohort.allow_drop_ins and cohort.drop_in_price is not None:
            self._add_place_choice(cohort)
        tiers = list(program.price_tiers.all())
        if tiers:
            self.fields["tier"] = forms.TypedChoiceField(
                label="Choose what you pay",
                coerce=int,
                choices=[(t.pk, f"{t.label}: {money(t.amount)} — {t.description}".rstrip(" —")) for t in tiers],
                widget=forms.RadioSelect,
                help_text="Every place is the same place, whatever you pay. Choose honestly what you can afford.",
            )
        amount = cohort.price if not tiers else max(t.amount for t in tiers)
        methods = payment_methods_for(program=program, amount=amount)
        self.only_payment_method = methods[0] if len(methods) == 1 else None
        if len(methods) > 1:
            self.fields["payment_method"] = forms.ChoiceField(
                label="How would you like to pay?",
                choices=[(m, METHOD_LABELS[m]) for m in methods],
                widget=forms.RadioSelect,
            )
        self.consent_text = consent_text_for(program)
        self.fields["consent"] = forms.BooleanField(
            label=self.consent_text,
            error_messages={"required": "Please read the note and tick the box to go on."},
        )

    def _add_question(self, block) -> None:
        name = f"q_{block.id}"
        value = block.value
        if block.block_type == "text":
            widget = forms.Textarea(attrs={"rows": 4}) if value["long_answer"] else forms.TextInput
            field = forms.CharField(max_length=4000, widget=widget)
            label = value["question"]
        elif block.block_type == "choice":
            choices = [(choice, choice) for choice in value["choices"]]
            if value["allow_several"]:
                field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple)
            else:
                field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
            label = value["question"]
        elif block.block_type == "consent":
            field = forms.BooleanField()
            label = value["statement"]
        else:
            return
        field.label = label
        field.required = bool(value.get("required"))
        # Django's field templates print help_text unescaped (it is meant for the site's own
        # markup); a program's question is written by a facilitator, so it is shown as text.
        field.help_text = escape(value.get("help_text", ""))
        self.fields[name] = field
        self.question_fields.append((name, label))

    def _add_place_choice(self, cohort) -> None:
        sessions = cohort.sessions.filter(status="scheduled", starts_at__gt=timezone.now()).order_by("starts_at")
        choices = [("course", f"The whole course ({money(cohort.price)})")]
        choices += [
            (str(s.pk), f"Only {dateformat.format(s.starts_at.astimezone(cohort.zone), 'D j M, H:i')}"
                        f"{' · ' + s.topic if s.topic else ''} ({money(cohort.drop_in_price)})")
            for s in sessions
        ]
        self.fields["place"] = forms.ChoiceField(
            label="What would you like to book?", choices=choices, initial="course", widget=forms.RadioSelect,
            help_text=f"Session times are {zone_label(cohort.time_zone)}.",
        )

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data["time_zone"]
        return zone if zone in known_time_zones() else ""

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    def participant(self) -> Participant:
        data = self.cleaned_data
        return Participant(
            name=data["name"].strip(),
            email=data["email"],
            consent_text=self.consent_text,
            time_zone=data["time_zone"] or self.cohort.time_zone,
            emergency_contact=data["emergency_contact"].strip(),
            access_needs=data["access_needs"].strip(),
            answers={
                name.removeprefix("q_"): {"question": label, "answer": data.get(name)}
                for name, label in self.question_fields
            },
        )

    def chosen_session_id(self) -> int | None:
        place = self.cleaned_data.get("place", "course")
        return None if place == "course" else int(place)

    def chosen_tier_id(self) -> int | None:
        if self.chosen_session_id() is not None:
            return None  # a drop-in has one price

        return self.cleaned_data.get("tier")

    def chosen_payment_method(self) -> str | None:
        return self.cleaned_data.get("payment_method")

    def pays_by_card(self) -> bool:
        """Whether the person chose card payment (or it is the only way offered)."""
        return (self.chosen_payment_method() or self.only_payment_method) == PaymentMethod.STRIPE


class CancelForm(forms.Form):
    confirm = forms.BooleanField(label="Yes, cancel my place", error_messages={"required": "Tick the box to cancel."})


class WaitlistForm(forms.Form):
    name = forms.CharField(max_length=120, label="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(max_length=254, label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class LostLinkForm(forms.Form):
    email = forms.EmailField(max_length=254, label="The email address you used",
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, cancel any place I still have and erase my details",
        error_messages={"required": "Tick the box to erase your details."},
    )


class DetailsForm(IntakeForm):
    """The participant's own details and answers, editable from their booking page."""

    NOT_EDITABLE = ("email", "consent", "tier", "payment_method", "place", "time_zone")

    def __init__(self, *args, booking, **kwargs):
        initial = {
            "name": booking.name,
            "emergency_contact": booking.emergency_contact,
            "access_needs": booking.access_needs,
            **{f"q_{key}": item.get("answer") for key, item in booking.intake_answers.items() if isinstance(item, dict)},
        }
        super().__init__(*args, cohort=booking.cohort, initial=initial, **kwargs)
        for name in self.NOT_EDITABLE:
            self.fields.pop(name, None)

    def answers(self) -> dict:
        return {
            name.removeprefix("q_"): {"question": label, "answer": self.cleaned_data.get(name)}
            for name, label in self.question_fields
        }


class CohortMessageForm(WagtailAdminModelForm):
    """A facilitator's message: to a cohort they run, about one of its sessions, with a document they may choose.

    The choices are narrowed for the drop-downs, and the same querysets are what a POST is
    validated against, so a forged id of another facilitator's cohort or document is a form error.
    """

    class Meta:
        model = CohortMessage
        fields = ["cohort", "session", "subject", "body", "attachment"]

    def __init__(self, *args, for_user, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        cohorts = cohorts_visible_to(for_user)
        # The choices are named "program · cohort" and "program · cohort · date": joined, not one query each.
        self.fields["cohort"].queryset = cohorts.select_related("program")
        self.fields["session"].queryset = Session.objects.filter(cohort__in=cohorts).select_related("cohort__program")
        # By collection, as Wagtail's own document chooser decides: a private collection stays private.
        self.fields["attachment"].queryset = documents_user_may_attach(for_user)

    def clean(self):
        cleaned = super().clean()
        cohort, session = cleaned.get("cohort"), cleaned.get("session")
        if cohort and session and session.cohort_id != cohort.pk:
            self.add_error("session", "Choose a session of this cohort, or leave it empty to write to the whole cohort.")
        return cleaned
