"""The participant's side of booking: the intake form, the private booking page, paying and cancelling."""

import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from bookings import stripe_gateway
from bookings.exceptions import BookingError, PaymentProviderError
from bookings.forms import CancelForm, DetailsForm, EraseForm, IntakeForm, LostLinkForm, WaitlistForm
from bookings.material_links import material_for_link
from bookings.ratelimit import rate_limited
from bookings.http import private_page
from bookings.privacy_links import address_from_token
from bookings.services.email_planning import plan_booking_links, plan_privacy_link
from bookings.models import WaitlistEntry, WaitlistState
from bookings.selectors import booking_for_page, sessions_for_booking_page
from bookings.sent_notes import remember_sent_to, take_sent_to
from bookings.services.cancelling import cancel_booking, refund_quote
from bookings.services.payments import handle_stripe_event, start_checkout, sync_checkout_from_return
from bookings.services.placing import place_booking_quietly, update_participant_details
from bookings.services.privacy import booking_data, erase_booking, erase_participant, participant_data
from bookings.services.waitlist import join_waitlist_quietly, leave_waitlist
from cms.page_cache import cache_for_readers
from programs.models import Cohort

logger = logging.getLogger(__name__)


@sensitive_post_parameters()  # intake answers never reach an error report
@rate_limited("book", limit=20, window=600)
def book(request, cohort_id: int):
    cohort = get_object_or_404(Cohort.objects.visible().select_related("program"), pk=cohort_id)
    offer_code = request.GET.get("offer", "")[:64]
    offer = WaitlistEntry.objects.filter(cohort=cohort, code=offer_code).first() if offer_code else None
    initial = {"name": offer.name, "email": offer.email} if offer else None
    if request.method != "POST":
        blank = not offer_code  # a waitlist offer fills in the person's name and address
        # Lazy: a blank form served from the fragment cache is never built.
        form = SimpleLazyObject(lambda: IntakeForm(cohort=cohort, initial=initial))
        context = {"form": form, "cohort": cohort, "offer": offer, "blank_form": blank}
        response = render(request, "bookings/book.html", context)
        return cache_for_readers(response) if blank else response
    form = IntakeForm(request.POST, cohort=cohort, initial=initial)
    context = {"form": form, "cohort": cohort, "offer": offer}
    if not form.is_valid():
        return render(request, "bookings/book.html", context, status=422)
    participant = form.participant()
    try:
        place_booking_quietly(
            cohort_id=cohort.pk,
            participant=participant,
            tier_id=form.chosen_tier_id(),
            payment_method=form.chosen_payment_method(),
            waitlist_code=offer.code if offer else None,
            session_id=form.chosen_session_id(),
        )
    except BookingError as refusal:
        form.add_error(None, refusal.message)
        return render(request, "bookings/book.html", context, status=409)
    # The same answer for a new booking and for an address that has one already: the link to
    # the booking (and to its payment) goes to the address, so typing someone's address
    # neither tells whether they have a place nor opens anything of theirs.
    remember_sent_to(request, cohort_id=cohort.pk, email=participant.email, card=form.pays_by_card())
    return redirect("bookings:booked", cohort_id=cohort.pk)


@private_page  # it may name the address just typed
def booked(request, cohort_id: int):
    return _check_your_inbox(request, cohort_id, "bookings/booked.html")


def _check_your_inbox(request, cohort_id: int, template: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.visible().select_related("program"), pk=cohort_id)
    return render(request, template, {
        "cohort": cohort, "sent_to": take_sent_to(request, cohort_id=cohort.pk),
        "hold_minutes": settings.BOOKING_HOLD_MINUTES, "offer_hours": settings.WAITLIST_OFFER_HOURS,
    })


