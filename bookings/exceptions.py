"""The bookings app's domain errors; each `message` is fit to show the person who asked."""


class BookingError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CohortFull(BookingError):
    pass


class BookingClosed(BookingError):
    pass


class AlreadyBooked(BookingError):
    pass


class InvalidChoice(BookingError):
    """A tier, payment method or cohort the form did not offer (or no longer offers)."""


class NotAllowedNow(BookingError):
    """The booking is not in a state where this can happen."""


class PaymentProviderError(BookingError):
    """Stripe could not be reached or refused; nothing was charged."""


class BookingBusy(BookingError):
    """The cohort's lock was not free in time: many people are booking at once. Nothing was written."""

    def __init__(self, message: str = "Many people are booking right now. Please try again in a moment."):
        super().__init__(message)
