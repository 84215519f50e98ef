"""The facilitator's screens in the admin: the roster of a cohort, attendance per session, intake answers."""

from django.contrib.auth.decorators import permission_required
from wagtail.admin import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from bookings.exceptions import BookingError
from bookings.models import AttendanceMark, Booking, WaitlistEntry
from bookings.exports import spreadsheet_response
from bookings.selectors import cohort_roster, session_attendance
from bookings.services.attendance import mark_attendance, open_intake_answers, record_export
from bookings.services.waitlist import offer_seat_to
from programs.access import cohorts_visible_to, scope_to_user
from programs.models import Session


@permission_required("programs.view_cohort", raise_exception=True)
def roster(request, cohort_id: int):
    cohort = get_object_or_404(cohorts_visible_to(request.user).select_related("program"), pk=cohort_id)
    sessions, rows, waitlist = cohort_roster(cohort=cohort)
    return TemplateResponse(request, "bookings/admin/roster.html", {
        "cohort": cohort, "sessions": sessions, "rows": rows, "waitlist": waitlist,
        "page_title": f"Roster: {cohort}",
    })


@permission_required("programs.view_cohort", raise_exception=True)
@require_http_methods(["GET", "POST"])
def attendance(request, session_id: int):
    visible = scope_to_user(Session.objects.select_related("cohort__program"), request.user, cohort_path="cohort")
    session = get_object_or_404(visible, pk=session_id)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    if request.method == "POST":
        try:
            mark_attendance(
                booking_id=int(request.POST.get("booking", "0") or 0), session_id=session.pk,
                mark=request.POST.get("mark", ""), by_user=request.user,
            )
        except (BookingError, Booking.DoesNotExist, ValueError) as refusal:
            message = getattr(refusal, "message", "That mark could not be saved.")
            if wants_json:
                return JsonResponse({"saved": False, "message": message}, status=400)
            return redirect(request.path)
        if wants_json:
            return JsonResponse({"saved": True})
        return redirect(request.path)
    return TemplateResponse(request, "bookings/admin/attendance.html", {
        "session": session, "cohort": session.cohort, "people": session_attendance(session=session),
        "marks": AttendanceMark.choices, "page_title": "Attendance",
    })


@permission_required("programs.view_cohort", raise_exception=True)
def intake_answers(request, booking_id: int):
    visible = scope_to_user(Booking.objects.all(), request.user, cohort_path="cohort")
    get_object_or_404(visible, pk=booking_id)
    booking = open_intake_answers(booking_id=booking_id, acting_user=request.user)
    return TemplateResponse(request, "bookings/admin/intake.html", {
        "booking": booking, "page_title": f"Intake answers: {booking.name}",
    })


@permission_required("programs.view_cohort", raise_exception=True)
def attendance_export(request, cohort_id: int, file_format: str):
    """The attendance matrix, participants × sessions, as CSV or XLSX; session dates in the cohort's zone."""
    if file_format not in {"csv", "xlsx"}:
        raise Http404("Choose csv or xlsx.")
    cohort = get_object_or_404(cohorts_visible_to(request.user).select_related("program"), pk=cohort_id)
    sessions, rows, _ = cohort_roster(cohort=cohort)
    header = ["Participant", "Email", *[_session_heading(s, cohort.zone) for s in sessions]]
    people = [row for row in rows if row.booking.has_place]
    table = [header] + [
        [row.booking.name, row.booking.email, *[_mark_cell(row.marks, s) for s in sessions]] for row in people
    ]
    record_export(booking_ids=[row.booking.pk for row in people], export="attendance", file_format=file_format,
                  acting_user=request.user)
    filename = f"attendance-{cohort.program.slug}-{cohort.pk}.{file_format}"
    return spreadsheet_response(table, filename=filename, file_format=file_format)


def _session_heading(session, zone) -> str:
    heading = session.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return f"{heading} (cancelled)" if session.status == Session.Status.CANCELLED else heading


def _mark_cell(marks: dict[int, str], session) -> str:
    if session.status == Session.Status.CANCELLED:
        return "cancelled"
    mark = marks.get(session.pk)
    return AttendanceMark(mark).label if mark else ""


@permission_required("bookings.change_booking", raise_exception=True)
@require_http_methods(["POST"])
def offer_waitlist_seat(request, entry_id: int):
    visible = scope_to_user(WaitlistEntry.objects.all(), request.user, cohort_path="cohort")
    entry = get_object_or_404(visible, pk=entry_id)
    try:
        offer_seat_to(entry_id=entry.pk)
    except BookingError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"A seat is offered to {entry.name} for the next day.")
    return redirect("bookings_roster", entry.cohort_id)


@permission_required("programs.view_cohort", raise_exception=True)
def roster_with_intake_export(request, cohort_id: int, file_format: str):
    """The roster with intake answers, only when asked for explicitly; each row's look is recorded."""
    if file_format not in {"csv", "xlsx"}:
        raise Http404("Choose csv or xlsx.")
    cohort = get_object_or_404(cohorts_visible_to(request.user).select_related("program"), pk=cohort_id)
    _, rows, _ = cohort_roster(cohort=cohort)
    bookings = [row.booking for row in rows if row.booking.is_cancellable]
    questions = list(dict.fromkeys(
        item["question"] for b in bookings for item in b.intake_answers.values() if isinstance(item, dict)
    ))
    table = [["Participant", "Email", "State", "Emergency contact", "Access needs", *questions]]
    for booking in bookings:
        answers = {item["question"]: item.get("answer") for item in booking.intake_answers.values() if isinstance(item, dict)}
        table.append([booking.name, booking.email, booking.get_state_display(), booking.emergency_contact,
                      booking.access_needs, *[_cell(answers.get(q)) for q in questions]])
    record_export(booking_ids=[b.pk for b in bookings], export="roster with intake answers", file_format=file_format,
                  acting_user=request.user)
    return spreadsheet_response(table, filename=f"roster-intake-{cohort.pk}.{file_format}", file_format=file_format)


def _cell(answer) -> str:
    if answer is True:
        return "Yes"
    if answer is False or answer is None:
        return "No" if answer is False else ""
    return ", ".join(answer) if isinstance(answer, list) else str(answer)