# The page a secret code opens is where codes would be guessed: limited for every method.
# (Not its calendar file: calendar services fetch every subscriber's from a few addresses.)
@rate_limited("booking-page", limit=120, window=600, methods=("GET", "POST"))
@private_page
def booking_page(request, code: str):
    booking = _booking_or_404(code)
    session_id = request.GET.get("checkout_session_id", "")
    if session_id:
        try:
            sync_checkout_from_return(booking_id=booking.pk, session_id=session_id)
        except stripe.StripeError:
            logger.warning("Could not read checkout session on return for booking %s", booking.pk)
            messages.info(request, "We are still confirming your payment; this page will show it within a minute.")
        return redirect(booking.get_absolute_url())
    return render(request, "bookings/booking_page.html", {
        "booking": booking, "cohort": booking.cohort, "sessions": sessions_for_booking_page(booking, now=timezone.now()),
        "retention_days": settings.INTAKE_RETENTION_DAYS,
        "card_payments": stripe_gateway.stripe_enabled(),
    })


@require_POST
@private_page
def pay(request, code: str):
    booking = _booking_or_404(code)
    return _go_to_checkout(request, booking)


@private_page
def cancel(request, code: str):
    booking = _booking_or_404(code)
    quote = refund_quote(booking=booking)
    form = CancelForm(request.POST or None)
    context = {"booking": booking, "quote": quote, "form": form}
    if request.method != "POST":
        return render(request, "bookings/cancel.html", context)
    if not form.is_valid():
        return render(request, "bookings/cancel.html", context, status=422)
    try:
        cancel_booking(booking_id=booking.pk)
    except BookingError as refusal:
        form.add_error(None, refusal.message)
        return render(request, "bookings/cancel.html", context, status=409)
    messages.success(request, "Your place is cancelled. " + quote.explanation)
    return redirect(booking.get_absolute_url())


@rate_limited("waitlist", limit=20, window=600)
def join_waitlist_view(request, cohort_id: int):
    cohort = get_object_or_404(Cohort.objects.visible().select_related("program"), pk=cohort_id)
    form = WaitlistForm(request.POST or None)
    context = {"form": form, "cohort": cohort}
    if request.method != "POST":
        return render(request, "bookings/waitlist_join.html", context)
    if not form.is_valid():
        return render(request, "bookings/waitlist_join.html", context, status=422)
    email = form.cleaned_data["email"]
    try:
        join_waitlist_quietly(cohort_id=cohort.pk, name=form.cleaned_data["name"], email=email)
    except BookingError as refusal:
        form.add_error(None, refusal.message)
        return render(request, "bookings/waitlist_join.html", context, status=409)
    # As the booking form: the same answer whether the address is new, in line already or has
    # a place; the link to the waitlist page (or to the booking) goes to the address.
    remember_sent_to(request, cohort_id=cohort.pk, email=email)
    return redirect("bookings:waitlist-sent", cohort_id=cohort.pk)


@private_page
def waitlist_sent(request, cohort_id: int):
    return _check_your_inbox(request, cohort_id, "bookings/waitlist_sent.html")


@private_page
def waitlist_page(request, code: str):
    entries = WaitlistEntry.objects.select_related("cohort__program").filter(erased_at=None)
    entry = get_object_or_404(entries, code=code[:64])
    if request.method == "POST":
        try:
            leave_waitlist(code=entry.code)
        except BookingError as refusal:
            messages.error(request, refusal.message)
        return redirect("bookings:waitlist", code=entry.code)
    position = None
    if entry.state == WaitlistState.WAITING:
        position = WaitlistEntry.objects.filter(
            cohort=entry.cohort, state=WaitlistState.WAITING, created_at__lte=entry.created_at
        ).count()
    return render(request, "bookings/waitlist_page.html", {"entry": entry, "position": position})


@private_page
@sensitive_post_parameters()
def edit_details(request, code: str):
    booking = _booking_or_404(code)
    form = DetailsForm(request.POST or None, booking=booking)
    context = {"booking": booking, "form": form}
    if request.method != "POST":
        return render(request, "bookings/edit_details.html", context)
    if not form.is_valid():
        return render(request, "bookings/edit_details.html", context, status=422)
    try:
        update_participant_details(
            booking_id=booking.pk, name=form.cleaned_data["name"],
            emergency_contact=form.cleaned_data["emergency_contact"],
            access_needs=form.cleaned_data["access_needs"],
            # Answers to questions the program has since dropped are kept as they were.
            answers={**booking.intake_answers, **form.answers()},
        )
    except BookingError as refusal:
        form.add_error(None, refusal.message)
        return render(request, "bookings/edit_details.html", context, status=409)
    messages.success(request, "Your details are updated.")
    return redirect(booking.get_absolute_url())


