from bookings.models.attendance import Attendance, AttendanceMark
from bookings.models.messages import CohortMessage
from bookings.models.emails import EmailKind, EmailLog, EmailStatus
from bookings.models.booking import Booking, BookingQuerySet, BookingState, PaymentMethod
from bookings.models.payments import Payment, PaymentStatus, Refund, StripeEvent
from bookings.models.waitlist import WaitlistEntry, WaitlistState

__all__ = [
    "Attendance",
    "AttendanceMark",
    "Booking",
    "CohortMessage",
    "EmailKind",
    "EmailLog",
    "EmailStatus",
    "BookingQuerySet",
    "BookingState",
    "Payment",
    "PaymentMethod",
    "PaymentStatus",
    "Refund",
    "StripeEvent",
    "WaitlistEntry",
    "WaitlistState",
]