@private_page
def my_data(request, code: str):
    """Everything held about this booking, as JSON, for the participant to keep."""
    booking = _booking_or_404(code)
    return _data_download(booking_data(booking_id=booking.pk))


def _data_download(data: dict) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@private_page
def erase(request, code: str):
    booking = _booking_or_404(code)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        erase_booking(booking_id=booking.pk)
        return render(request, "bookings/erased.html")
    return render(request, "bookings/erase.html", {"booking": booking, "form": form},
                  status=422 if request.method == "POST" else 200)


@rate_limited("lost-link", limit=5, window=3600)
def lost_link(request):
    """Send the booking page link again. The answer is the same whether or not the address is known."""
    return _send_to_address(request, "bookings/lost_link.html", plan_booking_links)


@rate_limited("your-data", limit=5, window=3600)
def your_data_request(request):
    """Ask for a link to everything held about an address. The answer is the same whether or not it is known."""
    return _send_to_address(request, "bookings/your_data_request.html", plan_privacy_link)


def _send_to_address(request, template: str, plan) -> HttpResponse:
    """An email-address form whose answer never says whether the address is known; `plan` writes the email."""
    form = LostLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            plan(email=form.cleaned_data["email"])
        return render(request, template, {"form": LostLinkForm(), "sent": True})
    status = 422 if request.method == "POST" else 200
    return render(request, template, {"form": form}, status=status)


@private_page
def your_data(request, token: str):
    """Every booking and waitlist place of an address proven by a signed link: see, download, erase."""
    email = _proven_address_or_404(token)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        erase_participant(email=email)
        return render(request, "bookings/erased.html")
    data = participant_data(email=email)
    return render(request, "bookings/your_data.html", {"data": data, "token": token, "form": form},
                  status=422 if request.method == "POST" else 200)


@private_page
def your_data_download(request, token: str):
    return _data_download(participant_data(email=_proven_address_or_404(token)))


def _proven_address_or_404(token: str) -> str:
    email = address_from_token(token[:200])
    if email is None:
        raise Http404("This link has expired or is not valid. You can ask for a new one.")
    return email


@csrf_exempt
@require_POST
@rate_limited("stripe-webhook", limit=600, window=60)
def stripe_webhook(request):
    try:
        event = stripe_gateway.verify_webhook(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponseBadRequest("Invalid signature")
    try:
        handle_stripe_event(event_id=event.id, event_type=event.type, obj=event.data.object.to_dict())
    except stripe.StripeError:
        logger.exception("Stripe could not be read while handling event %s; asking for a retry", event.id)
        return HttpResponse(status=503)
    return HttpResponse(status=200)


@private_page
def material(request, token: str):
    """A prep material or a message's document behind a material link, for a booking with a place."""
    found = material_for_link(token=token)
    if found is None:
        raise Http404("This link has expired or is not for this material. Your booking page has fresh links.")
    if found.document:
        return FileResponse(found.document.file.open("rb"), filename=found.document.filename)
    if found.url:
        return redirect(found.url)
    return render(request, "bookings/material_note.html", {"material": found})


def _go_to_checkout(request, booking):
    page = request.build_absolute_uri(booking.get_absolute_url())
    try:
        url = start_checkout(
            booking_id=booking.pk,
            success_url=page + "?checkout_session_id={CHECKOUT_SESSION_ID}",
            cancel_url=page,
        )
    except (BookingError, PaymentProviderError) as refusal:
        messages.error(request, refusal.message)
        return redirect(booking.get_absolute_url())
    return redirect(url)


def _booking_or_404(code: str):
    # The code is looked up by an indexed equality; its 192 random bits are what keep it
    # unguessable, and a miss reveals nothing about which codes exist.
    booking = booking_for_page(code=code) if 20 <= len(code) <= 64 else None
    if booking is None:
        raise Http404("No booking has this link.")
    return booking
